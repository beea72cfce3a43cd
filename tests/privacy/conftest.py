"""Help requests and offers with personal data in every personal column, made as rows (the
ask-for-help and offer-help pages are other parts' work; the privacy rules apply to the rows
whoever wrote them). Each person's values are distinct strings, so a test can look for them
anywhere: in table columns, in the database file's bytes, in logs, in API answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask, g
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import (
    ContactAttempt,
    HelpRequest,
    Outcome,
    RequestStatus,
)


@pytest.fixture
def one_user_per_request(app: Flask) -> None:
    """The ``session`` fixture keeps one app context open for the whole test and Flask reuses it
    for the test client's requests, so Flask-Login's cached user (``g._login_user``) would
    outlive a request: forget it at each request, as a real server's fresh context does."""

    @app.before_request
    def _forget_user() -> None:
        g.pop("_login_user", None)


@dataclass(frozen=True)
class Person:
    """One resident's details, each unique enough to find in a byte dump."""

    key: str
    name: str
    email: str
    phone: str
    postcode: str
    details: str
    contact_times: str
    note: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.name, self.email, self.phone, self.postcode, self.details,
                self.contact_times, self.note)  # fmt: skip


def person(key: str, number: int = 1) -> Person:
    """``person("quill")``: Quillon Marchbank, quillon.k@example.net, 07700 901001 (number 1)"""
    tag = key.capitalize()
    return Person(
        key=key,
        name=f"{tag}on Marchbank-{key}",
        email=f"{key}.k{number}@example.net",
        phone=f"07700 9{number:02d}{number:03d}",
        postcode=f"CH{number % 9 + 1} 4ZZ".replace("ZZ", key[:2].upper()),
        details=f"My neighbour {tag}ella usually fetches my prescriptions ({key} words)",
        contact_times=f"Weekday mornings before ten ({key} times)",
        note=f"Left a voicemail for {tag}on about the shopping ({key} note)",
    )


def make_request(
    session: Session,
    who: Person,
    reference: str,
    *,
    status: RequestStatus = RequestStatus.CLOSED,
    closed_days_ago: int | None = 200,
    created_days_ago: int = 220,
    outcome: Outcome | None = Outcome.MATCHED,
    needs: tuple[str, ...] = ("need-food",),
    extra: dict | None = None,
) -> HelpRequest:
    now = utcnow()
    request = HelpRequest(
        reference=reference,
        created_at=now - timedelta(days=created_days_ago),
        needs=list(needs),
        details=who.details,
        postcode=who.postcode,
        outcode=who.postcode.split()[0],
        latitude=53.2,
        longitude=-2.9,
        name=who.name,
        phone=who.phone,
        email=who.email,
        contact_by="phone",
        contact_times=who.contact_times,
        consent_at=now - timedelta(days=created_days_ago),
        status=status,
        outcome=outcome if status == RequestStatus.CLOSED else None,
        closed_at=(
            now - timedelta(days=closed_days_ago)
            if status == RequestStatus.CLOSED and closed_days_ago is not None
            else None
        ),
        extra=extra
        if extra is not None
        else {"imported_column": who.name, "services_shown": 3, "here2help": {"by": who.name}},
    )
    request.attempts.append(
        ContactAttempt(
            at=now - timedelta(days=created_days_ago - 1),
            method="phone",
            succeeded=True,
            note=who.note,
        )
    )
    session.add(request)
    session.flush()
    return request


def make_offer(
    session: Session,
    who: Person,
    reference: str,
    *,
    kind: OfferKind = OfferKind.VOLUNTEER,
    status: OfferStatus = OfferStatus.CLOSED,
    updated_days_ago: int = 200,
) -> HelpOffer:
    then = utcnow() - timedelta(days=updated_days_ago)
    offer = HelpOffer(
        reference=reference,
        created_at=then - timedelta(days=30),
        kind=kind,
        status=status,
        needs=["need-shopping"],
        description=who.details,
        postcode=who.postcode,
        outcode=who.postcode.split()[0],
        latitude=53.2,
        longitude=-2.9,
        radius_km=3.0,
        capacity=2,
        name=who.name,
        phone=who.phone,
        email=who.email,
        extra={"note": who.note},
    )
    session.add(offer)
    session.flush()
    # ``updated_at`` is set on every write: put it back to when the offer last changed.
    offer.updated_at = then
    session.flush()
    return offer


#: The person the browser tests find, export and erase (tests/browser/private_site.py).
BROWSER_PERSON = person("bramble", 7)


def add_privacy_rows(session: Session, admin_id: str) -> None:
    """For the browser tests: a closed request and a volunteer's offer of one person, and an
    access log entry, so the privacy pages have something to show."""
    from directory.privacy.services import log_access

    request = make_request(session, BROWSER_PERSON, "H2H-BRAM01", closed_days_ago=10)
    make_offer(session, BROWSER_PERSON, "OFF-BRAM01", status=OfferStatus.ACTIVE)
    log_access(session, admin_id, "help_request", request.id, "view")
    session.commit()
