"""Where: place look-up, radius defaults, geo cells for the index and distances.

A radius search takes the band of latitude of its bounding box from the documents sorted by
latitude (made once per searcher from the coordinate columns), keeps those within the box's
longitudes, then only those really within the radius. (A venue document also carries coarse
grid-cell terms at three sizes, ``cell_terms``; searches no longer read them.) The distance
shown to people is geodesic (WGS84, Vincenty's formula); ranking and the radius test use a
flat-earth (equirectangular) distance, which differs from it by well under 0.5% within 80 km
and costs a few arithmetic operations per document.

Services offered without a venue (helplines, online, outreach) have "area" documents carrying
the ONS codes of the local authorities they cover; they are in scope when they cover the
searched place (its lower- and upper-tier authority, or ``NATIONAL``), unless the same service
already has a venue within the radius.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from directory.places.postcodes import normalise_outcode, normalise_postcode
from search_index import bitsets
from search_index.api import DEFAULT_RADIUS_KM, FALLBACK_RADIUS_KM, MAX_RADIUS_KM
from search_index.schema import COORD_SCALE, NATIONAL, NO_COORD

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer
    from directory.places.place import Place
    from search_index.view import IndexView


EARTH_RADIUS_KM = 6371.0088
#: Cell sizes in degrees (latitude, longitude): roughly 5.5 km, 22 km and 110 km square at
#: British latitudes, where a degree of longitude is about 0.62 of a degree of latitude.
CELL_LEVELS = ((0.05, 0.08), (0.2, 0.32), (1.0, 1.6))
MAX_CELLS = 16

_POSTCODE_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})(?![A-Za-z0-9])"
)
_OUTCODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)(?![A-Za-z0-9])")
_PLACE_AFTER = re.compile(r"\b(?:in|near|around|nr)\s+([A-Za-z][A-Za-z' .-]{1,40})$", re.I)


def cell_key(level: int, lat: float, lon: float) -> str:
    dlat, dlon = CELL_LEVELS[level]
    return f"{level}:{math.floor(lat / dlat)}:{math.floor(lon / dlon)}"


def cell_terms(lat: float, lon: float) -> list[str]:
    """The cell terms of a point, one per level, for a venue document's ``cell`` field."""
    return [cell_key(level, lat, lon) for level in range(len(CELL_LEVELS))]


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box that contains the circle around the point."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    coslat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * coslat)))
    return (lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def cells_for_radius(lat: float, lon: float, radius_km: float) -> list[str]:
    """The cells covering the box around a circle: the finest level needing <= MAX_CELLS."""
    south, west, north, east = bounding_box(lat, lon, radius_km)
    for level, (dlat, dlon) in enumerate(CELL_LEVELS):
        rows = range(math.floor(south / dlat), math.floor(north / dlat) + 1)
        cols = range(math.floor(west / dlon), math.floor(east / dlon) + 1)
        if len(rows) * len(cols) <= MAX_CELLS or level == len(CELL_LEVELS) - 1:
            return [f"{level}:{r}:{c}" for r in rows for c in cols]
    return []


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; used for the radius test and ranking."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


#: WGS84 ellipsoid: semi-major axis (km) and flattening.
_WGS84_A = 6378.137
_WGS84_F = 1 / 298.257223563
_WGS84_B = _WGS84_A * (1 - _WGS84_F)


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance shown to people (WGS84 ellipsoid), only for the hits on the page.

    Vincenty's inverse formula: agrees with geopy's geodesic (Karney's method) to well under
    a millimetre for anything but nearly antipodal points, where it may not converge and
    geopy answers instead. geopy took about 0.15 ms a hit, a fifth of a postcode search at
    10,000 services; this takes about 0.01 ms."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    f, a, b = _WGS84_F, _WGS84_A, _WGS84_B
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    for _ in range(100):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm * cos_2sm))
        )
        if abs(lam - previous) < 1e-12:
            break
    else:
        from geopy.distance import geodesic

        return float(geodesic((lat1, lon1), (lat2, lon2)).km)
    u_sq = cos2_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm * cos_2sm)
            )
        )
    )
    return b * big_a * (sigma - delta)


def radius_for(kind: str | None, requested: float | None, maximum: float = MAX_RADIUS_KM) -> float:
    """The radius to search: what was asked for (clamped to ``maximum``), else the default
    for the kind."""
    if requested is not None and math.isfinite(requested) and requested > 0:
        return min(float(requested), maximum)
    return DEFAULT_RADIUS_KM.get(kind or "", FALLBACK_RADIUS_KM)


@dataclass(slots=True)
class PlaceAnswer:
    """The place a search is about, or why there is none."""

    place: Place | None = None
    kind: str | None = None
    message: str | None = None
    alternatives: list[Place] = field(default_factory=list)
    area_codes: set[str] = field(default_factory=set)
    text: str = ""


def split_place_from_text(text: str) -> tuple[str, str, bool]:
    """Find a place written into the "what" box: ``"food bank CH65"`` -> ``("food bank",
    "CH65", True)``, ``"CH1 1AA"`` -> ``("", "CH1 1AA", True)``, ``"lunch club in Neston"``
    -> ``("lunch club", "Neston", False)``; ``(text, "", False)`` when there is none.

    Only a valid full postcode, a token shaped like an outcode, or a name after "in"/"near"
    counts, so ordinary words are never taken for places. The flag says it is a full
    postcode, which is a place even if the gazetteer does not know it; an outcode-shaped
    token ("B12") or a name only counts when the gazetteer knows it.
    """
    match = _POSTCODE_IN_TEXT.search(text)
    postcode = normalise_postcode(match.group(1) + match.group(2)) if match else None
    if match and postcode:
        rest = text[: match.start()] + " " + text[match.end() :]
        return " ".join(rest.split()), postcode, True
    for match in _OUTCODE_IN_TEXT.finditer(text):
        token = match.group(1)
        outcode = normalise_outcode(token) if any(ch.isdigit() for ch in token) else None
        if outcode:
            rest = text[: match.start()] + " " + text[match.end() :]
            return " ".join(rest.split()), outcode, False
    match = _PLACE_AFTER.search(text)
    if match:
        return text[: match.start()].strip(), match.group(1).strip(), False
    return text, "", False


def resolve_place(
    gazetteer: Gazetteer | None, text: str, near: tuple[float, float] | None
) -> PlaceAnswer:
    """Look ``text`` up in the offline gazetteer. Never raises: an unknown or malformed place,
    or a missing gazetteer, gives a message to show instead."""
    if not text.strip():
        return PlaceAnswer()
    if gazetteer is None:
        return PlaceAnswer(
            message="Searching by place is not available at the moment. "
            "Showing results from everywhere.",
            text=text,
        )
    resolution = gazetteer.resolve(text, near)
    answer = PlaceAnswer(
        place=resolution.place,
        kind=resolution.kind,
        message=resolution.message,
        alternatives=list(resolution.alternatives),
        text=text,
    )
    if resolution.place is not None:
        answer.area_codes = set(gazetteer.authorities_containing(resolution.place))
    return answer


def try_place_in_text(
    gazetteer: Gazetteer | None, text: str, near: tuple[float, float] | None
) -> tuple[str, PlaceAnswer | None]:
    """Take a place out of the "what" text. A full postcode is always taken (an unknown one
    still gets its message); an outcode or a name after "in" only when the gazetteer knows
    it, otherwise it stays a search word. With none of those, a place name of the home area
    starting the text counts ("lache food bank"), but never an everyday word ("over 60s"),
    nor a place elsewhere, nor one at the end ("debt hoole"), unless after "in"/"near"."""
    rest, candidate, shaped = split_place_from_text(text)
    if not candidate and gazetteer is not None:
        found = gazetteer.home_name_at_edge(text)
        if found is not None:
            candidate, rest = found
    if not candidate:
        return text, None
    answer = resolve_place(gazetteer, candidate, near)
    if answer.place is None and not shaped:
        return text, None
    return rest, answer


@dataclass(slots=True)
class GeoScope:
    """The documents a place search may return: venues within the radius (with their
    distances) and area documents covering the place. Without a place, everything."""

    place: Place | None
    radius_km: float | None
    bits: int
    #: Venues within the radius, as document numbers and flat-earth distances in km.
    near_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    near_km: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    #: Area documents covering the place.
    area: int = 0
    _area_bytes: bytes | None = field(default=None, repr=False, compare=False)

    def distances(self, ids: np.ndarray) -> np.ndarray:
        """The distance of each of ``ids`` (ascending document numbers), NaN when it has
        none (an area document, or a search without a place)."""
        out = np.full(len(ids), np.nan)
        if len(self.near_ids) and len(ids):
            where = np.searchsorted(self.near_ids, ids)
            hit = where < len(self.near_ids)
            hit[hit] = self.near_ids[where[hit]] == ids[hit]
            out[hit] = self.near_km[where[hit]]
        return out

    def distance_of(self, docnum: int) -> float | None:
        found = self.distances(np.array([docnum]))[0]
        return None if math.isnan(found) else float(found)

    def covers(self, docnum: int) -> bool:
        """Whether the document is an area document covering the place. Tested on the set's
        bytes (made once per search): ``area >> docnum`` copies the whole set each time,
        about 10 microseconds a hit at 100,000 services."""
        if not self.area or docnum < 0:
            return False
        found = self._area_bytes
        if found is None:
            found = self._area_bytes = self.area.to_bytes(
                (self.area.bit_length() + 7) // 8, "little"
            )
        byte = docnum >> 3
        return byte < len(found) and bool(found[byte] >> (docnum & 7) & 1)


def by_latitude(view: IndexView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every live document with coordinates, sorted by latitude: (latitudes, longitudes,
    document numbers), in coordinate units. Made once per searcher (about 10 ms at 100,000
    services), so a radius search is a binary search for its band of latitude and a
    longitude test on that band, with no cold cache per place."""

    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lat, lon = view.numbers("lat"), view.numbers("lon")
        ids = bitsets.ids_of(view.live, view.size).astype(np.int64)
        ids = ids[lat[ids] != NO_COORD]
        ids = ids[np.argsort(lat[ids], kind="stable")]
        return lat[ids], lon[ids], ids

    return view.derived(("geo", "by_latitude"), build)  # type: ignore[return-value]


def geo_scope(
    view: IndexView,
    place: Place | None,
    radius_km: float,
    answer: PlaceAnswer | None,
    include_covering: bool,
) -> GeoScope:
    """The documents within ``radius_km`` of ``place``: the latitude band of its bounding
    box (``by_latitude``), then an exact test on the coordinates, all in numpy.

    This used to union the geo cells' document sets; each cell's set was read from its
    posting list the first time a place near it was searched, so a postcode not searched
    before took milliseconds more (3 ms of a 4 ms search at 10,000 services)."""
    if place is None:
        return GeoScope(None, None, view.live)
    lat0, lon0 = place.latitude, place.longitude
    coslat = math.cos(math.radians(lat0))
    km_per_unit = math.radians(1.0) * EARTH_RADIUS_KM / COORD_SCALE
    lats, lons, docs = by_latitude(view)
    south, west, north, east = bounding_box(lat0, lon0, radius_km)
    low, high = np.searchsorted(lats, [south * COORD_SCALE - 1, north * COORD_SCALE + 1])
    band = lons[low:high]
    keep = (band >= west * COORD_SCALE - 1) & (band <= east * COORD_SCALE + 1)
    ids = np.sort(docs[low:high][keep])
    dy = view.numbers("lat")[ids] - lat0 * COORD_SCALE
    dx = (view.numbers("lon")[ids] - lon0 * COORD_SCALE) * coslat
    # Compare squared distances in coordinate units; take the root only for those inside.
    squared = dx * dx + dy * dy
    inside = squared <= (radius_km / km_per_unit) ** 2
    near_ids, near_km = ids[inside], km_per_unit * np.sqrt(squared[inside])
    bits = view.from_ids(near_ids)
    area = 0
    if include_covering:
        codes = (answer.area_codes if answer else set()) | {NATIONAL}
        from search_index.facet_counts import value_bits

        for code in codes:
            area |= value_bits(view, "area", code)
        area &= view.term_bits("kind", "area") & view.live
    bits = (bits | area) & view.live
    return GeoScope(place, radius_km, bits, near_ids, near_km, area)


def drop_duplicate_area_docs(view: IndexView, base: int, scope: GeoScope) -> int:
    """Remove a service's area document when one of its venues is in ``base`` already: the
    venue is the better answer and the service's page shows its phone and web details.

    Bitset work only (see ``IndexView.area_siblings``): for area documents straight after
    their ``k`` venues, ``base`` shifted up by 1..k puts each venue's bit on its area
    document. A loop over the area documents cost 80 ms when 100,000 listings matched.
    """
    regular, irregular = view.area_siblings()
    drop = 0
    for count, areas in regular.items():
        candidates = base & areas
        if candidates:
            near = 0
            for shift in range(1, count + 1):
                near |= base << shift
            drop |= candidates & near
    for docnum, venues in irregular.items():
        if base >> docnum & 1 and base & venues:
            drop |= 1 << docnum
    return base & ~drop if drop else base
