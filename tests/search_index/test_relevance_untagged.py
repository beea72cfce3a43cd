"""Issue 11's held-out set: listings with no need terms, queries in residents' words.

``tests/search_index/untagged/`` holds 58 council-style listings (HTML descriptions, no
taxonomy terms, about half without a location) and 91 queries written before any tuning
(see its SOURCE.md and the docstring of cases.py). The engine runs with the curated
vocabulary loaded but no term on any listing, and with need inference when
``directory.inference.infer_services`` exists; plain SQLite FTS5 (OR of the words, bm25) runs
on the same listings as the baseline.

The shape checks must pass. The two targets of the issue (a right answer in the top 3 for
at least 0.90 of queries with inference on, and at least 0.25 above the better FTS5
tokenizer) are marked xfail until issue 11's search work meets them; the lead engineer
removes the marks then. Run with ``-s`` to see the figures, or use bench/untagged_eval.py
for the per-query table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.search_index.untagged.cases import CASES
from tests.search_index.untagged.harness import (
    FTS_TOKENIZERS,
    LoadedEngine,
    Ranked,
    fts_rankings,
    load_listings,
    loaded_engine,
    summary,
)

TARGET_TOP3 = 0.90
TARGET_MARGIN = 0.25


@pytest.fixture(scope="module")
def engine(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedEngine]:
    """The engine over the untagged listings, with inference when it exists."""
    folder = tmp_path_factory.mktemp("untagged")
    with loaded_engine(folder, template=migrated_sqlite_template, inference=True) as loaded:
        yield loaded


@pytest.fixture(scope="module")
def engine_results(engine: LoadedEngine) -> list[Ranked]:
    return engine.run()


@pytest.fixture(scope="module")
def best_fts() -> tuple[str, dict[str, float]]:
    """The better of the two FTS5 tokenizers, by right answers in the top 3."""
    listings = load_listings()
    totals = {
        label: summary(fts_rankings(listings, CASES, tokenizer))
        for label, tokenizer in FTS_TOKENIZERS.items()
    }
    return max(totals.items(), key=lambda item: item[1]["right answer in top 3"])


def _misses(results: list[Ranked]) -> str:
    return "\n".join(
        f"  {r.case.text!r}: first right answer at {r.first_right or '-'}"
        for r in results
        if not r.right_in_top3
    )


def test_the_set_is_big_enough_and_every_right_answer_exists():
    listings = load_listings()
    ids = [str(s["id"]) for s in listings]
    assert len(ids) >= 40
    assert len(CASES) >= 60
    assert not [i for i, n in Counter(ids).items() if n > 1]
    unknown = {(c.text, i) for c in CASES for i in c.right if i not in set(ids)}
    assert not unknown
    assert all(c.right for c in CASES)
    assert len({(c.text, c.place) for c in CASES}) == len(CASES), "a query is repeated"


def test_no_listing_carries_a_need_term():
    for listing in load_listings():
        assert not {"taxonomy", "taxonomy_terms", "attributes"} & set(listing), listing["id"]


def test_every_listing_imports_and_is_indexed(engine: LoadedEngine):
    assert engine.import_errors == []
    assert len(engine.feed_ids) == len(load_listings())
    assert engine.stored_ids == set(engine.feed_ids), "hits could not be told apart by feed id"
    assert engine.searcher.doc_count() >= len(load_listings())


def test_the_fts_baseline_finds_something_for_most_queries():
    """A guard on the baseline itself: a broken FTS5 query would make the margin easy."""
    for tokenizer in FTS_TOKENIZERS.values():
        results = fts_rankings(load_listings(), CASES, tokenizer)
        assert sum(bool(r.ids) for r in results) >= 0.8 * len(CASES)


@pytest.mark.xfail(strict=False, reason="issue 11: engine below 0.90 right in top 3 on untagged")
def test_a_right_answer_in_the_top_3_for_nine_queries_in_ten(
    engine: LoadedEngine, engine_results: list[Ranked]
):
    totals = summary(engine_results)
    print(f"\n{engine.inference}: " + ", ".join(f"{k} {v:.2f}" for k, v in totals.items()))
    assert totals["right answer in top 3"] >= TARGET_TOP3, _misses(engine_results)


@pytest.mark.xfail(strict=False, reason="issue 11: engine not yet 0.25 above FTS5 on untagged")
def test_at_least_a_quarter_better_than_fts5(
    engine_results: list[Ranked], best_fts: tuple[str, dict[str, float]]
):
    label, fts = best_fts
    ours = summary(engine_results)["right answer in top 3"]
    theirs = fts["right answer in top 3"]
    print(f"\nengine {ours:.2f} against {label} {theirs:.2f}")
    assert ours >= theirs + TARGET_MARGIN, _misses(engine_results)
