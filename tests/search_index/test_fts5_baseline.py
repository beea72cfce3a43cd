"""The search benchmark's FTS5 side does the results page's work, and does it right.

``bench/search_bench.py`` holds the engine to ratios against "an FTS5 doing the same work"
(issue 14, scope 6). The same work includes the facets over every match and the shown rows
with open-now text (``bench/fts5_page.py``): these tests check that FTS5's counts are the
plain counts of the documents it matched (the engine's own bitsets give the reference), and
that its rows say what the engine's say for the same documents, so the baseline is neither
doing less than the engine nor doing it wrong.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import sessionmaker

from bench.synthetic import build_directory
from directory.db import db
from search_index.documents import build_memory_index, iter_all_documents
from search_index.engine import build_context, make_hit, view_for
from search_index.geo import GeoScope
from search_index.query import TextPlan
from search_index.ranking import stored_row
from search_index.schema import AGE_BANDS, NATIONAL
from tests.search_index.conftest import app_in

# The benchmark's modules import each other as scripts do (bench/ on the path).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from fts5_side import Fts5Searcher, build_fts

NOW = datetime(2025, 11, 18, 10, 30, tzinfo=ZoneInfo("Europe/London"))
WORDS = ("food", "debt advice", "befriending", "carers", "lunch club", "")


@pytest.fixture(scope="module")
def world(migrated_sqlite_template: Path, tmp_path_factory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("fts5")
    app = app_in(folder, migrated_sqlite_template)
    data = build_directory(f"sqlite:///{folder / 'db.sqlite'}", 400, 20251118)
    with app.app_context():
        context = build_context(db.session, app=app)
        gazetteer = context.gazetteer
        factory = sessionmaker(bind=app.extensions["database"].engine)
        path = folder / "fts.sqlite"
        build_fts(path, factory, lambda s: iter_all_documents(s, gazetteer=gazetteer))
        searcher = build_memory_index(db.session, gazetteer=gazetteer).searcher()
        fts = Fts5Searcher(path, gazetteer, gazetteer.authorities_containing, context.vocabulary)
        by_doc_id = {
            stored["doc_id"]: docnum for docnum, stored in enumerate(searcher.all_stored_fields())
        }
        yield SimpleNamespace(
            fts=fts, searcher=searcher, context=context, data=data, by_doc_id=by_doc_id
        )
        fts.close()
        searcher.close()
    app.extensions["database"].engine.dispose()


def matched_docnums(world) -> list[int]:
    """The engine's document numbers of the documents FTS5 matched (``temp.matched``)."""
    rows = world.fts.conn.execute(
        "SELECT d.doc_id FROM temp.matched m JOIN doc d ON d.id = m.id"
    ).fetchall()
    return [world.by_doc_id[doc_id] for (doc_id,) in rows]


def plain(view, bits: int, field: str) -> dict[str, int]:
    found = {v: (bits & view.term_bits(field, v)).bit_count() for v in view.field_values(field)}
    return {v: n for v, n in found.items() if n}


def searches(world) -> list[tuple[str, str]]:
    postcodes = world.data["postcodes"][:4]
    return [(w, "") for w in WORDS if w] + [(w, p) for p in postcodes for w in WORDS]


def test_fts5_facets_are_the_plain_counts_of_its_matches(world):
    view = view_for(world.searcher)
    minute = NOW.weekday() * 1440 + NOW.hour * 60 + NOW.minute
    checked = 0
    for text, postcode in searches(world):
        total, _rows = world.fts.search(text, postcode, 8.0, NOW)
        docnums = matched_docnums(world)
        assert len(docnums) == total, (text, postcode)
        bits = view.from_ids(docnums)
        facets = world.fts.facets
        counted = {v.key: v.count for v in facets["need"]}
        assert counted == plain(view, bits, "need"), (text, postcode)
        assert {v.key: v.count for v in facets["client_group"]} == plain(view, bits, "group")
        areas = plain(view, bits, "area")
        areas.pop(NATIONAL, None)
        assert {v.key: v.count for v in facets["area"]} == areas
        ages = {v.key: v.count for v in facets["age"]}
        assert ages == {k: plain(view, bits, "age_band").get(k, 0) for k in AGE_BANDS}
        assert facets["free"][0].count == (bits & view.term_bits("flag", "free")).bit_count()
        modes = plain(view, bits, "mode")
        assert {v.key: v.count for v in facets["delivery"]} == {
            v.key: modes.get(v.key, 0) for v in facets["delivery"]
        }
        assert facets["open"][0].count == (bits & view.open_at(minute)).bit_count()
        checked += total
    assert checked > 100  # searches that matched something were compared


def test_fts5_rows_say_what_the_engines_say_for_the_same_documents(world):
    plan = TextPlan()
    scope = GeoScope(None, None, 0)
    compared = 0
    for text, postcode in searches(world):
        world.fts.search(text, postcode, 8.0, NOW)
        ids = [hit.service_at_location_id or hit.service_id for hit in world.fts.hits]
        assert len(ids) == len(world.fts.hits)
        for hit in world.fts.hits:
            suffix = hit.service_at_location_id or "area"
            docnum = world.by_doc_id[f"{hit.service_id}:{suffix}"]
            engine = make_hit(stored_row(world.searcher, docnum), docnum, 0.0, scope, plan, NOW)
            assert hit.name == engine.name
            assert hit.open_status_text == engine.open_status_text
            assert hit.needs == engine.needs and hit.delivery_modes == engine.delivery_modes
            assert hit.last_checked == engine.last_checked
            if postcode and hit.distance_km is not None:
                assert hit.location_id == engine.location_id
            compared += 1
    assert compared > 50
