"""A small fixed world for matching: the test taxonomy (a need with a child and a grandchild),
listings and offers at known places in Cheshire West and Chester (real postcodes with their
ONSPD centroids, ``tests.factories.PLACES``), and staff to work the console.

``offer(...)`` and ``help_request(...)`` build one record with plain defaults; every keyword
overrides a column. Places are keys of ``PLACES`` ("chester", "hoole", "northwich"...), so a
test reads as a map: "a food offer in Hoole, 5 km radius".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from directory.accounts.models import StaffRole, User
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import HelpRequest, RequestStatus, Urgency
from tests.auth import create_user
from tests.factories import PLACES, make_taxonomy

_numbers = itertools.count(1)


def _postcode(place: str | None) -> dict[str, Any]:
    if place is None:
        return {}
    venue = PLACES[place]
    return {
        "postcode": venue.postcode,
        "outcode": venue.postcode.split()[0],
        "latitude": venue.latitude,
        "longitude": venue.longitude,
    }


def make_offer(
    session: Session,
    needs: tuple[str, ...] = ("Food",),
    place: str | None = "chester",
    **overrides: Any,
) -> HelpOffer:
    """An ACTIVE organisation offer of ``needs`` (term names) round ``place`` (5 km radius),
    any time, no limit on numbers."""
    terms = make_taxonomy(session)
    number = next(_numbers)
    values: dict[str, Any] = {
        "reference": f"OFF-T{number:04d}",
        "kind": OfferKind.ORGANISATION,
        "status": OfferStatus.ACTIVE,
        "name": f"Helping Hands {number}",
        "needs": [terms[n].id for n in needs],
        "radius_km": 5.0 if place else None,
        **_postcode(place),
    }
    values.update(overrides)
    offer = HelpOffer(**values)
    session.add(offer)
    session.flush()
    return offer


def make_request(
    session: Session,
    needs: tuple[str, ...] = ("Food",),
    place: str | None = "chester",
    **overrides: Any,
) -> HelpRequest:
    """An open request for ``needs`` (term names) from ``place``, with made-up contact
    details (Ofcom drama numbers, example.net)."""
    terms = make_taxonomy(session)
    number = next(_numbers)
    values: dict[str, Any] = {
        "reference": f"REQ-T{number:04d}",
        "needs": [terms[n].id for n in needs],
        "urgency": Urgency.THIS_WEEK,
        "status": RequestStatus.OPEN,
        "name": f"Pat Example {number}",
        "phone": "07700 900123",
        "email": f"pat{number}@example.net",
        "contact_by": "phone",
        "contact_times": "Weekday mornings",
        "details": "I need help with shopping since my operation.",
        "consent_at": datetime(2026, 1, 5, tzinfo=UTC),
        **_postcode(place),
    }
    values.update(overrides)
    request = HelpRequest(**values)
    session.add(request)
    session.flush()
    return request


@pytest.fixture
def offer(session: Session) -> Callable[..., HelpOffer]:
    return lambda *args, **kwargs: make_offer(session, *args, **kwargs)


@pytest.fixture
def help_request(session: Session) -> Callable[..., HelpRequest]:
    return lambda *args, **kwargs: make_request(session, *args, **kwargs)


@pytest.fixture
def moderator(session: Session) -> User:
    return create_user(
        session, "mo@council.example.org", staff_role=StaffRole.MODERATOR, name="Mo Derator"
    )


@pytest.fixture
def colleague(session: Session) -> User:
    return create_user(
        session, "cal@council.example.org", staff_role=StaffRole.MODERATOR, name="Cal League"
    )


def add_matching_pages(session: Session, site: Any) -> None:
    """The console's pages for the browser and axe sweep (tests/browser/private_site.py): an
    old open request with a contact attempt and candidates (an offer and listings near
    Blacon), and a closed one. Adds the rows, commits, and names the pages in ``site.pages``."""
    from directory.help_requests.models import ContactAttempt, Outcome

    staff = session.query(User).filter(User.staff_role == StaffRole.MODERATOR).first()
    make_offer(session, ("Food",), "blacon", name="Blacon Shopping Buddies", capacity=3)
    waiting = make_request(
        session,
        ("Food", "Befriending"),
        "blacon",
        created_at=datetime.now(UTC) - timedelta(days=12),
        urgency=Urgency.TODAY,
    )
    waiting.attempts.append(
        ContactAttempt(method="phone", succeeded=False, note="Left a voicemail", by=staff.id)
    )
    closed = make_request(
        session,
        ("Food",),
        "hoole",
        status=RequestStatus.CLOSED,
        outcome=Outcome.NO_MATCH,
        closed_at=datetime.now(UTC),
    )
    session.commit()
    site.pages.update(
        {
            "matching_list": ("moderator", "/staff/requests/"),
            "matching_request": ("moderator", f"/staff/requests/{waiting.id}"),
            "matching_closed": ("moderator", f"/staff/requests/{closed.id}"),
        }
    )
