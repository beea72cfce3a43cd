"""Build the offline gazetteer: one SQLite file with every UK postcode, outcode and town.

The file is derived data (about 2.7 million ONSPD postcodes), so it is built on each machine,
never committed: ``make gazetteer``, ``flask --app wsgi gazetteer build`` or
``python -m directory.places.build``. It is written to a temporary file beside the target and
moved into place with :func:`os.replace`, so a web process never sees a half-written file, and
the ``meta`` table's ``complete`` flag lets a second run skip the work.

Layout (all coordinates are WGS84 integers of 1e-5 degrees, about 1 m):

* ``postcode(pc TEXT PRIMARY KEY, lat, lon, la) WITHOUT ROWID``, ``pc`` being "CH11AA";
* ``outcode(oc TEXT PRIMARY KEY, lat, lon, la, postcodes) WITHOUT ROWID``: the mean position
  of the outcode's postcodes and its most common local authority;
* ``town(id, name, folded, lat, lon, country_part, population, la)``;
* ``authority(id INTEGER PRIMARY KEY, code, name, upper_tier_code, upper_tier_name)``: ``la``
  elsewhere is this small id;
* ``meta(key, value)``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from directory.config import Settings
from directory.places import sources
from directory.places.names import fold_name
from directory.places.paths import default_path

SCHEMA_VERSION = "1"
# Towns further than this from any postcode get no local authority (e.g. in a partial build).
_TOWN_LA_MAX_KM = 4.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE authority (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    upper_tier_code TEXT NOT NULL, upper_tier_name TEXT NOT NULL);
CREATE TABLE postcode (
    pc TEXT PRIMARY KEY, lat INTEGER NOT NULL, lon INTEGER NOT NULL, la INTEGER
) WITHOUT ROWID;
CREATE TABLE outcode (
    oc TEXT PRIMARY KEY, lat INTEGER NOT NULL, lon INTEGER NOT NULL, la INTEGER,
    postcodes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE town (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, folded TEXT NOT NULL, lat INTEGER NOT NULL,
    lon INTEGER NOT NULL, country_part TEXT, population INTEGER NOT NULL, la INTEGER);
CREATE INDEX town_folded ON town (folded);
"""


@dataclass(frozen=True)
class BuildStats:
    """What a build produced, for the CLI to print and the bench to record."""

    path: Path
    letters: str
    postcodes: int
    outcodes: int
    towns: int
    authorities: int
    unnamed_authorities: tuple[str, ...]
    skipped_no_location: int
    skipped_invalid: int
    seconds: float
    size_bytes: int

    def summary(self) -> str:
        return (
            f"Gazetteer built at {self.path}: {self.postcodes:,} postcodes, "
            f"{self.outcodes:,} outcodes, {self.towns:,} towns, {self.authorities} local "
            f"authorities ({self.size_bytes / 1e6:.1f} MB) in {self.seconds:.1f} s. Left out: "
            f"{self.skipped_no_location:,} postcodes with no grid reference and "
            f"{self.skipped_invalid:,} in pre-2000 formats."
        )


def read_meta(path: Path) -> dict[str, str]:
    """The meta table of a built file, or {} if the file is missing or not a gazetteer."""
    if not path.is_file():
        return {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return {}


def is_complete(path: Path, letters: str | None = None) -> bool:
    """True if ``path`` is a finished build of this schema covering ``letters`` (None: all)."""
    meta = read_meta(path)
    if meta.get("complete") != "1" or meta.get("schema_version") != SCHEMA_VERSION:
        return False
    if meta.get("source") != f"{sources.PACKAGE} {sources.source_version()}":
        return False  # the postcode package was upgraded: rebuild from the new data
    wanted = letters.upper() if letters else meta.get("available_letters", "")
    return set(wanted) <= set(meta.get("letters", ""))


def _authority_ids(
    conn: sqlite3.Connection, used_codes: set[str]
) -> tuple[dict[str, int], list[str]]:
    """Write the authority table; unknown codes get their code as their name."""
    rows = {a.code: a for a in sources.read_authorities()}
    unnamed = sorted(c for c in used_codes if c not in rows)
    for code in unnamed:
        rows[code] = sources.AuthorityRow(code, code, code, code)
    ids = {code: i for i, code in enumerate(sorted(rows), start=1)}
    conn.executemany(
        "INSERT INTO authority VALUES (?, ?, ?, ?, ?)",
        [(ids[c], c, a.name, a.upper_tier_code, a.upper_tier_name) for c, a in rows.items()],
    )
    return ids, unnamed


def _write_outcodes(conn: sqlite3.Connection, rows: sources.PostcodeRows, la: np.ndarray) -> int:
    """Outcode centroids (mean of their postcodes) and most common local authority."""
    if not rows.keys:
        return 0
    outward = np.array([k[:-3] for k in rows.keys])
    codes, inverse = np.unique(outward, return_inverse=True)
    counts = np.bincount(inverse)
    lat = np.rint(np.bincount(inverse, weights=rows.lat) / counts).astype(np.int64)
    lon = np.rint(np.bincount(inverse, weights=rows.lon) / counts).astype(np.int64)
    best: dict[int, tuple[int, int]] = {}
    known = la > 0
    pairs, pair_counts = np.unique(inverse[known] * 100_000 + la[known], return_counts=True)
    for pair, n in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
        oc, la_id = divmod(pair, 100_000)
        if oc not in best or n > best[oc][1]:
            best[oc] = (la_id, n)
    conn.executemany(
        "INSERT INTO outcode VALUES (?, ?, ?, ?, ?)",
        (
            (str(code), int(lat[i]), int(lon[i]), best.get(i, (None,))[0], int(counts[i]))
            for i, code in enumerate(codes)
        ),
    )
    return len(codes)


def _write_towns(conn: sqlite3.Connection, rows: sources.PostcodeRows, la: np.ndarray) -> int:
    """Towns, each given the local authority of its nearest postcode (if one is close)."""
    # Bucket postcodes into cells of 0.04 deg latitude x 0.08 deg longitude (about 4.4 km
    # square in the UK); the 3x3 block around a town then covers at least 4 km each way.
    lat_cell = rows.lat // 4000
    lon_cell = rows.lon // 8000
    cell = lat_cell * 100_000 + lon_cell
    order = np.argsort(cell, kind="stable")
    sorted_cells = cell[order]
    towns = []
    for n, town in enumerate(sources.read_towns(), start=1):
        lat, lon = round(town.lat * sources.SCALE), round(town.lon * sources.SCALE)
        candidates = []
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                c = (lat // 4000 + dy) * 100_000 + lon // 8000 + dx
                lo, hi = np.searchsorted(sorted_cells, [c, c + 1])
                candidates.append(order[lo:hi])
        town_la = None
        idx = np.concatenate(candidates)
        if idx.size:
            kx = np.cos(np.radians(town.lat))
            d2 = (rows.lat[idx] - lat) ** 2 + ((rows.lon[idx] - lon) * kx) ** 2
            nearest = int(np.argmin(d2))
            km = float(np.sqrt(d2[nearest])) / sources.SCALE * 111.2
            if km <= _TOWN_LA_MAX_KM and la[idx[nearest]] > 0:
                town_la = int(la[idx[nearest]])
        towns.append(
            (
                n,
                town.name,
                fold_name(town.name),
                lat,
                lon,
                town.country_part,
                town.population,
                town_la,
            )
        )
    conn.executemany("INSERT INTO town VALUES (?, ?, ?, ?, ?, ?, ?, ?)", towns)
    return len(towns)


def build_gazetteer(
    path: Path,
    letters: str | None = None,
    progress: Callable[[str], None] | None = None,
    data_dir: str | Path | None = None,
) -> BuildStats:
    """Build the gazetteer file at ``path`` from the installed ONSPD package and the seeds.

    ``letters`` limits the postcodes to those first letters (e.g. "CW" for quick tests); towns
    and authority names are always complete. ``data_dir`` is where the ONSPD files are
    (default: ``QLACREF_DATA_DIR``, else the package). Replaces ``path`` atomically when done.
    """
    started = time.perf_counter()
    path = Path(path)
    data_dir = sources.postcode_data_dir(data_dir)
    available = sources.available_letters(data_dir)
    wanted = "".join(sorted(set((letters or available).upper()) & set(available)))
    rows = sources.load_postcodes(data_dir, wanted, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.executescript(_SCHEMA)
            ids, unnamed = _authority_ids(conn, {c for c in set(rows.la) if c})
            la = np.array([ids[c] if c else 0 for c in rows.la], dtype=np.int64)
            if progress:
                progress(f"writing {len(rows.keys):,} postcodes")
            conn.executemany(
                "INSERT INTO postcode VALUES (?, ?, ?, ?)",
                zip(
                    rows.keys,
                    rows.lat.tolist(),
                    rows.lon.tolist(),
                    [int(x) or None for x in la.tolist()],
                    strict=True,
                ),
            )
            outcodes = _write_outcodes(conn, rows, la)
            towns = _write_towns(conn, rows, la)
            meta = {
                "schema_version": SCHEMA_VERSION,
                "letters": wanted,
                "available_letters": available,
                "source": f"{sources.PACKAGE} {sources.source_version()}",
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "coord_scale": str(sources.SCALE),
                "postcodes": str(len(rows.keys)),
                "complete": "1",
            }
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            conn.commit()
        finally:
            conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return BuildStats(
        path=path,
        letters=wanted,
        postcodes=len(rows.keys),
        outcodes=outcodes,
        towns=towns,
        authorities=len(ids),
        unnamed_authorities=tuple(unnamed),
        skipped_no_location=rows.skipped_no_location,
        skipped_invalid=rows.skipped_invalid,
        seconds=time.perf_counter() - started,
        size_bytes=path.stat().st_size,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m directory.places.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--path", type=Path, default=None, help="where to write the file")
    parser.add_argument("--letters", default=None, help="only these first letters, e.g. CW")
    parser.add_argument("--force", action="store_true", help="rebuild even if complete")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_environ()  # no app here: the settings are read the same way
    path = args.path or Path(settings.GAZETTEER_PATH or default_path())
    if not args.force and is_complete(path, args.letters):
        print(f"Gazetteer already built at {path} (use --force to rebuild).")
        return 0

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    stats = build_gazetteer(path, args.letters, progress=say, data_dir=settings.QLACREF_DATA_DIR)
    print(stats.summary())
    if stats.unnamed_authorities:
        print(f"No names for: {', '.join(stats.unnamed_authorities)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
