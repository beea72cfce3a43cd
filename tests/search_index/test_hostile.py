"""Whatever is typed, search answers: query syntax, huge input, control characters, emoji,
SQL, nonsense places and odd request values never raise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.db import db
from search_index import SearchRequest
from search_index.documents import build_memory_index
from search_index.engine import build_context, run_search
from tests.factories import make_directory
from tests.search_index.conftest import app_in

NOW = datetime(2025, 11, 25, 11, 0)

HOSTILE = [
    '"', '""', '"food bank', "food bank\"'", "(", ")", "((((debt", "debt))))", "[", "]", "{}",
    "AND", "OR", "NOT", "AND OR NOT", "debt AND", "NOT debt", "*", "**", "deb*", "*:*",
    "name:debt", "service_id:*", "doc_id:x OR 1", "debt~2", "debt^100", "/regex/", "\\",
    "'; DROP TABLE service; --", "1' OR '1'='1", "<script>alert(1)</script>", "%00", "\x00",
    "\x1b[2J", "\u202e\u202d", "\ufeff", "\ud800", "🍲🏠💷", "👨‍👩‍👧 family",
    "\uff24\uff45\uff42\uff54", "ǅ ß ﬁ",
    "debt " * 3000, "x" * 10_000, "CH1 1AA " * 500, "a b c d e f g h i j k l m n o p q r s",
    "TO", "[a TO z]", "{a TO z}", "debt:", ":debt", "-debt", "+debt", "!debt", "&&", "||",
]  # fmt: skip


@pytest.fixture(scope="module")
def world(migrated_sqlite_template: Path, tmp_path_factory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("hostile")
    app = app_in(folder, migrated_sqlite_template)
    with app.app_context():
        make_directory(db.session)
        db.session.commit()
        index = build_memory_index(db.session)
        searcher = index.searcher()
        yield SimpleNamespace(searcher=searcher, context=build_context(db.session, app=app))
        searcher.close()
    app.extensions["database"].engine.dispose()


def _search(world, **kwargs):
    kwargs.setdefault("now", NOW)
    return run_search(world.searcher, SearchRequest(**kwargs), world.context)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_breaks_search(world, text):
    results = _search(world, text=text)
    assert results.total >= 0 and len(results.hits) <= 20
    for hit in results.hits:
        assert "<script" not in hit.summary_html


@pytest.mark.parametrize("place", HOSTILE)
def test_hostile_places_never_break_search(world, place):
    results = _search(world, text="debt", place=place)
    assert results.place is not None or results.place_message is None or results.place_message


def test_query_syntax_is_never_interpreted(world):
    # No words at all is a search for everything (near the place, if any), never a
    # "match all" query, and field names are just words.
    assert _search(world, text="*:*").total == _search(world, text="").total
    assert _search(world, text="name:debt").total == _search(world, text="name debt").total
    assert _search(world, text="NOT debt").total == _search(world, text="debt").total


def test_long_text_is_cut_and_still_searched_quickly(world):
    results = _search(world, text="debt " * 3000)
    assert results.total > 0
    assert results.timings["total"] < 2000


def test_odd_request_values_are_clamped_or_ignored(world):
    odd = _search(
        world, text="debt", page=-5, per_page=10_000, radius_km=-3, age=-1, open_day=9,
        need_ids=("", "x" * 500, "'; DROP TABLE"), area_codes=("E06000050",) * 500,
        delivery_modes=("teleport",), sort="sideways",
    )  # fmt: skip
    assert odd.page == 1 and len(odd.hits) <= 100
    assert _search(world, text="debt", open_time=time(25 % 24, 0), open_day=0).total >= 0


texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.lists(st.sampled_from([*HOSTILE[:40], "debt", "food", "lonely", "CH1 2HJ"]), max_size=6).map(
        " ".join
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts, place=texts)
def test_no_text_or_place_makes_search_raise(world, text, place):
    results = _search(world, text=text, place=place)
    assert results.pages >= 0 and results.total >= len(results.hits)
