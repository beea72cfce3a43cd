""" "Is this you? Ask to manage it": listings an organisation may already have, and claims.

While registering, an organisation's answers are compared with the public listings: a similar
name (the duplicate finder's word comparison, :mod:`directory.listings.duplicates.names`), or
the same phone, email address, website or postcode (each reduced to one comparable spelling
by :mod:`directory.listings.duplicates.contacts`). A postcode alone is no evidence at a hub
that hosts thirty groups, so it counts only with a related name or where few listings share
it; a website on a platform many groups use (Facebook, a free site builder) counts only
when the whole address matches.

A claim asks a moderator to let the organisation manage the listing; staff decide it
(``directory/moderation``). Nothing here commits: the view's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from directory.listings.duplicates.contacts import email_key, phone_digits, site_key
from directory.listings.duplicates.names import compare_names, name_words
from directory.listings.duplicates.rules import RELATED, SIMILAR
from directory.listings.models import Contact, Organization, Phone, Service
from directory.listings.visibility import public_clause
from directory.moderation.models import Claim, ClaimState
from directory.places.models import Address, ServiceAtLocation
from directory.places.postcodes import normalise_postcode

#: Most listings offered at once: more is a search page, not "is this you?".
MAX_MATCHES = 5
#: A postcode shared by more public listings than this is a venue many groups use.
BUSY_POSTCODE = 3
#: Hosts many unrelated groups have pages on: only the whole address is evidence.
PLATFORM_HOSTS = frozenset(
    {
        "facebook.com",
        "m.facebook.com",
        "instagram.com",
        "twitter.com",
        "x.com",
        "linktr.ee",
        "sites.google.com",
        "wixsite.com",
        "wordpress.com",
        "eventbrite.co.uk",
        "eventbrite.com",
        "gov.uk",
        "nhs.uk",
        "justgiving.com",
    }
)
_CANDIDATES = 300


@dataclass
class Match:
    service: Service
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass
class Details:
    """What the organisation told us so far (any may be empty)."""

    name: str = ""
    organisation_name: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


def _host(key: str) -> str:
    return key.split("/", 1)[0]


def _add(found: dict[str, Match], service: Service, reason: str, score: float = 1.0) -> None:
    match = found.setdefault(service.id, Match(service))
    if reason not in match.reasons:
        match.reasons.append(reason)
        match.score += score


def _public(session: Session, query):  # type: ignore[no-untyped-def]
    return session.scalars(query.where(public_clause()).limit(_CANDIDATES)).unique()


def likely_matches(
    session: Session,
    details: Details,
    *,
    organization_id: str | None = None,
    exclude: set[str] | frozenset[str] = frozenset(),
) -> list[Match]:
    """Public listings that may be this organisation's, best first (at most
    :data:`MAX_MATCHES`), leaving out its own, those it has claimed and ``exclude``."""
    found: dict[str, Match] = {}
    _by_name(session, details.name, found, "a similar name")
    _by_organisation(session, details.organisation_name, found)
    if key := email_key(details.email):
        query = select(Service).where(
            or_(
                func.lower(Service.email) == key,
                Service.id.in_(select(Contact.service_id).where(func.lower(Contact.email) == key)),
                _of_organisations(func.lower(Organization.email) == key),
            )
        )
        for service in _public(session, query):
            _add(found, service, "the same email address")
    if digits := phone_digits(details.phone):
        stored = func.replace(func.replace(Phone.number, " ", ""), "-", "")
        query = select(Service).where(
            Service.id.in_(
                select(Contact.service_id)
                .join(Phone, Phone.contact_id == Contact.id)
                .where(stored == digits)
            )
        )
        for service in _public(session, query):
            _add(found, service, "the same phone number")
    if site := site_key(details.website):
        _by_website(session, site, found)
    if postcode := normalise_postcode(details.postcode or ""):
        _by_postcode(session, postcode, details, found)
    claimed = _claimed(session, organization_id) if organization_id else set()
    matches = [
        m
        for sid, m in found.items()
        if sid not in exclude
        and sid not in claimed
        and (organization_id is None or m.service.organization_id != organization_id)
    ]
    matches.sort(key=lambda m: (-m.score, m.service.name.lower()))
    return matches[:MAX_MATCHES]


def _of_organisations(condition):  # type: ignore[no-untyped-def]
    """Services of the organisations ``condition`` selects. A subquery, not a join: the
    public rule tests the organisation in a correlated subquery of its own."""
    return Service.organization_id.in_(select(Organization.id).where(condition))


def _like(words: tuple[str, ...]) -> str | None:
    """A LIKE pattern for the longest word of a name (the cheapest selective filter)."""
    longest = max(words, key=len)
    if len(longest) < 3:
        return None
    return f"%{longest.replace('%', '').replace('_', '')}%"


def _by_name(session: Session, name: str, found: dict[str, Match], reason: str) -> None:
    words = name_words(name)
    if not words:
        return
    pattern = _like(words)
    if pattern is None:
        return
    for service in _public(session, select(Service).where(func.lower(Service.name).like(pattern))):
        score = compare_names(words, name_words(service.name), floor=SIMILAR).score
        if score >= SIMILAR:
            _add(found, service, reason, 1.0 + score)


def _by_organisation(session: Session, name: str, found: dict[str, Match]) -> None:
    words = name_words(name)
    if not words:
        return
    pattern = _like(words)
    if pattern is None:
        return
    query = select(Service).where(_of_organisations(func.lower(Organization.name).like(pattern)))
    for service in _public(session, query):
        org_name = service.organization.name if service.organization else ""
        if compare_names(words, name_words(org_name), floor=SIMILAR).score >= SIMILAR:
            _add(found, service, "an organisation with a similar name", 1.5)


def _by_website(session: Session, site: str, found: dict[str, Match]) -> None:
    host = _host(site)
    pattern = f"%{host.replace('%', '').replace('_', '')}%"
    query = select(Service).where(
        or_(
            func.lower(Service.url).like(pattern),
            _of_organisations(func.lower(Organization.website).like(pattern)),
        )
    )
    platform = host in PLATFORM_HOSTS or any(host.endswith("." + p) for p in PLATFORM_HOSTS)
    for service in _public(session, query):
        org_site = service.organization.website if service.organization else None
        keys = {k for k in (site_key(service.url), site_key(org_site)) if k}
        if site in keys or (not platform and host in {_host(k) for k in keys}):
            _add(found, service, "the same website")


def _by_postcode(
    session: Session, postcode: str, details: Details, found: dict[str, Match]
) -> None:
    query = (
        select(Service)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Address, Address.location_id == ServiceAtLocation.location_id)
        .where(Address.postal_code == postcode)
    )
    services = list(_public(session, query))
    busy = len(services) > BUSY_POSTCODE
    words = name_words(details.name) or name_words(details.organisation_name)
    for service in services:
        related = bool(words) and (
            compare_names(words, name_words(service.name)).score >= RELATED
            or compare_names(
                words, name_words(service.organization.name if service.organization else "")
            ).score
            >= RELATED
        )
        if related or not busy:
            _add(found, service, "the same postcode", 0.5 if not related else 1.0)


def _claimed(session: Session, organization_id: str) -> set[str]:
    rows = session.scalars(
        select(Claim.service_id).where(
            Claim.organization_id == organization_id, Claim.state == ClaimState.OPEN
        )
    )
    return set(rows)


class ClaimRefused(ValueError):
    """The listing cannot be claimed by this organisation; the message says why."""


def claimable(session: Session, service_id: str, organization_id: str) -> Service:
    """The public listing ``service_id`` if this organisation may ask to manage it."""
    service = session.scalars(
        select(Service).where(Service.id == service_id, public_clause())
    ).first()
    if service is None:
        raise ClaimRefused("That listing is not in the directory.")
    if service.organization_id == organization_id:
        raise ClaimRefused("Your organisation already manages this listing.")
    return service


def open_claim(session: Session, service_id: str, organization_id: str) -> Claim | None:
    return session.scalars(
        select(Claim).where(
            Claim.service_id == service_id,
            Claim.organization_id == organization_id,
            Claim.state == ClaimState.OPEN,
        )
    ).first()


def make_claim(
    session: Session, service_id: str, organization_id: str, user_id: str | None, message: str
) -> Claim:
    """An open claim (or the organisation's open claim on that listing, if it has one)."""
    claimable(session, service_id, organization_id)
    existing = open_claim(session, service_id, organization_id)
    if existing is not None:
        return existing
    claim = Claim(
        service_id=service_id,
        organization_id=organization_id,
        user_id=user_id,
        message=message.strip()[:2000],
        state=ClaimState.OPEN,
    )
    session.add(claim)
    session.flush()
    return claim
