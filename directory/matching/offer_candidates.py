"""Offers as candidates: ACTIVE, with a place free, offering something asked for, and reaching
the person (their radius or their areas). A volunteer's name is personal data, so an offer
from a volunteer is named by its reference."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_offers.services import active_offers
from directory.help_requests.models import HelpRequest, Urgency
from directory.listings.models import Service
from directory.matching import slots, weights, wording
from directory.matching.candidate import Candidate, freshness_part, place_part, score
from directory.matching.where import Reach, Spot, offer_reach
from directory.public.search_params import TermIndex


def _active_offers(session: Session) -> list[HelpOffer]:
    """The offers package's ACTIVE offers with a place free (``active_offers``, the one rule);
    filtered again here, so a paused, unchecked or full offer can never slip through."""
    return [o for o in active_offers(session) if o.status == OfferStatus.ACTIVE and _spare(o) != 0]


def _spare(offer: HelpOffer) -> int | None:
    if offer.capacity is None:
        return None
    return max(0, int(offer.capacity) - int(offer.in_use or 0))


def _need_cover(
    needs: list[str], offered: set[str], terms: TermIndex
) -> tuple[float, list[str], list[str], list[str]]:
    """(share, labels of offered terms covering a need, broader labels, missing labels)."""
    covered: list[str] = []
    broader: list[str] = []
    missing: list[str] = []
    points = 0.0
    for need in needs:
        under = [o for o in offered if o == need or need in terms.ancestors(o)]
        over = [o for o in offered if o in terms.ancestors(need)]
        if under:
            points += 1.0
            covered += [terms.label(o) for o in sorted(under, key=terms.label)]
        elif over:
            points += weights.BROADER_NEED
            broader += [terms.label(o) for o in over]
        else:
            missing.append(terms.label(need))
    return (points / len(needs) if needs else 0.0), covered, broader, missing


def _availability(offer: HelpOffer, request: HelpRequest, today: date) -> tuple[float, str]:
    offered = slots.parse_slots(offer.availability or [])
    wanted = slots.slots_from_text(request.contact_times)
    when = slots.describe(offered)
    if not offered:
        part, reason = weights.AVAILABLE, "Available any time"
    elif wanted is None:
        part, reason = weights.AVAILABILITY_UNKNOWN, f"Available {when}"
    elif offered & wanted:
        part, reason = weights.AVAILABLE, f"Available {when}"
    else:
        part = weights.NOT_AVAILABLE
        reason = f"Available {when}, not when asked ({slots.describe(wanted)})"
    if request.urgency == Urgency.TODAY and not slots.soon(offered, today.weekday()):
        part *= weights.NOT_SOON_FACTOR
        reason += "; not today or tomorrow"
    return part, reason


def _listing_names(session: Session, offers: list[HelpOffer]) -> dict[str, str]:
    """The names of the listings organisations' offers are linked to, by service id."""
    ids = {o.service_id for o in offers if o.service_id and o.kind != OfferKind.VOLUNTEER}
    if not ids:
        return {}
    return dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all())


def _offer_name(offer: HelpOffer, listings: dict[str, str]) -> tuple[str, str]:
    """A volunteer's name is personal data: the list names the offer by its reference. An
    organisation's offer is named by its listing, else the organisation's name as given on
    /offer-help; ``name`` there is the contact person's, so it comes last (an import puts the
    organisation's name in it)."""
    if offer.kind == OfferKind.VOLUNTEER:
        return f"Volunteer offer {offer.reference}", "Volunteer"
    extra = offer.extra if isinstance(offer.extra, dict) else {}
    name = (
        listings.get(offer.service_id or "")
        or extra.get("organisation_name")
        or offer.name
        or f"Offer {offer.reference}"
    )
    return str(name), "Organisation"


def offer_candidates(
    session: Session,
    request: HelpRequest,
    needs: list[str],
    spot: Spot | None,
    gazetteer: Any,
    terms: TermIndex,
    today: date,
) -> list[Candidate]:
    found = []
    offers = _active_offers(session)
    listings = _listing_names(session, offers)
    for offer in offers:
        share, covered, broader, missing = _need_cover(needs, set(offer.needs or []), terms)
        if needs and share == 0:
            continue
        reach: Reach | None = offer_reach(offer, spot, gazetteer)
        if reach is None:
            continue
        reasons = [wording.needs_reason("Offers", covered, missing, broader)] if needs else []
        if reach.distance_km is not None:
            reasons.append(
                f"{wording.distance_text(reach.distance_km)} (goes up to {reach.radius_km:g} km)"
            )
        elif reach.area:
            reasons.append(f"Covers {reach.area}")
        spare = _spare(offer)
        available, when = _availability(offer, request, today)
        reasons += [wording.places_text(spare), when]
        updated = offer.updated_at.date() if offer.updated_at else None
        reasons.append(f"Updated {wording.ago(updated, today)}")
        parts = {
            "need": share,
            "place": place_part(reach.distance_km, reach.area is not None, spot),
            "capacity": 1.0 if spare is None else min(1.0, spare / weights.FULL_CAPACITY_AT),
            "availability": available,
            "freshness": freshness_part(updated, today),
        }
        name, detail = _offer_name(offer, listings)
        found.append(
            Candidate(
                "offer", offer.id, name, detail, score(parts), parts, tuple(reasons),
                reach.distance_km, offer.reference,
            )
        )  # fmt: skip
    return found
