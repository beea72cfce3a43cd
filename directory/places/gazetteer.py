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

import bisect
import math
import os
import sqlite3
import threading
from pathlib import Path

from directory.places.names import alias_keys, fold_name
from directory.places.paths import default_path
from directory.places.place import (
    LocalAuthority,
    Place,
    PlaceKind,
    Resolution,
    country_part_of,
    distance_km,
)
from directory.places.postcodes import compact_postcode, normalise_outcode

SCHEMA_VERSION = "1"  # must match build.SCHEMA_VERSION (not imported: build pulls in numpy)
BUILD_HINT = "Build it with `flask --app wsgi gazetteer build` or `make gazetteer`."


class GazetteerError(RuntimeError):
    """The gazetteer file cannot be used."""


class GazetteerMissing(GazetteerError):
    """The gazetteer file has not been built (or is unfinished or from an older version)."""

    def __init__(self, path: Path, reason: str = "does not exist") -> None:
        self.path = path
        super().__init__(f"The offline gazetteer {path} {reason}. {BUILD_HINT}")


class Gazetteer:
    """Read-only access to one built gazetteer file; safe to share between threads."""

    def __init__(self, path: Path | str | None = None) -> None:
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
        # folded name -> [(population, town)], most populous first
        self._towns: dict[str, list[tuple[int, Place]]] = {}
        self._aliases: set[str] = set()
        self._population: dict[Place, int] = {}
        rows = conn.execute(
            "SELECT name, folded, lat, lon, country_part, population, la FROM town "
            "ORDER BY population DESC, id"
        )
        aliases: list[tuple[str, tuple[int, Place]]] = []
        for name, folded, lat, lon, part, population, la in rows:
            town = (population, Place("town", name, *self._coords(lat, lon), self._la(la), part))
            self._towns.setdefault(folded, []).append(town)
            self._population[town[1]] = population
            aliases.extend((alias, town) for alias in alias_keys(folded))
        for alias, town in aliases:
            if alias not in self._towns or alias in self._aliases:
                self._aliases.add(alias)
                self._towns.setdefault(alias, []).append(town)
        self._town_keys = sorted(self._towns)

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

    def outcode(self, oc: str) -> Place | None:
        """The centroid of an outcode ("CH1") with its most common local authority."""
        key = normalise_outcode(oc)
        if key is None:
            return None
        row = self._conn().execute("SELECT lat, lon, la FROM outcode WHERE oc = ?", (key,))
        found = row.fetchone()
        return self._point_place("outcode", key, found) if found else None

    def town(self, name: str, near: tuple[float, float] | None = None) -> list[Place]:
        """Towns with exactly this name (ignoring case, accents and punctuation).

        Several places share a name (two Nestons): with ``near`` the closest comes first,
        otherwise the most populous.
        """
        matches = [place for _, place in self._towns.get(fold_name(name), ())]
        if near is not None and len(matches) > 1 and _is_point(near):
            matches.sort(key=lambda p: distance_km(near, p))
        return matches

    def suggest_towns(self, prefix: str, limit: int = 5) -> list[Place]:
        """Towns whose name starts with ``prefix``, most populous first (for autocomplete)."""
        key = fold_name(prefix)
        if not key or limit <= 0:
            return []
        start = bisect.bisect_left(self._town_keys, key)
        end = bisect.bisect_left(self._town_keys, key + "\uffff", lo=start)
        found = {town for k in self._town_keys[start:end] for town in self._towns[k]}
        ranked = sorted(found, key=lambda town: (-town[0], town[1].name))
        return [place for _, place in ranked[:limit]]

    def town_population(self, place: Place) -> int:
        """GeoNames population of a town returned by this gazetteer (0 if not a town)."""
        return self._population.get(place, 0)

    def town_names(self) -> list[str]:
        """Every folded town name, for fuzzy matching of misspellings."""
        return self._town_keys

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
        """ "Neston, Cheshire West and Chester": a name people can tell apart from its twins."""
        authority = self._by_code.get(place.la_code) if place.la_code else None
        return f"{place.name}, {authority.name}" if authority else place.name


def _is_point(value: object) -> bool:
    """True for a usable ``(latitude, longitude)``; a malformed one is ignored, not an error."""
    try:
        lat, lon = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat + lon) and -90 <= lat <= 90 and -180 <= lon <= 180


_cache: dict[Path, tuple[tuple[int, int], Gazetteer]] = {}
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
    stamp = (st.st_ino, st.st_mtime_ns)
    with _cache_lock:
        cached = _cache.get(target)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        gazetteer = Gazetteer(target)
        _cache[target] = (stamp, gazetteer)
        return gazetteer
