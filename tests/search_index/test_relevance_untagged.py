"""Issue 11's held-out sets: listings with no need terms, queries in residents' words.

``tests/search_index/untagged/`` holds 58 council-style listings (HTML descriptions, no
taxonomy terms, about half without a location) and 91 queries written before any tuning;
``tests/search_index/untagged2/`` holds a second, fresh set written later by someone who had
not seen the engine's results: an ORUK 1.0 feed of 32 listings (with the feed's own
categories) and an Outpost page of 28, and 132 queries (see each folder's SOURCE.md and the
docstring of its cases.py). Every test runs on both sets. The engine runs with the curated
vocabulary loaded but no curated term on any listing, and with need inference when
``directory.inference.infer_services`` exists; plain SQLite FTS5 (OR of the words, bm25) runs
on the same listings as the baseline.

The shape checks must pass, and so must two floors set under the figures measured when issue
11's work was done (0.87 and 0.89 right in the top 3 with inference on; 0.08 and 0.09 above
FTS5 porter), so a change that makes search worse on listings without our terms fails here.
The issue's own targets (0.90, and 0.25 above the better FTS5 tokenizer) are printed beside
the figures; the margin target cannot be met on these sets at all, since FTS5 porter already
scores 0.79 and 0.80 (see docs/search.md, "Relevance on councils' listings"). Nothing was
tuned against these sets; run with ``-s`` for the figures, or bench/untagged_eval.py for the
per-query table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.search_index.untagged.harness import (
    FTS_TOKENIZERS,
    SETS,
    HeldOutSet,
    LoadedEngine,
    Ranked,
    field_value,
    fts_rankings,
    listing_id,
    load_listings,
    loaded_engine,
    summary,
)

TARGET_TOP3 = 0.90
TARGET_MARGIN = 0.25
#: Floors under the figures measured when the work was done (see the module docstring).
FLOOR_TOP3 = 0.85
FLOOR_MARGIN = 0.05


@pytest.fixture(scope="module", params=list(SETS))
def held(request: pytest.FixtureRequest) -> HeldOutSet:
    """Each held-out set in turn."""
    return SETS[request.param]


@pytest.fixture(scope="module")
def engine(
    held: HeldOutSet, migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedEngine]:
    """The engine over the set's untagged listings, with inference when it exists."""
    folder = tmp_path_factory.mktemp(held.name)
    with loaded_engine(
        folder, template=migrated_sqlite_template, inference=True, held=held
    ) as loaded:
        yield loaded


@pytest.fixture(scope="module")
def engine_results(engine: LoadedEngine) -> list[Ranked]:
    return engine.run()


@pytest.fixture(scope="module")
def best_fts(held: HeldOutSet) -> tuple[str, dict[str, float]]:
    """The better of the two FTS5 tokenizers, by right answers in the top 3."""
    listings = load_listings(held)
    totals = {
        label: summary(fts_rankings(listings, held.cases, tokenizer))
        for label, tokenizer in FTS_TOKENIZERS.items()
    }
    return max(totals.items(), key=lambda item: item[1]["right answer in top 3"])


def _misses(results: list[Ranked]) -> str:
    return "\n".join(
        f"  {r.case.text!r}: first right answer at {r.first_right or '-'}"
        for r in results
        if not r.right_in_top3
    )


def test_the_set_is_big_enough_and_every_right_answer_exists(held: HeldOutSet):
    listings = load_listings(held)
    cases = held.cases
    ids = [listing_id(s) for s in listings]
    assert len(ids) >= 40
    assert len(cases) >= 60
    assert not [i for i, n in Counter(ids).items() if n > 1]
    unknown = {(c.text, i) for c in cases for i in c.right if i not in set(ids)}
    assert not unknown
    assert all(c.right for c in cases)
    assert len({(c.text, c.place) for c in cases}) == len(cases), "a query is repeated"


def test_no_listing_carries_a_need_term(held: HeldOutSet):
    """No ORUK 3.0 term links at all; a feed's own categories (``service_taxonomys``,
    Outpost's ``taxonomies``) are allowed, and the import test below checks they never
    become curated links."""
    for listing in load_listings(held):
        keys = {str(k).lower() for k in listing}
        assert not {"taxonomy", "taxonomy_terms", "attributes"} & keys, listing_id(listing)
        assert field_value(listing, "id") is not None


def test_every_listing_imports_and_is_indexed(held: HeldOutSet, engine: LoadedEngine):
    listings = load_listings(held)
    assert engine.import_errors == []
    assert engine.curated_links == 0, "the import linked a curated term to a listing"
    assert len(engine.feed_ids) == len(listings)
    assert engine.stored_ids == set(engine.feed_ids), "hits could not be told apart by feed id"
    assert engine.searcher.doc_count() >= len(listings)


def test_the_fts_baseline_finds_something_for_most_queries(held: HeldOutSet):
    """A guard on the baseline itself: a broken FTS5 query would make the margin easy."""
    for tokenizer in FTS_TOKENIZERS.values():
        results = fts_rankings(load_listings(held), held.cases, tokenizer)
        assert sum(bool(r.ids) for r in results) >= 0.8 * len(held.cases)


def test_search_on_untagged_listings_keeps_its_measured_level(
    held: HeldOutSet, engine_results: list[Ranked], best_fts: tuple[str, dict[str, float]]
):
    ours = summary(engine_results)["right answer in top 3"]
    label, fts = best_fts
    theirs = fts["right answer in top 3"]
    met = ours >= TARGET_TOP3 and ours >= theirs + TARGET_MARGIN
    verdict = "met" if met else "not met"
    print(f"\n{held.name}: engine {ours:.2f} against {label} {theirs:.2f}; the issue's "
          f"targets ({TARGET_TOP3:.2f}, and {label} + {TARGET_MARGIN:.2f}) {verdict}")  # fmt: skip
    assert ours >= FLOOR_TOP3, _misses(engine_results)
    assert ours >= theirs + FLOOR_MARGIN, _misses(engine_results)
