"""Where the person is and whether an offer reaches them.

A request is placed by its stored coordinates, else its postcode, else its outcode (the
offline gazetteer); the local authorities holding that point decide area coverage. An offer
reaches the person when they are within its radius of its own point, or inside one of its
areas: an ONS authority code ("E06000050"), an outcode ("CH2"), an authority's name
("Cheshire West and Chester") or a town or village name (within ``TOWN_RADIUS_KM`` of its
centre). An offer that says nowhere reaches nobody: staff cannot promise help it may not give.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any

from directory.matching import weights
from directory.places.names import fold_name
from directory.places.postcodes import normalise_outcode, normalise_postcode

log = logging.getLogger(__name__)
_ONS_CODE = re.compile(r"^[A-Z][0-9]{8}$")
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Spot:
    """The person's whereabouts: a point, the authority codes around it, its outcode and a
    name staff recognise ("CH2" or "Chester")."""

    latitude: float
    longitude: float
    codes: frozenset[str]
    outcode: str | None
    area_names: frozenset[str]
    #: What to give the search engine as the place: the postcode or outcode the gazetteer
    #: found (empty when only stored coordinates placed the person).
    search_place: str = ""


@dataclass(frozen=True)
class Reach:
    """How an offer reaches the person: ``distance_km`` from its point, or ``area`` (the area
    name that holds them), or neither when the request has no place to compare."""

    distance_km: float | None = None
    area: str | None = None
    radius_km: float | None = None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine): within 0.5% of the geodesic at these distances."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def gazetteer_or_none() -> Any:
    """The offline gazetteer, or None (logged) when it is not built: matching still works on
    stored coordinates and codes."""
    from directory.places.gazetteer import GazetteerError, get_gazetteer

    try:
        return get_gazetteer()
    except GazetteerError:
        log.warning("matching: no gazetteer, so postcodes without coordinates are not placed")
        return None


def _valid(lat: Any, lon: Any) -> bool:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat + lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _place_of(gazetteer: Any, postcode: str | None, outcode: str | None) -> Any:
    if gazetteer is None:
        return None
    if postcode:
        place = gazetteer.postcode(postcode)
        if place is not None:
            return place
    return gazetteer.outcode(outcode) if outcode else None


def _outcode(postcode: str | None, outcode: str | None) -> str | None:
    found = normalise_outcode(outcode) if outcode else None
    if found is None and postcode:
        full = normalise_postcode(postcode)
        found = full.split()[0] if full else None
    return found


def request_spot(request: Any, gazetteer: Any) -> Spot | None:
    """Where the person asking is, or None when the request has no place we can find."""
    place = _place_of(gazetteer, request.postcode, request.outcode)
    if _valid(request.latitude, request.longitude):
        point = (float(request.latitude), float(request.longitude))
    elif place is not None:
        point = place.point
    else:
        return None
    codes: set[str] = set()
    names: set[str] = set()
    if place is not None and gazetteer is not None:
        codes = set(gazetteer.authorities_containing(place))
        for code in codes:
            authority = gazetteer.local_authority(code)
            if authority is not None:
                names |= {fold_name(authority.name), fold_name(authority.upper_tier_name)}
    return Spot(
        point[0],
        point[1],
        frozenset(codes),
        _outcode(request.postcode, request.outcode),
        frozenset(names),
        place.name if place is not None else "",
    )


def _offer_point(offer: Any, gazetteer: Any) -> tuple[float, float] | None:
    if _valid(offer.latitude, offer.longitude):
        return (float(offer.latitude), float(offer.longitude))
    place = _place_of(gazetteer, offer.postcode, offer.outcode)
    return place.point if place is not None else None


def _area_reach(area: str, spot: Spot, gazetteer: Any) -> Reach | None:
    text = str(area).strip()[:100]
    if not text:
        return None
    if _ONS_CODE.match(text.upper()):
        if text.upper() not in spot.codes:
            return None
        authority = gazetteer.local_authority(text) if gazetteer is not None else None
        return Reach(area=authority.name if authority else text.upper())
    outcode = normalise_outcode(text) if len(text) <= 4 else None
    if outcode:
        return Reach(area=outcode) if outcode == spot.outcode else None
    if fold_name(text) in spot.area_names:
        return Reach(area=text)
    if gazetteer is None:
        return None
    for town in gazetteer.town(text, near=(spot.latitude, spot.longitude))[:1]:
        if distance_km(town.point, (spot.latitude, spot.longitude)) <= weights.TOWN_RADIUS_KM:
            return Reach(area=town.name)
    return None


def offer_reach(offer: Any, spot: Spot | None, gazetteer: Any) -> Reach | None:
    """How ``offer`` reaches the person at ``spot``, or None when it does not.

    With no ``spot`` every offer that says where it works is kept, unplaced (staff judge)."""
    areas = [a for a in (offer.areas or []) if isinstance(a, str) and a.strip()]
    point = _offer_point(offer, gazetteer)
    radius = offer.radius_km
    if point is not None and not radius and not areas:
        radius = weights.OFFER_DEFAULT_RADIUS_KM
    if spot is None:
        return Reach() if (point is not None and radius) or areas else None
    if point is not None and radius and radius > 0:
        km = distance_km(point, (spot.latitude, spot.longitude))
        if km <= float(radius):
            return Reach(distance_km=km, radius_km=float(radius))
    for area in areas:
        reach = _area_reach(area, spot, gazetteer)
        if reach is not None:
            return reach
    return None
