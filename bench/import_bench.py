"""Import benchmark: how long a real-shaped council feed takes to import and become searchable.

Run from the project root (a script, not a test):

    .venv/bin/python bench/import_bench.py [--count 800] [--database URL] [--runs 2]

It builds an empty directory (a throwaway SQLite file unless ``--database`` names another,
migrated, empty one) with its search index, generates the deterministic ORUK 1.0 feed of
``tests/listings/fixtures/feeds/generate_council_feed.py`` (HTML descriptions, no location for
most, empty names, about 5% repeated records, odd phones, ``pc_`` fields), and times
``import-hsds`` of it end to end: reading, converting, validating every record, writing it in
one transaction, and the search index update that runs on commit. Then it checks the import is
*fully searchable*: every imported listing is found by a search for its own name. A second run
re-imports the same feed (nothing changes, nothing is retired), as a nightly re-import would.

The issue's target: several hundred services import in under a minute and are fully
searchable. The machine's load average is printed with the figures: on a shared machine they
are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from directory import create_app, migrate  # noqa: E402
from directory.db import db  # noqa: E402
from directory.listings.feed_import import ImportOptions, run_import  # noqa: E402
from directory.models import ListingStatus, Service  # noqa: E402
from search_index.api import SearchRequest, match_all  # noqa: E402
from search_index.sync import get_sync  # noqa: E402
from tests.listings.fixtures.feeds.generate_council_feed import ACTIVITIES, generate  # noqa: E402


def _searchable(app, session) -> tuple[int, int, int, int]:
    """(active listings with a document in the index, active listings, listings found by a
    search for their activity, listings named for an activity).

    A search for each listing's full name is no test here: a name such as "Blacon Lunch Club"
    starts with a place, which search reads as "near Blacon", and most of these listings have
    no location. So each activity's words ("lunch club") must find every listing named for
    it, wherever it is.
    """
    services = dict(
        session.execute(
            select(Service.id, Service.name).where(Service.listing_status == ListingStatus.ACTIVE)
        ).all()
    )
    store = get_sync(app).ready_store()
    with store.open_index(store.current_generation()).searcher() as searcher:
        indexed = {value.decode() for value in searcher.lexicon("service_id")}
    found = named = 0
    for title, *_rest in ACTIVITIES:
        matched = {m.service_id for m in match_all(SearchRequest(text=title)).matches}
        expected = {ident for ident, name in services.items() if title.lower() in name.lower()}
        named += len(expected)
        found += len(expected & matched)
    return len(indexed & set(services)), len(services), found, named


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=800)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--runs", type=int, default=2, help="imports of the same feed")
    parser.add_argument("--database", help="an empty, migrated database URL (default: SQLite)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = args.database or f"sqlite:///{work / 'directory.sqlite'}"
    if not args.database:
        migrate.upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "SEARCH_INDEX_DIR": str(work / "index"), "SECRET_KEY": "bench"}
    )
    feed = work / "council.json"
    records = generate(args.count, args.seed)
    feed.write_text(json.dumps(records))
    print(f"feed: {len(records)} records ({args.count} services and repeats), "
          f"{feed.stat().st_size / 1e6:.1f} MB; database {url.split(':')[0]}")  # fmt: skip
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with app.app_context():
        get_sync(app).ready_store()  # an empty index, as on a new site
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            report = run_import(db.session, str(feed), ImportOptions())
            seconds = time.perf_counter() - started
            counts = report.counts.get("service", {})
            print(
                f"run {run}: {seconds:.1f} s to import and index "
                f"({counts.get('created', 0)} created, {counts.get('updated', 0)} updated, "
                f"{counts.get('unchanged', 0)} unchanged, {len(report.errors)} errors, "
                f"{len(report.warnings)} warnings, {len(report.retired)} retired)"
            )
        indexed, total, found, named = _searchable(app, db.session)
        print(f"searchable: {indexed} of {total} active listings are in the search index; "
              f"a search for each activity's words found {found} of the {named} listings "
              "named for it")  # fmt: skip
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
