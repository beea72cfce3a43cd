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
        gazetteer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
