"""Listings for the public-page tests: the shared realistic directory plus the cases the pages
treat specially (a demonstration listing with an alert, a temporarily closed service, a
domestic abuse service, a Let's Talk site with nothing listed yet)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.models import Attribute, Location, LocationKind, Service, Taxonomy, TaxonomyTerm
from tests.factories import Directory, make_directory, make_location, make_service


@dataclass
class PublicData:
    directory: Directory
    demo: Service
    closed: Service
    refuge: Service
    empty_lets_talk: Location

    def service(self, name: str) -> Service:
        return self.directory.services[name]


def add_safety_terms(session: Session) -> TaxonomyTerm:
    """The domestic abuse need and a child term, coded as in seeds/taxonomy.json."""
    taxonomy = Taxonomy(name="Safety needs", description="Needs that get safety features.")
    session.add(taxonomy)
    session.flush()
    parent = TaxonomyTerm(
        name="Domestic abuse", term="domestic-abuse", taxonomy_obj=taxonomy, taxonomy="Safety"
    )
    session.add(parent)
    session.flush()
    child = TaxonomyTerm(
        name="Refuges and safe housing",
        term="refuge",
        parent_id=parent.id,
        taxonomy_obj=taxonomy,
        taxonomy="Safety",
    )
    session.add(child)
    session.flush()
    return child


def build_public_data(session: Session) -> PublicData:
    directory = make_directory(session)
    demo = make_service(
        session,
        "Hoole Demonstration Lunch Club",
        places=("hoole",),
        is_demonstration=True,
        alert="No lunch club on Tuesday 30 December",
        cost=("£3.50 per lunch", 3.5),
        referral="self",
        alternate_name="Hoole Lunch",
        schedules=[
            {"byday": "MO,WE,FR", "opens_at": "12:00", "closes_at": "14:00", "at": "hoole"},
        ],
    )
    closed = make_service(
        session,
        "Upton Repair Café",
        places=("upton",),
        status="temporarily closed",
        referral="professional",
    )
    refuge_term = add_safety_terms(session)
    refuge = make_service(
        session,
        "Cheshire Safe Space Outreach",
        places=("chester",),
        needs=("Mental health",),
        phone="0300 123 4567",
        minimum_age=16,
    )
    refuge.attributes.append(Attribute(taxonomy_term=refuge_term, link_type="need"))
    empty = make_location(
        session, "tarporley", name="Tarporley Let's Talk", kind=LocationKind.LETS_TALK
    )
    session.commit()
    return PublicData(directory, demo, closed, refuge, empty)


@pytest.fixture
def data(session: Session) -> PublicData:
    return build_public_data(session)


def text_of(html: bytes) -> str:
    """The page's words with tags removed and spaces collapsed, as a reader meets them."""
    body = html.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return text_of(response.data)


def json_ld(html: bytes) -> dict:
    match = re.search(rb'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))
