"""Read every listing's name, contacts and postcodes, and find the pairs worth comparing.

Comparing every pair is 5 x 10^9 comparisons at 100,000 services, so pairs come from blocks:
listings that share a postcode, a phone, an email, a website, an organisation (by id or by
name) or a name key. A block too big to compare pair by pair (a council switchboard on 2,000
listings) is only compared within the same name key. A name key shared by many listings
("lunch club") is a generic name, not a sign of a duplicate, and makes no block on its own.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.duplicates.contacts import (
    email_key,
    phone_digits,
    postcode_key,
    site_key,
)
from directory.listings.duplicates.names import name_key, name_words, words
from directory.listings.duplicates.rules import COMMON_NAME, Listing
from directory.listings.models import Contact, ListingStatus, Organization, Phone, Service
from directory.places.models import Address, ServiceAtLocation

#: Listings in these states can be shown or published; closed and retired ones are history.
LIVE_STATUSES = (ListingStatus.ACTIVE, ListingStatus.PENDING, ListingStatus.DRAFT)
#: Blocks larger than this are compared only within a name key.
MAX_BLOCK = 200
#: A name key on more listings than this makes no block of its own (see ``rules.COMMON_NAME``).
MAX_NAME_BLOCK = COMMON_NAME
#: A phone, email or website given by more organisations than this is a shared front door.
MAX_CONTACT_OWNERS = 3
_CHUNK = 500
#: Town words shorter than this ("on" in "Stockton-on-Tees") are not place words.
_MIN_PLACE_WORD = 3


@contextmanager
def bulk_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while a few hundred thousand small objects are made.

    Nothing made here forms reference cycles, but each allocation burst triggers full
    collections that walk every object made so far: at 100,000 listings they took a third of
    the loading and blocking time. The previous state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _rows(session: Session, query, column, ids: list[str] | None) -> Iterable:  # type: ignore[no-untyped-def]
    if ids is None:
        yield from session.execute(query)
        return
    for chunk in _chunks(ids):
        yield from session.execute(query.where(column.in_(chunk)))


def load_listings(session: Session, ids: Iterable[str] | None = None) -> dict[str, Listing]:
    """Every live listing (or those of ``ids`` that are live), keyed by service id.

    Four plain column queries, not ORM objects: at 100,000 services this is the slow part of a
    scan, and loading whole services with their nested rows would be ten times slower.
    """
    wanted = None if ids is None else sorted(set(ids))
    services = (
        select(
            Service.id,
            Service.name,
            Service.organization_id,
            Organization.name,
            Service.url,
            Service.email,
        )
        .outerjoin(Organization, Organization.id == Service.organization_id)
        .where(Service.listing_status.in_(LIVE_STATUSES))
    )
    found: dict[str, Listing] = {}
    org_words_of: dict[str | None, tuple[str, ...]] = {}
    for sid, name, org_id, org_name, url, email in _rows(session, services, Service.id, wanted):
        org_words = org_words_of.get(org_id)
        if org_words is None or org_id is None:
            org_words = org_words_of[org_id] = name_words(org_name)
        listing = Listing(
            id=sid,
            name=name or "",
            words=name_words(name),
            organization_id=org_id,
            organization_name=org_name,
            organization_key=name_key(org_words) or None,
            qualifiers=set(org_words),
        )
        _add_site(listing, url)
        _add_email(listing, email)
        found[sid] = listing
    if not found:
        return found
    keys = None if wanted is None else list(found)
    contacts = select(Contact.service_id, Contact.email).where(Contact.email.is_not(None))
    for sid, email in _rows(session, contacts, Contact.service_id, keys):
        if sid in found:
            _add_email(found[sid], email)
    phones = select(Contact.service_id, Phone.number).join(Phone, Phone.contact_id == Contact.id)
    for sid, number in _rows(session, phones, Contact.service_id, keys):
        digits = phone_digits(number)
        if sid in found and digits:
            found[sid].phones.setdefault(digits, number.strip())
    places = select(ServiceAtLocation.service_id, Address.postal_code, Address.city).join(
        Address, Address.location_id == ServiceAtLocation.location_id
    )
    towns: set[str] = set()
    for sid, postcode, city in _rows(session, places, ServiceAtLocation.service_id, keys):
        town = _town_words(city)
        towns.update(town)
        if sid not in found:
            continue
        code = postcode_key(postcode)
        if code:
            found[sid].postcodes.add(code)
        found[sid].qualifiers.update(town)
    known_places = frozenset(w for w in towns if len(w) >= _MIN_PLACE_WORD)
    for listing in found.values():
        listing.places = known_places
    _drop_front_doors(found.values())
    names = Counter(listing.key for listing in found.values())
    for listing in found.values():
        listing.name_count = names[listing.key]
    return found


def _drop_front_doors(listings: Iterable[Listing]) -> None:
    """Forget contacts that more than a few organisations give: a council switchboard, a
    hub's number, a portal's home page. They are everyone's front door, not a sign that two
    listings are one service (within one organisation the organisation is the evidence)."""
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for listing in listings:
        owner = listing.organization_key or listing.organization_id or listing.id
        for kind, values in (("p", listing.phones), ("e", listing.emails), ("s", listing.sites)):
            for value in values:
                users[(kind, value)].add(owner)
    common = {key for key, owners in users.items() if len(owners) > MAX_CONTACT_OWNERS}
    if not common:
        return
    for listing in listings:
        for digits in [d for d in listing.phones if ("p", d) in common]:
            del listing.phones[digits]
        listing.emails -= {e for e in listing.emails if ("e", e) in common}
        listing.sites -= {s for s in listing.sites if ("s", s) in common}


@lru_cache(maxsize=10_000)
def _town_words(city: str | None) -> tuple[str, ...]:
    return words(city)


def _add_site(listing: Listing, url: str | None) -> None:
    key = site_key(url)
    if key:
        listing.sites.add(key)


def _add_email(listing: Listing, email: str | None) -> None:
    key = email_key(email)
    if key:
        listing.emails.add(key)


def block_keys(listing: Listing) -> set[tuple[str, str]]:
    """Every block a listing belongs to."""
    keys = {("postcode", p) for p in listing.postcodes}
    keys |= {("phone", p) for p in listing.phones}
    keys |= {("email", e) for e in listing.emails}
    keys |= {("site", s) for s in listing.sites}
    keys |= {("name", k) for k in listing.name_keys}
    if listing.organization_id:
        keys.add(("org", listing.organization_id))
    if listing.organization_key:
        keys.add(("org_name", listing.organization_key))
    return keys


class Blocks:
    """An index from block key to listing ids, for finding a listing's candidate pairs."""

    def __init__(self, listings: dict[str, Listing], only: Iterable[str] | None = None) -> None:
        """Index every listing; with ``only``, just the blocks those listings are in (an
        import's few hundred listings need not index all 100,000 listings' every key)."""
        self.listings = listings
        self.members: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.keys = {sid: block_keys(listing) for sid, listing in listings.items()}
        wanted = None if only is None else set().union(*(self.keys[sid] for sid in only))
        for sid, keys in self.keys.items():
            for key in keys if wanted is None else keys & wanted:
                self.members[key].append(sid)
        self._by_name: dict[tuple[str, str], dict[str, list[str]]] = {}

    def _within_name(self, key: tuple[str, str], name_keys: frozenset[str]) -> Iterator[str]:
        index = self._by_name.get(key)
        if index is None:
            index = defaultdict(list)
            for sid in self.members[key]:
                for nk in self.listings[sid].name_keys:
                    index[nk].append(sid)
            self._by_name[key] = index
        for nk in name_keys:
            yield from index.get(nk, ())

    def candidates(self, sid: str) -> set[str]:
        """The listings worth comparing with ``sid`` (not including itself)."""
        listing = self.listings[sid]
        found: set[str] = set()
        for key in self.keys[sid]:
            members = self.members[key]
            if len(members) < 2:
                continue
            if key[0] == "name":
                if len(members) <= MAX_NAME_BLOCK:
                    found.update(members)
            elif len(members) <= MAX_BLOCK:
                found.update(members)
            else:
                found.update(self._within_name(key, listing.name_keys))
        found.discard(sid)
        return found
