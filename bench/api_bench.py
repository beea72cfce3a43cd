"""API benchmark: ORUK ``/api/services`` and ``/api/service_at_locations`` searches per second.

Run from the project root:

    .venv/bin/python bench/api_bench.py --size 10000 [--procs 2] [--requests 400]
    .venv/bin/python bench/api_bench.py --size 100000 --workdir /tmp/bench --procs 2

The directory is ``bench/search_bench.py``'s synthetic one (seeded: the same ``--seed`` and
size give the same services, words and postcodes), kept in ``--workdir`` and reused by later
runs, as is the index built from it. The queries are seeded too, in two mixes run one after
the other, because their costs differ in kind:

* answered by the index and the page's rows: one word, two words, a postcode with a
  distance, words near a postcode, the service-at-location list;
* with a filter the index cannot apply (a need's taxonomy term, an age), which SQL checks
  down the ranked list and counts over all of it: cost grows with how many listings match
  the words (docs/api.md, "Search and proximity").

Pages 1 to 3 of 10 or 50 results. ``--procs`` client processes each run their own app (as
gunicorn workers would) through the Flask test client in a closed loop, with no HTTP in
between; all start together after warming up on a few requests of their own. For each mix it
prints searches per second, latency p50/p95/p99 per kind and overall, CPU milliseconds per
request, and the rows SQLite handed over per request (which must not grow with ``--size``:
tests/api/test_cost.py). The load average is printed too: on a shared machine figures are
noisy.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GAZETTEER = ROOT / "seeds" / "gazetteer" / "gazetteer.sqlite"
WARM_UP = 20


#: Kinds answered by the index plus the page's rows, and kinds with a filter SQL applies
#: down the ranked list (their cost grows with how many listings match the words).
INDEX_KINDS = ("word", "two_words", "postcode", "word_postcode", "locations")
FILTER_KINDS = ("word_term", "word_age")


def query_mix(data: dict, count: int, seed: int, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """``count`` (kind, URL) pairs of ``kinds`` in turn, the same for the same data and seed."""
    rng = random.Random(seed)
    words = [w for w in data["words"] if len(w) > 3][:400]
    postcodes = data["postcodes"]
    needs = [n["id"] for n in data["needs"]]
    makers = {
        "word": lambda: ("/api/services", {"search": rng.choice(words)}),
        "two_words": lambda: ("/api/services", {"search": " ".join(rng.sample(words, 2))}),
        "postcode": lambda: (
            "/api/services",
            {"postcode": rng.choice(postcodes), "proximity": rng.choice((2000, 5000, 10000))},
        ),
        "word_postcode": lambda: (
            "/api/services",
            {"search": rng.choice(words), "postcode": rng.choice(postcodes), "proximity": 20000},
        ),
        "locations": lambda: ("/api/service_at_locations", {"search": rng.choice(words)}),
        "word_term": lambda: (
            "/api/services",
            {"search": rng.choice(words), "taxonomy_term_id": rng.choice(needs)},
        ),
        "word_age": lambda: (
            "/api/services",
            {"search": rng.choice(words), "maximum_age": rng.choice((12, 17, 30))},
        ),
    }
    out = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        path, params = makers[kind]()
        params |= {"page": rng.choice((1, 1, 1, 2, 3)), "per_page": rng.choice((10, 50))}
        out.append((kind, f"{path}?{urlencode(params)}"))
    return out


def _app(database_url: str, index_dir: Path):
    from directory import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": str(index_dir),
            "GAZETTEER_PATH": str(GAZETTEER),
            "RATELIMIT_ENABLED": False,
            "SEARCH_LOGGING": False,
        }
    )


def _client(database_url, index_dir, mix, ready, start, results) -> None:
    """One client process: warm up, wait for the others, then run ``mix`` in a loop."""
    from sqlalchemy import event

    app = _app(database_url, index_dir)
    client = app.test_client()
    rows = [0]

    def counting(_cursor, row):
        rows[0] += 1
        return row

    def give_factory(_conn, cursor, *_args) -> None:
        if hasattr(cursor, "row_factory") and "sqlite" in database_url:
            cursor.row_factory = counting

    event.listen(app.extensions["database"].engine, "before_cursor_execute", give_factory)
    for _kind, url in mix[:WARM_UP]:
        client.get(url)
    rows[0] = 0
    ready.put(os.getpid())
    start.wait()
    timings: list[tuple[str, float]] = []
    cpu = time.process_time()
    for kind, url in mix:
        began = time.perf_counter()
        response = client.get(url)
        timings.append((kind, (time.perf_counter() - began) * 1000))
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.get_data(as_text=True)}")
    results.put((timings, time.process_time() - cpu, rows[0]))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def prepare(args: argparse.Namespace) -> tuple[str, Path, dict]:
    """The database URL, the index folder (built if missing) and the query data."""
    from search_bench import reuse_or_build_directory
    from sqlalchemy.orm import sessionmaker

    from directory.db import make_engine
    from search_index.schema import build_schema
    from search_index.store import IndexStore
    from search_index.sync import IndexSync

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / f"directory_{args.size}.sqlite"
    data = reuse_or_build_directory(db_path, args.size, args.seed)
    url = f"sqlite:///{db_path}"
    index_dir = workdir / f"index_{args.size}"
    engine = make_engine(url)
    sync = IndexSync(IndexStore(index_dir, build_schema), sessionmaker(bind=engine),
                     parallel_min_services=0)  # fmt: skip
    if sync.store.current_generation() is None:
        report = sync.rebuild(procs=2)
        print(f"index built: {report.documents:,} documents in {report.seconds:.1f} s", flush=True)
    engine.dispose()
    return url, index_dir, data


def run_phase(args, url: str, index_dir: Path, data: dict, kinds: tuple[str, ...]) -> None:
    """``--procs`` warm client processes run their share of one mix together; prints it."""
    ctx = multiprocessing.get_context("spawn")
    ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    clients = []
    for n in range(args.procs):
        mix = query_mix(data, args.requests, args.seed + n, kinds)
        clients.append(
            ctx.Process(target=_client, args=(url, index_dir, mix, ready, start, results))
        )
    for client in clients:
        client.start()
    for _ in clients:
        ready.get(timeout=600)  # every client warm
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    start.set()
    outcomes = [results.get(timeout=3600) for _ in clients]
    wall = time.perf_counter() - began
    for client in clients:
        client.join()
    report(args, kinds, outcomes, wall, load_before)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300, help="per client process and mix")
    parser.add_argument("--procs", type=int, default=1, help="client processes")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "api_bench"))
    parser.add_argument("--no-filters", action="store_true", help="skip the filtered mix")
    args = parser.parse_args(argv)
    url, index_dir, data = prepare(args)
    run_phase(args, url, index_dir, data, INDEX_KINDS)
    if not args.no_filters:
        run_phase(args, url, index_dir, data, FILTER_KINDS)
    return 0


def report(args, kinds, outcomes, wall: float, load_before: float) -> None:
    timings = [t for outcome in outcomes for t in outcome[0]]
    cpu = sum(outcome[1] for outcome in outcomes)
    rows = sum(outcome[2] for outcome in outcomes)
    count = len(timings)
    print(
        f"\nAPI searches at {args.size:,} services ({', '.join(kinds)}): "
        f"{args.procs} client process(es), {count:,} requests, seed {args.seed}"
    )
    print(f"  load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(
        f"  {count / wall:.1f} searches/s; CPU {1000 * cpu / count:.1f} ms per request; "
        f"{rows / count:.1f} rows read per request"
    )
    print(f"  {'kind':16} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'n':>5}")
    for kind in [*kinds, "overall"]:
        values = [ms for k, ms in timings if kind in (k, "overall")]
        print(
            f"  {kind:16} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} "
            f"{percentile(values, 0.99):8.1f} {len(values):5d}"
        )
    print(json.dumps({"size": args.size, "kinds": kinds, "searches_per_s": round(count / wall, 1)}))


if __name__ == "__main__":
    raise SystemExit(main())
