"""A small fixed world with known figures for the insight tests.

Two public listings (a food bank in Hoole, CH2; a parenting group in Neston, CH64; neither
with a service area), four offers (active in Northwich for health, active across Cheshire East
for family, one pending, one rejected), seven requests over four months with every kind of
ending, three self-served visits and five searches. Every request carries personal data
(:data:`PERSONAL`) that must never reach an insight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import (
    ContactAttempt,
    HelpRequest,
    Outcome,
    RequestStatus,
    SelfServed,
)
from directory.insights.models import SearchLog
from directory.places.build import build_gazetteer, is_complete
from directory.places.paths import default_path
from search_index.vocabulary import invalidate
from tests.factories import CHESHIRE_EAST, PLACES, make_service, make_taxonomy

#: What every request holds about its person; none of it may appear in any insight.
PERSONAL = {
    "name": "Zebedee Quillfeather",
    "phone": "01632 960999",
    "email": "zebedee.q@example.org",
    "postcode": "CW9 7XQ",
    "details": "My neighbour Ottoline Spragg needs her shopping",
    "contact_times": "Tuesdays after 4pm at Flat 9",
}
PERSONAL_STRINGS = [*PERSONAL.values(), "Quillfeather", "Spragg", "Ottoline", "7XQ", "960999"]


@dataclass
class World:
    terms: dict
    ids: dict[str, str] = field(default_factory=dict)


def at(year: int, month: int, day: int = 10, hour: int = 11) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The built gazetteer if this machine has one covering C postcodes, else a C-only build."""
    built = default_path()
    if is_complete(built, "C"):
        return str(built)
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite"
    build_gazetteer(path, "C")
    return str(path)


def build_world(session: Session) -> World:
    terms = make_taxonomy(session)
    world = World(terms)
    make_service(session, "Hoole Food Bank", places=("hoole",), needs=("Food",),
                 client_groups=(), service_areas=())  # fmt: skip
    make_service(session, "Neston Parenting Group", places=("neston",),
                 needs=("Parenting support",), client_groups=(), service_areas=())  # fmt: skip
    northwich = PLACES["northwich"]
    offers = [
        HelpOffer(reference="OFF-A", kind=OfferKind.VOLUNTEER, status=OfferStatus.ACTIVE,
                  needs=[terms["Health and wellbeing"].id], outcode="CW9",
                  latitude=northwich.latitude, longitude=northwich.longitude, radius_km=5,
                  created_at=at(2026, 1), name="Volunteer Vera Offerwell",
                  phone="01632 960888", email="vera@example.org", postcode="CW9 5AA"),
        HelpOffer(reference="OFF-B", kind=OfferKind.ORGANISATION, status=OfferStatus.ACTIVE,
                  needs=[terms["Family"].id], areas=[CHESHIRE_EAST], created_at=at(2026, 2)),
        HelpOffer(reference="OFF-C", kind=OfferKind.VOLUNTEER,
                  status=OfferStatus.PENDING_CHECK, needs=[terms["Money"].id], outcode="CW9",
                  created_at=at(2026, 3)),
        HelpOffer(reference="OFF-D", kind=OfferKind.VOLUNTEER, status=OfferStatus.REJECTED,
                  needs=[terms["Money"].id], outcode="CW9", created_at=at(2026, 1)),
    ]  # fmt: skip
    session.add_all(offers)
    closed, open_ = RequestStatus.CLOSED, RequestStatus.OPEN
    rows = [
        ("R1", at(2026, 1), "CH2", ["Food"], closed, Outcome.MATCHED),
        ("R2", at(2026, 1, 20), "CW9", ["Debt advice"], closed, Outcome.NO_MATCH),
        ("R3", at(2026, 2), "CW9", ["Loneliness and isolation"], open_, None),
        ("R4", at(2026, 2, 20), "CW1", ["Parenting support"], closed, Outcome.SIGNPOSTED),
        ("R5", at(2026, 3), "CW1", ["Food", "Mental health"], closed, Outcome.NO_MATCH),
        ("R6", at(2026, 3, 20), None, [], open_, None),
        ("R7", at(2025, 12), "CH1", ["Money"], closed, Outcome.WITHDRAWN),
    ]
    for reference, created, outcode, needs, status, outcome in rows:
        request = HelpRequest(
            reference=f"H2H-{reference}", created_at=created, outcode=outcode,
            needs=[terms[n].id for n in needs], status=status, outcome=outcome,
            closed_at=created if status == closed else None, **PERSONAL,
        )  # fmt: skip
        request.attempts.append(ContactAttempt(method="phone", note=PERSONAL["details"]))
        session.add(request)
    session.add_all(
        [SelfServed(at=at(2026, 1), needs=[terms["Food"].id], outcode="CH2", services_shown=3),
         SelfServed(at=at(2026, 1, 12), needs=[], outcode=None, services_shown=0),
         SelfServed(at=at(2026, 3), needs=[terms["Family"].id], outcode="CW1", services_shown=1)]
    )  # fmt: skip
    food, parenting = terms["Food"].id, terms["Parenting support"].id
    session.add_all(
        [SearchLog(at=at(2026, 1), query="food bank", outcode="CH2", needs=[food], results=3,
                   zero_results=False, channel="site"),
         SearchLog(at=at(2026, 1), query="food bank", outcode="CW9", needs=[food], results=0,
                   zero_results=True, channel="guided"),
         SearchLog(at=at(2026, 2), query="zebra grooming", outcode=None, needs=[], results=0,
                   zero_results=True, channel="api"),
         SearchLog(at=at(2026, 2), query="zebra grooming", outcode="CH2", needs=[], results=0,
                   zero_results=True, channel="site"),
         SearchLog(at=at(2026, 3), query="", outcode="CW9", needs=[parenting], results=0,
                   zero_results=True, channel="ask")]
    )  # fmt: skip
    session.commit()
    invalidate()
    return world


def add_insight_rows(session: Session) -> None:
    """A few searches and self-served visits, so the insights page in the browser sweep has
    charts and tables to check (tests/browser/private_site.py)."""
    session.add_all(
        [SearchLog(at=at(2026, m), query=q, outcode=oc, needs=[], results=n,
                   zero_results=n == 0, channel=c)
         for m, q, oc, n, c in ((1, "food bank", "CH1", 4, "site"), (2, "warm space", "CH2", 0,
                                "guided"), (2, "a very long search about help with heating "
                                "bills and a warm place to go in the day", None, 0, "api"))]
        + [SelfServed(at=at(2026, 2), needs=[], outcode="CH2", services_shown=2)]
    )  # fmt: skip
    session.commit()


@pytest.fixture
def world_app(app: Flask, gazetteer_path: str) -> Flask:
    app.config["GAZETTEER_PATH"] = gazetteer_path
    return app


@pytest.fixture
def world(world_app: Flask) -> World:
    with world_app.app_context():
        from directory.db import db

        return build_world(db.session)
