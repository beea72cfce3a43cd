"""Page benchmark: how long the results page takes to render, end to end, over the seed data.

Run from the project root (about 30 seconds, most of it loading the seeds):

    .venv/bin/python bench/page_bench.py

It loads every seed file (seeds/taxonomy.json, seeds/listings/*.json) into a throwaway SQLite
database with the project's seed loader, builds the search index with the index store, then
asks for ``/search`` pages through the Flask test client: the whole request, from the query
string to the finished HTML (20 results server-rendered, filters with counts, paging, map
points), as a browser would get it minus the network. A fixed mix of realistic URLs is
requested once to warm the caches (searcher, vocabulary, gazetteer), then ``--rounds`` times
each. It prints p50/p95 per kind and overall; the target is p95 under 100 ms.

``--database-url`` and ``--index-dir`` measure an existing database and index instead.
The machine's load average is printed too: on a shared machine the figures are noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import sessionmaker  # noqa: E402

from directory import create_app, listeners, migrate  # noqa: E402
from directory.db import make_engine  # noqa: E402
from directory.seeding import seed_database  # noqa: E402

TARGET_P95_MS = 100.0
URLS: dict[str, list[str]] = {
    "words": [
        "/search?q=food",
        "/search?q=lonely",
        "/search?q=debt+advice",
        "/search?q=carers+group",
        "/search?q=nobody+ever+visits+me",
    ],
    "words+place": [
        "/search?q=lonely&where=CH1+2HJ",
        "/search?q=food+bank&where=Ellesmere+Port",
        "/search?q=benefits&where=CH65+0AA",
        "/search?q=dementia&where=Northwich",
        "/search?q=walking&where=CW9",
    ],
    "place only": [
        "/search?where=CH1+2HJ",
        "/search?where=Chester&sort=distance",
        "/search?where=CH1+2HJ&page=3",
        "/search?where=Winsford&radius=20",
    ],
    "filters": [
        "/search?need=money&where=Chester",
        "/search?need=money&need=debt-advice&where=Chester&free=yes",
        "/search?q=advice&mode=phone&age=older_people",
        "/search?need=loneliness&area=E06000050&open=now",
        "/search?need=food&day=saturday",
    ],
    "no results": [
        "/search?q=zzzzqq&where=CH65+0AA",
        "/search?q=zzzzqq&need=money&where=CH65+0AA",
    ],
    "crisis": [
        "/search?q=I+feel+like+ending+it+all",
        "/search?need=crisis-support&need=domestic-abuse&urgent=yes",
    ],
    "typos and bad input": [
        "/search?q=counsellling",
        "/search?q=food&where=Chestr",
        "/search?q=%22food+bank%22+AND+*",
        "/search?q=" + "x" * 2000,
    ],
}


def seeded(workdir: Path) -> tuple[str, str]:
    """A throwaway database with every seed file loaded, and its search index built."""
    url = f"sqlite:///{workdir / 'directory.sqlite'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    factory = sessionmaker(bind=engine)
    listeners.install(factory)  # change log and geocoding, as in `flask seed`
    with factory() as session:
        seed_database(session)  # logged as system:seed
        session.commit()
    engine.dispose()
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    return url, str(workdir / "search_index")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(database_url: str, index_dir: str, rounds: int) -> dict[str, list[float]]:
    app = create_app(
        {
            "SECRET_KEY": "page-bench",
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": index_dir,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    started = time.perf_counter()
    for urls in URLS.values():
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    warm = time.perf_counter() - started
    print(f"first pass (builds the index and warms the caches) {warm:.1f} s")
    timings: dict[str, list[float]] = {kind: [] for kind in URLS}
    for _ in range(rounds):
        for kind, urls in URLS.items():
            for url in urls:
                began = time.perf_counter()
                response = client.get(url)
                response.get_data()
                timings[kind].append((time.perf_counter() - began) * 1000)
    app.extensions["database"].engine.dispose()
    return timings


def report(timings: dict[str, list[float]]) -> float:
    print(f"\n{'kind':<22}{'pages':>7}{'p50 ms':>9}{'p95 ms':>9}")
    everything: list[float] = []
    for kind, values in timings.items():
        everything += values
        print(
            f"{kind:<22}{len(values):>7}{statistics.median(values):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}"
        )
    p95 = percentile(everything, 0.95)
    print(f"{'all':<22}{len(everything):>7}{statistics.median(everything):>9.1f}{p95:>9.1f}")
    verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
    print(f"\np95 {p95:.1f} ms {verdict} the {TARGET_P95_MS:.0f} ms target")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cores")
    return p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="times each URL is measured")
    parser.add_argument("--database-url", default=None, help="measure this database instead")
    parser.add_argument("--index-dir", default=None, help="its search index folder")
    args = parser.parse_args(argv)
    workdir = None
    if args.database_url:
        database_url = args.database_url
        index_dir = args.index_dir or str(ROOT / "instance" / "search_index")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="page-bench-"))
        database_url, index_dir = seeded(workdir)
    try:
        p95 = report(run(database_url, index_dir, args.rounds))
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if p95 < TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
