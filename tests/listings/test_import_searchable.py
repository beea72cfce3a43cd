"""An imported feed is searchable the moment its import commits, with no rebuild.

Each record is written inside a SAVEPOINT, and SQLAlchemy reports a SAVEPOINT's release and
rollback to the same session hooks as the real commit: the index must wait for the real one
(it once indexed at the first release, read nothing yet committed, and marked the changes
done, so a whole import stayed unsearchable until a rebuild).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from directory.db import db
from directory.listings.feed_import import ImportOptions, run_import
from directory.models import ListingStatus, Service
from search_index.api import SearchRequest, match_all
from search_index.sync import get_sync
from tests.listings.fixtures.feeds.generate_council_feed import generate
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401


def test_every_listing_of_an_import_is_found_without_a_rebuild(feed_app, tmp_path):
    app = feed_app
    records = generate(60, seed=4)
    # One record the database refuses at write time (its SAVEPOINT is rolled back).
    records.append({"id": "5e7a0000-0000-4000-8000-000000000001",
                    "service": {"id": "5e7a0000-0000-4000-8000-000000000002", "name": "Ghost"},
                    "location_id": "5e7a0000-0000-4000-8000-00000000dead"})  # fmt: skip
    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(records))
    with app.app_context():
        store = get_sync(app).ready_store()  # an empty index, as on a new site
        report = run_import(db.session, str(feed), ImportOptions())
        assert [e.message for e in report.errors] == ["names no location that is known"]

        services = dict(
            db.session.execute(
                select(Service.id, Service.name).where(
                    Service.listing_status == ListingStatus.ACTIVE
                )
            ).all()
        )
        with store.open_index(store.current_generation()).searcher() as searcher:
            indexed = {value.decode() for value in searcher.lexicon("service_id")}
        assert indexed == set(services)
        lunch = {ident for ident, name in services.items() if "Lunch Club" in name}
        assert lunch
        found = {m.service_id for m in match_all(SearchRequest(text="lunch club")).matches}
        assert lunch <= found
