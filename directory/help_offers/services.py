"""Offers of help: making one from a finished /offer-help journey, and the offers matching
may use. Plain functions, callable without a request; none commits (the caller's unit of work
does).

The one rule that matters most: **an offer is used only when it is ACTIVE**. A volunteer's
offer (and an organisation's made without signing in) waits in PENDING_CHECK until staff
check it (:mod:`directory.help_offers.staff`). An organisation member's offer linked to one
of their own organisation's live listings is ACTIVE at once: the listing has already been
through moderation and the member is accountable for it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.accounts.policy import organization_ids
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.listings.models import Service
from directory.listings.visibility import public_clause
from search_index.api import MAX_RADIUS_KM  # noqa: F401  (an offer reaches as far as a search)

#: References are what people quote on the phone: no 0/O, 1/I/L or U, so nothing is misheard
#: or misread ("OFF-7KQ3-9P"). 30**6 (729 million) of them; a clash is retried.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "OFF"

#: Availability: weekday by part of day. A slot is "mon-am"; an empty list means any time.
DAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
PARTS = (("am", "Morning"), ("pm", "Afternoon"), ("eve", "Evening"))
SLOTS = tuple(f"{day}-{part}" for day, _ in DAYS for part, _ in PARTS)

MAX_CAPACITY = 500


class OfferError(ValueError):
    """An offer cannot be made or changed like this; the message says why, for people."""


@dataclass
class OfferAnswers:
    """Everything the journey asks, checked by the forms; :func:`create_offer` checks again
    what the data needs (a caller outside the journey, such as a test or an import, gets a
    clear :class:`OfferError` rather than a half-made offer)."""

    kind: OfferKind
    needs: list[str]
    description: str
    name: str
    consent: bool
    service_id: str | None = None
    organisation_name: str | None = None
    postcode: str | None = None
    outcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    areas: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)  # empty: any time
    capacity: int | None = None
    phone: str | None = None
    email: str | None = None

    @classmethod
    def from_draft(cls, answers: dict[str, Any]) -> OfferAnswers:
        """The answers a draft holds (see :mod:`directory.help_offers.journey`)."""
        service_id = answers.get("listing")
        return cls(
            kind=OfferKind(answers.get("kind", OfferKind.VOLUNTEER)),
            needs=list(answers.get("needs") or []),
            description=answers.get("description") or "",
            name=answers.get("name") or "",
            consent=bool(answers.get("consent")),
            service_id=service_id if service_id and service_id != "none" else None,
            organisation_name=answers.get("organisation_name") or None,
            postcode=answers.get("postcode") or None,
            outcode=answers.get("outcode") or None,
            latitude=answers.get("latitude"),
            longitude=answers.get("longitude"),
            radius_km=answers.get("radius_km"),
            areas=list(answers.get("area_codes") or []) + list(answers.get("places") or []),
            availability=[] if answers.get("any_time") else list(answers.get("availability") or []),
            capacity=answers.get("capacity"),
            phone=answers.get("phone") or None,
            email=answers.get("email") or None,
        )


def new_reference(session: Session | None = None) -> str:
    """A fresh reference like ``OFF-7KQ3-9P``, unused in ``session``'s database if given."""
    for _ in range(20):
        chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"
        if session is None or not session.scalar(
            select(HelpOffer.id).where(HelpOffer.reference == reference)
        ):
            return reference
    raise RuntimeError("could not find an unused offer reference")  # 1 in 10**170


def member_listings(session: Session, user: Any) -> list[Service]:
    """The live (public) listings of the organisations ``user`` is a member of, by name: the
    listings an organisation's offer may link to. Empty for anonymous visitors."""
    org_ids = organization_ids(user)
    if not org_ids:
        return []
    query = (
        select(Service)
        .where(Service.organization_id.in_(sorted(org_ids)), public_clause())
        .order_by(Service.name, Service.id)
    )
    return list(session.scalars(query))


def _check(answers: OfferAnswers) -> None:
    if not answers.consent:
        raise OfferError("Confirm that we may keep and use these details")
    if not answers.needs:
        raise OfferError("Select at least one thing you can help with")
    if not answers.description.strip():
        raise OfferError("Describe the help you can give")
    if not ((answers.postcode and answers.radius_km) or answers.areas):
        raise OfferError("Say where you can help: a postcode and distance, or areas")
    if not answers.name.strip():
        raise OfferError("Enter your name")
    if not (answers.phone or answers.email):
        raise OfferError("Enter a phone number or an email address")
    unknown = set(answers.availability) - set(SLOTS)
    if unknown:
        raise OfferError("Select the times you are available from the list")
    if answers.capacity is not None and not 1 <= answers.capacity <= MAX_CAPACITY:
        raise OfferError(f"Enter how many people as a number from 1 to {MAX_CAPACITY}")


def create_offer(session: Session, answers: OfferAnswers, user: Any = None) -> HelpOffer:
    """Make the offer from finished answers and add it to ``session``.

    An organisation's offer linked to ``service_id`` must name a live listing of one of
    ``user``'s own organisations (another organisation's listing is refused, whatever the
    form said); it is then ACTIVE. Every other offer is PENDING_CHECK.
    """
    _check(answers)
    status = OfferStatus.PENDING_CHECK
    organization_id = service_id = None
    if answers.kind == OfferKind.ORGANISATION and answers.service_id:
        allowed = {s.id: s for s in member_listings(session, user)}
        service = allowed.get(answers.service_id)
        if service is None:
            raise OfferError("Choose one of your own organisation's listings")
        status = OfferStatus.ACTIVE
        organization_id, service_id = service.organization_id, service.id
    extra: dict[str, Any] = {}
    if answers.organisation_name and not service_id:
        extra["organisation_name"] = answers.organisation_name
    offer = HelpOffer(
        reference=new_reference(session),
        source="web",
        kind=answers.kind,
        status=status,
        needs=list(dict.fromkeys(answers.needs)),
        description=answers.description.strip(),
        organization_id=organization_id,
        service_id=service_id,
        postcode=answers.postcode,
        outcode=answers.outcode,
        latitude=answers.latitude,
        longitude=answers.longitude,
        radius_km=answers.radius_km,
        areas=list(dict.fromkeys(answers.areas)),
        availability=[slot for slot in SLOTS if slot in set(answers.availability)],
        capacity=answers.capacity,
        in_use=0,
        name=answers.name.strip(),
        phone=answers.phone,
        email=answers.email,
        extra=extra,
    )
    session.add(offer)
    session.flush()
    return offer


def has_room(offer: HelpOffer) -> bool:
    """Whether the offer can take one more person (no capacity given: always)."""
    return offer.capacity is None or (offer.in_use or 0) < offer.capacity


def active_offers(session: Session) -> list[HelpOffer]:
    """The offers matching may use, oldest first: **the matcher (issue 13 scope 3) takes its
    candidate offers from here and nowhere else.**

    Only ACTIVE offers, so a volunteer's offer is never matched before staff have checked it,
    and a paused, closed or rejected one never is; and only those with room (``in_use`` below
    ``capacity``, or no capacity given), so nobody is matched to a full offer.
    """
    query = (
        select(HelpOffer)
        .where(
            HelpOffer.status == OfferStatus.ACTIVE,
            or_(HelpOffer.capacity.is_(None), HelpOffer.in_use < HelpOffer.capacity),
        )
        .order_by(HelpOffer.created_at, HelpOffer.id)
    )
    return list(session.scalars(query))
