"""Finding a place already in the directory (a community hub, a Let's Talk site, a venue) by
its name or postcode, so a new listing links to the same place rather than typing it again.

Imports give each feed's copy of a venue its own row, so results are folded by name and
postcode and the hubs and Let's Talk sites come first: they are the places the council runs
and wants listings to use.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from directory.places.models import Address, Location, LocationKind
from directory.places.postcodes import normalise_outcode, normalise_postcode

MAX_RESULTS = 20
MAX_QUERY = 100
KIND_WORDS = {
    LocationKind.COMMUNITY_HUB: "Community hub",
    LocationKind.LETS_TALK: "Let's Talk site",
    LocationKind.VENUE: "Venue",
}
_ORDER = {LocationKind.COMMUNITY_HUB: 0, LocationKind.LETS_TALK: 1, LocationKind.VENUE: 2}


@dataclass(frozen=True)
class PlaceOption:
    id: str
    name: str
    address: str
    kind: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.address}" if self.address else self.name


def address_line(location: Location) -> str:
    for address in location.addresses:
        parts = [address.address_1, address.address_2, address.city, address.postal_code]
        words = [p.strip() for p in parts if p and p.strip()]
        name = (location.name or "").strip()
        if name and words and words[0].startswith(name):
            words[0] = words[0][len(name) :].lstrip(" ,")
        words = [w for w in words if w and w != name]
        if words:
            return ", ".join(dict.fromkeys(words))
    return ""


def option(location: Location) -> PlaceOption:
    return PlaceOption(
        location.id,
        location.name or "Unnamed place",
        address_line(location),
        KIND_WORDS.get(location.kind, "Venue"),
    )


def search_places(session: Session, text: str) -> list[PlaceOption]:
    """Places whose name has ``text`` in it, or at that postcode (or in that postcode
    district), hubs and Let's Talk sites first; at most :data:`MAX_RESULTS`."""
    text = " ".join((text or "").split())[:MAX_QUERY]
    if len(text) < 2:
        return []
    query = (
        select(Location)
        .outerjoin(Address, Address.location_id == Location.id)
        .where(Location.kind != LocationKind.VIRTUAL, Location.location_type != "virtual")
        .options(selectinload(Location.addresses))
    )
    postcode, outcode = normalise_postcode(text), normalise_outcode(text)
    if postcode:
        query = query.where(Address.postal_code == postcode)
    elif outcode:
        query = query.where(Address.postal_code.like(f"{outcode} %"))
    else:
        pattern = "%" + text.lower().replace("%", "").replace("_", "") + "%"
        query = query.where(
            or_(
                func.lower(Location.name).like(pattern), func.lower(Address.address_1).like(pattern)
            )
        )
    found = session.scalars(query.limit(MAX_RESULTS * 10)).unique().all()
    found = sorted(found, key=lambda loc: (_ORDER.get(loc.kind, 3), (loc.name or "").lower()))
    seen: set[tuple[str, str]] = set()
    out: list[PlaceOption] = []
    for location in found:
        key = ((location.name or "").lower(), (location.postcode or "").upper())
        if key in seen:
            continue
        seen.add(key)
        out.append(option(location))
        if len(out) >= MAX_RESULTS:
            break
    return out


def get_place(session: Session, location_id: str | None) -> PlaceOption | None:
    location = session.get(Location, location_id) if location_id else None
    if location is None or location.kind == LocationKind.VIRTUAL:
        return None
    return option(location)
