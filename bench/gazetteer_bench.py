"""Benchmark the offline gazetteer: build time, file size and look-up latency.

    .venv/bin/python bench/gazetteer_bench.py              # build a fresh full file, then time
    .venv/bin/python bench/gazetteer_bench.py --no-build   # time the existing default file

Look-ups are timed one by one (10,000 each by default) against the full-UK file, so the p99
includes Python overhead, SQLite page reads and the occasional page-cache miss.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.places.build import build_gazetteer, is_complete
from directory.places.gazetteer import Gazetteer
from directory.places.paths import default_path


def _percentiles(samples_ns: list[int]) -> str:
    ordered = sorted(samples_ns)
    p50 = ordered[len(ordered) // 2] / 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
    mean = statistics.fmean(ordered) / 1000
    return f"p50 {p50:8.1f} us   p99 {p99:8.1f} us   mean {mean:8.1f} us"


def _time(label: str, func: Callable[[str], object], inputs: Sequence[str]) -> None:
    samples = []
    for text in inputs:
        started = time.perf_counter_ns()
        func(text)
        samples.append(time.perf_counter_ns() - started)
    print(f"  {label:<34} n={len(inputs):>6,}  {_percentiles(samples)}")


def _sample(path: Path, n: int, rng: random.Random) -> dict[str, list[str]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        postcodes = [row[0] for row in conn.execute("SELECT pc FROM postcode")]
        outcodes = [row[0] for row in conn.execute("SELECT oc FROM outcode")]
        towns = [row[0] for row in conn.execute("SELECT name FROM town")]
    spaced = [f"{pc[:-3]} {pc[-3:]}" for pc in rng.sample(postcodes, n)]
    lower = [pc.lower().replace(" ", "") for pc in rng.sample(spaced, n)]
    # Valid-format postcodes that do not exist: resolve() falls back to the outcode.
    known = set(postcodes)
    missing = [f"{oc} 9ZZ" for oc in rng.choices(outcodes, k=n) if f"{oc}9ZZ" not in known]
    misspelt = [name[:-1] + "q" + name[-1] for name in rng.choices(towns, k=max(1, n // 10))]
    return {
        "postcodes": spaced,
        "postcodes_lower": lower,
        "outcodes": rng.choices(outcodes, k=n),
        "towns": rng.choices(towns, k=n),
        "missing": missing,
        "misspelt": misspelt,
    }


def _local_names(gazetteer: Gazetteer, n: int, rng: random.Random) -> None:
    """The home area's curated names: look-ups near home, misspellings, completions, the
    "what"-box check, and rebuilding the index when listing-derived names change."""
    from directory.places.local import read_local_places
    from directory.places.name_index import NamedPlace, PlaceInfo
    from directory.places.names import fold_name

    home = (53.1905, -2.8919)
    names = [row.name for row in read_local_places(gazetteer.local_places_path)]
    if not names:
        print("Local names: no curated file")
        return
    picked = rng.choices(names, k=n)
    misspelt = [name[:-1] + "q" + name[-1] for name in rng.choices(names, k=max(1, n // 10))]
    what = [f"{name} food bank" for name in picked]
    print(f"Local names ({len(names)} curated; every look-up near the home area):")
    _time("resolve(local name, near home)", lambda t: gazetteer.resolve(t, home), picked)
    _time("resolve(misspelt local name)", lambda t: gazetteer.resolve(t, home), misspelt)
    _time("suggest_towns(local prefix)", gazetteer.suggest_towns, [t[:3] for t in picked])
    _time("home_name_at_edge('X food bank')", gazetteer.home_name_at_edge, what)
    # 2,000 names from addresses (a large council's directory), rebuilt into the index.
    extra = [
        NamedPlace(gazetteer.outcode("CH1") or gazetteer.town("Chester")[0],
                   PlaceInfo("locality", "", "listings"), (fold_name(f"listing place {i}"),))
        for i in range(2000)
    ]  # fmt: skip
    started = time.perf_counter()
    gazetteer.set_listing_places(extra, "bench")
    print(f"  set_listing_places(2,000 names)      {(time.perf_counter() - started) * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-build", action="store_true", help="time the existing file only")
    parser.add_argument("--path", type=Path, default=None, help="file to time (--no-build)")
    parser.add_argument("-n", type=int, default=10_000, help="look-ups per kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.no_build:
            path = args.path or default_path()
            if not is_complete(path):
                print(f"No complete gazetteer at {path}; run `make gazetteer` first.")
                return 1
        else:
            path = Path(tmp) / "gazetteer.sqlite"
            stats = build_gazetteer(path)
            print(
                f"Build: {stats.seconds:.1f} s wall, {stats.postcodes:,} postcodes, "
                f"{stats.outcodes:,} outcodes, {stats.towns:,} towns"
            )
        size = path.stat().st_size
        print(f"File:  {path} {size:,} bytes ({size / 2**20:.1f} MiB)")

        started = time.perf_counter()
        gazetteer = Gazetteer(path)
        print(f"Open:  {(time.perf_counter() - started) * 1000:.1f} ms (loads towns, authorities)")
        inputs = _sample(path, args.n, random.Random(args.seed))
        print("Look-ups (one at a time, warm page cache after the first few):")
        _time("postcode('CH1 1AA')", gazetteer.postcode, inputs["postcodes"])
        _time("postcode('ch11aa')", gazetteer.postcode, inputs["postcodes_lower"])
        _time("outcode('CH1')", gazetteer.outcode, inputs["outcodes"])
        _time("town('Chester')", gazetteer.town, inputs["towns"])
        _time("suggest_towns('Che')", gazetteer.suggest_towns, [t[:3] for t in inputs["towns"]])
        _time("resolve(postcode)", gazetteer.resolve, inputs["postcodes"])
        _time("resolve(outcode)", gazetteer.resolve, inputs["outcodes"])
        _time("resolve(town)", gazetteer.resolve, inputs["towns"])
        _time("resolve(unknown postcode)", gazetteer.resolve, inputs["missing"])
        _time("resolve(misspelt town)", gazetteer.resolve, inputs["misspelt"])
        _local_names(gazetteer, args.n, random.Random(args.seed))
        gazetteer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
