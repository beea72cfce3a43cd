"""Every place name the gazetteer knows, from three sources, in one in-memory index.

* ``geonames``: the towns and villages of 500+ people in the built file;
* ``local``: the curated home-area file (``local.py``): suburbs, estates, villages;
* ``listings``: names written in listings' own addresses (``listing_places.py``).

The rules that make "Upton" mean Upton-by-Chester to a directory run in Cheshire West and
Chester live here: under each name, places in the home area come first, then the most
populous; a curated place hides a GeoNames or address-derived copy of itself (same name, same
council, within :data:`SAME_PLACE_KM`), and GeoNames hides an address-derived copy. The index
is rebuilt (a few milliseconds) and swapped whole when the listing-derived names change, so
readers on other threads never see it half-built.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from directory.places.place import Place

#: Two entries with the same name and council closer than this are one place.
SAME_PLACE_KM = 4.0
SOURCES = ("local", "geonames", "listings")  # precedence when two entries are one place


@dataclass(frozen=True)
class PlaceInfo:
    """What the index knows about a named place beyond its point."""

    kind: str  # "town" for GeoNames places; the curated kind; "locality" from addresses
    area: str  # shown after the name ("Whitby, Ellesmere Port"); "" means the council's name
    source: str  # one of SOURCES
    population: int = 0


@dataclass(frozen=True)
class NamedPlace:
    """An entry to index: the place, its details, the folded names it is found by, and
    fallback keys used only when no place is really called that ("ellesmere port" for
    GeoNames' "Ellesmere Port Town")."""

    place: Place
    info: PlaceInfo
    keys: tuple[str, ...]
    fallback_keys: tuple[str, ...] = ()


def rough_km(a: Place, b: Place) -> float:
    """Flat-earth distance, plenty for telling whether two entries are one place."""
    kx = math.cos(math.radians((a.latitude + b.latitude) / 2))
    return math.hypot(a.latitude - b.latitude, (a.longitude - b.longitude) * kx) * 111.2


def _without_copies(entries: Iterable[NamedPlace]) -> list[NamedPlace]:
    """Drop an entry that is a copy of one from a source with higher precedence (one of its
    names, same council, within SAME_PLACE_KM). The kept entry takes the copy's population,
    and names, so a curated town still ranks as big as GeoNames says and is still found by
    GeoNames' name for it ("Ellesmere Port Town")."""
    kept: list[NamedPlace] = []
    claimed: dict[str, list[int]] = {}
    for entry in sorted(entries, key=lambda e: SOURCES.index(e.info.source)):
        names = (*entry.keys, *entry.fallback_keys)
        original = next(
            (
                i
                for key in names
                for i in claimed.get(key, ())
                if kept[i].info.source != entry.info.source and _same_place(entry, kept[i])
            ),
            None,
        )
        if original is not None:
            first = kept[original]
            population = max(first.info.population, entry.info.population)
            kept[original] = replace(
                first,
                info=replace(first.info, population=population),
                keys=(*first.keys, *entry.keys),
                fallback_keys=(*first.fallback_keys, *entry.fallback_keys),
            )
            for key in names:
                claimed.setdefault(key, []).append(original)
            continue
        for key in names:
            claimed.setdefault(key, []).append(len(kept))
        kept.append(entry)
    return kept


def _same_place(a: NamedPlace, b: NamedPlace) -> bool:
    councils_agree = a.place.la_code == b.place.la_code or None in (
        a.place.la_code,
        b.place.la_code,
    )
    return councils_agree and rough_km(a.place, b.place) <= SAME_PLACE_KM


class NameIndex:
    """Folded name -> places, ranked; immutable once built."""

    def __init__(self, entries: Iterable[NamedPlace], home_codes: frozenset[str]) -> None:
        self.home_codes = home_codes
        kept = _without_copies(entries)
        by_key: dict[str, list[NamedPlace]] = {}
        fallbacks: list[tuple[str, NamedPlace]] = []
        for entry in kept:
            for key in dict.fromkeys(entry.keys):
                if key:
                    by_key.setdefault(key, []).append(entry)
            fallbacks.extend((key, entry) for key in entry.fallback_keys if key)
        real = set(by_key)
        for key, entry in fallbacks:
            if key not in real:
                by_key.setdefault(key, []).append(entry)
        self.info = {entry.place: entry.info for entry in kept}
        self._places: dict[str, tuple[Place, ...]] = {
            key: tuple(e.place for e in sorted(found, key=self._rank))
            for key, found in by_key.items()
        }
        self.keys = sorted(self._places)
        #: Names with a home-area place, for spotting a place written into the "what" box.
        self.home_keys = frozenset(k for k, ps in self._places.items() if self.is_home(ps[0]))

    def _rank(self, entry: NamedPlace) -> tuple:
        home = entry.place.la_code in self.home_codes
        return (not home, -entry.info.population, SOURCES.index(entry.info.source))

    def is_home(self, place: Place) -> bool:
        return place.la_code in self.home_codes

    def lookup(self, key: str) -> list[Place]:
        """The places called exactly ``key`` (already folded), best first."""
        return list(self._places.get(key, ()))

    def population(self, place: Place) -> int:
        info = self.info.get(place)
        return info.population if info else 0

    def prefix(self, key: str, limit: int) -> list[Place]:
        """Places whose name starts with ``key``: home-area ones first, then by population."""
        start = bisect.bisect_left(self.keys, key)
        end = bisect.bisect_left(self.keys, key + "\uffff", lo=start)
        found = {place for k in self.keys[start:end] for place in self._places[k]}
        ranked = sorted(
            found, key=lambda p: (not self.is_home(p), -self.population(p), p.name, p.latitude)
        )
        return ranked[:limit]
