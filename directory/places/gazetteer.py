"""Offline look-up of UK postcodes, outcodes and towns in the file built by ``build.py``.

No network is reachable in production or in tests, so every "where is this?" question is
answered from one read-only SQLite file. Postcode and outcode look-ups are single primary-key
reads (tens of microseconds); the ~6,000 towns and ~400 local authorities are small enough to be
held in memory.

Thread safety: each thread (and each forked worker process) gets its own read-only connection,
opened with ``immutable=1`` so reads take no locks. Rebuilding replaces the file by rename, so
open connections keep reading the old copy and :func:`get_gazetteer` notices the new one.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from directory.places.local import (
    LocalPlacesError,
    bare_name_ok,
    normalise_sector,
    read_local_places,
)
from directory.places.name_index import NamedPlace, NameIndex, PlaceInfo, rough_km
from directory.places.names import alias_keys, fold_name
from directory.places.paths import default_path, local_places_path
from directory.places.place import (
    LocalAuthority,
    Place,
    PlaceKind,
    Resolution,
    country_part_of,
)
from directory.places.postcodes import compact_postcode, normalise_outcode

SCHEMA_VERSION = "1"  # must match build.SCHEMA_VERSION (not imported: build pulls in numpy)
log = logging.getLogger(__name__)
BUILD_HINT = "Build it with `flask --app wsgi gazetteer build` or `make gazetteer`."
#: Postcodes looked up in one query by ``Gazetteer.postcodes`` (under SQLite's 999 variables).
_IN_CHUNK = 500


class GazetteerError(RuntimeError):
    """The gazetteer file cannot be used."""


class GazetteerMissing(GazetteerError):
    """The gazetteer file has not been built (or is unfinished or from an older version)."""

    def __init__(self, path: Path, reason: str = "does not exist") -> None:
        self.path = path
        super().__init__(f"The offline gazetteer {path} {reason}. {BUILD_HINT}")


class Gazetteer:
    """Read-only access to one built gazetteer file; safe to share between threads."""

    def __init__(
        self, path: Path | str | None = None, local_places: Path | str | None = None
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        if not self.path.is_file():
            raise GazetteerMissing(self.path)
        self._uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        conn = self._conn()
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise GazetteerMissing(self.path, f"is not a gazetteer file ({exc})") from exc
        if meta.get("complete") != "1":
            raise GazetteerMissing(self.path, "is unfinished")
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise GazetteerMissing(self.path, "was built by an older version")
        self.meta = meta
        self.scale = int(meta["coord_scale"])
        self._authorities: dict[int, LocalAuthority] = {}
        for row in conn.execute(
            "SELECT id, code, name, upper_tier_code, upper_tier_name FROM authority"
        ):
            self._authorities[row[0]] = LocalAuthority(*row[1:])
        self._by_code = {a.code: a for a in self._authorities.values()}
        self._authority_ids = {a.code: i for i, a in self._authorities.items()}
        self.local_places_path = Path(local_places) if local_places else local_places_path()
        self._base = [*self._geonames(conn), *self._curated()]
        counts = Counter(e.place.la_code for e in self._base if e.info.source == "local")
        #: The councils the curated file is for (its most common one): their places win.
        self.home_codes = frozenset(code for code, _ in counts.most_common(1) if code)
        self.listing_version: object = None
        self._index = NameIndex(self._base, self.home_codes)

    def _geonames(self, conn: sqlite3.Connection) -> list[NamedPlace]:
        rows = conn.execute(
            "SELECT name, folded, lat, lon, country_part, population, la FROM town ORDER BY id"
        )
        return [
            NamedPlace(
                Place("town", name, *self._coords(lat, lon), self._la(la), part),
                PlaceInfo("town", "", "geonames", population),
                (folded,),
                alias_keys(folded),
            )
            for name, folded, lat, lon, part, population, la in rows
        ]

    def _curated(self) -> list[NamedPlace]:
        """The curated home-area places, each located from its postcode or sector. A bad file
        is logged and left out: a typo in it must never take place search down."""
        try:
            rows = read_local_places(self.local_places_path)
        except (LocalPlacesError, OSError, UnicodeDecodeError, csv.Error) as exc:
            log.error("Local place names not loaded from %s: %s", self.local_places_path, exc)
            return []
        entries = []
        for row in rows:
            place = self.locate(row.postcode, row.authority, name=row.name)
            if place is None:
                log.warning("Local place %r: postcode %s is not known", row.name, row.postcode)
                continue
            keys = (fold_name(row.name), *(fold_name(o) for o in row.other_names))
            entries.append(NamedPlace(place, PlaceInfo(row.kind, row.area, "local"), keys))
        return entries

    def locate(self, code: str, authority: str | None = None, name: str = "") -> Place | None:
        """A named point ("town" kind) at a full postcode, or at the mean of a postcode
        sector's postcodes ("CH2 1"), counting only those in ``authority`` when it is given,
        so a sector that straddles a border gives each side its own point."""
        full = compact_postcode(code)
        if full is not None:
            found = (
                self._conn()
                .execute("SELECT lat, lon, la FROM postcode WHERE pc = ?", (full,))
                .fetchone()
            )
            rows = [found] if found else []
        else:
            sector = normalise_sector(code)
            if sector is None:
                return None
            low = sector.replace(" ", "")
            rows = (
                self._conn()
                .execute(
                    "SELECT lat, lon, la FROM postcode WHERE pc >= ? AND pc < ? AND length(pc) = ?",
                    (low, low[:-1] + chr(ord(low[-1]) + 1), len(low) + 2),
                )
                .fetchall()
            )
            wanted = self._authority_ids.get(authority or "")
            if wanted is not None and any(r[2] == wanted for r in rows):
                rows = [r for r in rows if r[2] == wanted]
        if not rows:
            return None
        lat = round(sum(r[0] for r in rows) / len(rows))
        lon = round(sum(r[1] for r in rows) / len(rows))
        la = Counter(r[2] for r in rows).most_common(1)[0][0]
        return self._point_place("town", name or code, (lat, lon, la))

    def set_listing_places(self, entries: Iterable[NamedPlace], version: object) -> None:
        """Add the names found in listings' addresses (replacing the previous set)."""
        self._index = NameIndex([*self._base, *entries], self.home_codes)
        self.listing_version = version

    # -- plumbing ---------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (and again after a fork)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this object opened (any thread's)."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def _coords(self, lat: int, lon: int) -> tuple[float, float]:
        return (round(lat / self.scale, 5), round(lon / self.scale, 5))

    def _la(self, la_id: int | None) -> str | None:
        authority = self._authorities.get(la_id) if la_id else None
        return authority.code if authority else None

    def _point_place(self, kind: PlaceKind, name: str, row: tuple[int, int, int | None]) -> Place:
        la = self._la(row[2])
        return Place(kind, name, *self._coords(row[0], row[1]), la, country_part_of(la))

    # -- look-ups ---------------------------------------------------------------------------

    def postcode(self, pc: str) -> Place | None:
        """The place of a full postcode in any case or spacing, or None if unknown/invalid."""
        key = compact_postcode(pc)
        if key is None:
            return None
        row = self._conn().execute("SELECT lat, lon, la FROM postcode WHERE pc = ?", (key,))
        found = row.fetchone()
        return self._point_place("postcode", f"{key[:-3]} {key[-3:]}", found) if found else None

    def postcodes(self, pcs: Iterable[str]) -> dict[str, Place | None]:
        """``postcode`` of many postcodes at once (each as given -> its place or None): one
        query per 500 rather than one each, for a rebuild's batches of venues."""
        keys: dict[str, list[str]] = {}
        out: dict[str, Place | None] = {}
        for pc in pcs:
            key = compact_postcode(pc)
            out[pc] = None
            if key is not None:
                keys.setdefault(key, []).append(pc)
        wanted = list(keys)
        conn = self._conn()
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            for key, *row in conn.execute(
                f"SELECT pc, lat, lon, la FROM postcode WHERE pc IN ({marks})", chunk
            ):
                place = self._point_place("postcode", f"{key[:-3]} {key[-3:]}", row)
                for pc in keys[key]:
                    out[pc] = place
        return out

    def outcode(self, oc: str) -> Place | None:
        """The centroid of an outcode ("CH1") with its most common local authority."""
        key = normalise_outcode(oc)
        if key is None:
            return None
        row = self._conn().execute("SELECT lat, lon, la FROM outcode WHERE oc = ?", (key,))
        found = row.fetchone()
        return self._point_place("outcode", key, found) if found else None

    def town(self, name: str, near: tuple[float, float] | None = None) -> list[Place]:
        """Named places with exactly this name (ignoring case, accents and punctuation).

        Several places share a name (two Nestons, a dozen Uptons): those in the home area
        (``home_codes``) come first, then, with ``near``, the closest, otherwise the most
        populous.
        """
        index = self._index
        matches = index.lookup(fold_name(name))
        if near is not None and len(matches) > 1 and _is_point(near):
            point = Place("town", "", *(float(v) for v in near))
            matches.sort(key=lambda p: (not index.is_home(p), rough_km(point, p)))
        return matches

    def suggest_towns(self, prefix: str, limit: int = 5) -> list[Place]:
        """Places whose name starts with ``prefix``, home-area ones first, then the most
        populous (for autocomplete)."""
        key = fold_name(prefix)
        if not key or limit <= 0:
            return []
        return self._index.prefix(key, limit)

    def town_population(self, place: Place) -> int:
        """GeoNames population of a place returned by this gazetteer (0 if not known)."""
        return self._index.population(place)

    def town_names(self) -> list[str]:
        """Every folded place name, sorted, for fuzzy matching of misspellings."""
        return self._index.keys

    def is_home(self, place: Place) -> bool:
        """True for a place in the home area (the councils of the curated file)."""
        return self._index.is_home(place)

    def place_kind(self, place: Place) -> str:
        """ "postcode", "outcode", or what a named place is: "town", "suburb", "village"..."""
        info = self._index.info.get(place)
        return info.kind if info else place.kind

    def area_name(self, place: Place) -> str | None:
        """What a place is part of, to tell it from namesakes: the town a suburb belongs to
        ("Ellesmere Port" for Whitby), else its council's name."""
        info = self._index.info.get(place)
        if info and info.area and fold_name(info.area) != fold_name(place.name):
            return info.area
        authority = self._by_code.get(place.la_code) if place.la_code else None
        return authority.name if authority else None

    def qualifiers(self, place: Place) -> set[str]:
        """Folded words that may follow a place's name after a comma to pick it out: its
        area, its council and the council's county ("Whitby, Ellesmere Port", "Whitby, North
        Yorkshire", "Upton, Cheshire")."""
        names = {self.area_name(place) or ""}
        authority = self._by_code.get(place.la_code) if place.la_code else None
        if authority:
            names |= {authority.name, authority.upper_tier_name}
        return {fold_name(n) for n in names if n}

    def home_name_at_edge(self, text: str) -> tuple[str, str] | None:
        """A home-area place name as the first one to three words of ``text``, as (the name
        as written, the rest), or None: "lache food bank" -> ("lache", "food bank"). Only at
        the start, where English puts a place that names a service ("Blacon youth club"): a
        trailing word ("debt hoole") stays a search word unless "in"/"near" comes before it.
        Everyday words (``bare_name_ok``) are never taken this way."""
        if not isinstance(text, str) or len(text) > 4 * 100:
            return None
        words = text.split()
        home_keys = self._index.home_keys
        for size in (3, 2, 1):
            if len(words) < size:
                continue
            key = fold_name(" ".join(words[:size]))
            if key in home_keys and bare_name_ok(key):
                return " ".join(words[:size]).strip(",;:"), " ".join(words[size:]).strip(",;: ")
        return None

    def resolve(self, text: str, near: tuple[float, float] | None = None) -> Resolution:
        """Work out what someone typed: a postcode, an outcode or a town. Never raises."""
        from directory.places.resolve import resolve_text

        return resolve_text(self, text, near)

    def local_authority(self, code: str) -> LocalAuthority | None:
        """The authority with this ONS code (e.g. "E06000050"), or None."""
        return self._by_code.get(code.strip().upper()) if isinstance(code, str) else None

    def authorities_containing(self, place: Place) -> set[str]:
        """The lower- and upper-tier authority codes a place lies in (empty if unknown).

        A service whose area is given as either code covers this place.
        """
        authority = self._by_code.get(place.la_code) if place.la_code else None
        return authority.codes if authority else set()

    def describe(self, place: Place) -> str:
        """ "Whitby, Ellesmere Port" or "Neston, Cheshire West and Chester": a name people can
        tell apart from its namesakes."""
        area = self.area_name(place)
        return f"{place.name}, {area}" if area else place.name


def _is_point(value: object) -> bool:
    """True for a usable ``(latitude, longitude)``; a malformed one is ignored, not an error."""
    try:
        lat, lon = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat + lon) and -90 <= lat <= 90 and -180 <= lon <= 180


_cache: dict[Path, tuple[tuple[int, int, int | None], Gazetteer]] = {}
_cache_lock = threading.Lock()


def get_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """The shared :class:`Gazetteer` for ``path`` (default: ``GAZETTEER_PATH`` or the seeds one).

    Opened once per process and reused; reopened automatically if the file has been rebuilt.
    Raises :class:`GazetteerMissing` (every time, not cached) while the file is not built.
    """
    target = Path(path) if path is not None else default_path()
    try:
        st = target.stat()
    except OSError:
        raise GazetteerMissing(target) from None
    try:
        local = local_places_path().stat().st_mtime_ns
    except OSError:
        local = None
    stamp = (st.st_ino, st.st_mtime_ns, local)
    with _cache_lock:
        cached = _cache.get(target)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        gazetteer = Gazetteer(target)
        _cache[target] = (stamp, gazetteer)
        return gazetteer
