"""Relevance over the seed data: the cases in relevance_cases.py, scored and printed.

Run with ``-s`` to see precision@5 and reciprocal rank per query, the totals, and what each
part of text relevance adds (the table in docs/search.md, "Relevance", comes from this output).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from directory.db import db
from directory.models import Service
from search_index import SearchRequest
from search_index.documents import build_memory_index, iter_all_documents
from search_index.engine import build_context, run_search
from search_index.query import Options
from search_index.schema import SECTION_WEIGHTS, build_schema, weighted
from tests.search_index.conftest import app_in
from tests.search_index.relevance_cases import (
    CASES,
    Score,
    load_seed_data,
    relevant_names,
    score,
    summary,
)

NOW = datetime(2025, 11, 25, 11, 0)
PLAIN = Options(synonyms=False, phrases=False, typos=False)
ABLATION = {
    "+ taxonomy labels and synonyms indexed with each listing": PLAIN,
    "+ synonyms and intent phrases at query time": Options(
        synonyms=True, phrases=False, typos=False
    ),
    "+ quoted phrases and words-together boost": Options(synonyms=True, phrases=True, typos=False),
    "+ typo tolerance (everything)": Options(synonyms=True, phrases=True, typos=True),
}


@pytest.fixture(scope="module")
def seeded(migrated_sqlite_template: Path, tmp_path_factory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("relevance")
    app = app_in(folder, migrated_sqlite_template)
    with app.app_context():
        session = db.session
        load_seed_data(session)
        index = build_memory_index(session)
        context = build_context(session, app=app)
        vocab = context.vocabulary
        below = {
            vocab.label(t): {vocab.label(d) for d in vocab.terms if t in vocab.ancestors(d)}
            for t in vocab.terms
        }
        listings: dict[str, set[str]] = {}
        for service in session.scalars(select(Service)):
            labels = {a.taxonomy_term.name for a in service.attributes}
            listings.setdefault(service.name, set()).update(labels)
        searcher = index.searcher()
        bare = _listing_text_only_index(session).searcher()
        yield SimpleNamespace(
            searcher=searcher,
            bare=bare,
            context=context,
            listings=listings,
            below=below,
            size=len(listings),
        )
        searcher.close()
        bare.close()
    app.extensions["database"].engine.dispose()


def _listing_text_only_index(session):
    """The baseline: the same documents without the taxonomy's labels and synonyms in the
    text fields, i.e. BM25 on what the listings themselves say."""
    from search_index.memory import PrivateRamStorage

    index = PrivateRamStorage().create_index(build_schema())
    with index.writer() as writer:
        for doc in iter_all_documents(session):
            texts = dict(zip(SECTION_WEIGHTS, (text for _weight, text in doc["all"]), strict=True))
            doc["all"] = weighted({k: texts[k] for k in ("name", "organisation", "description")})
            writer.add_document(**doc)
    return index


def run_cases(seeded, options: Options, searcher=None) -> list[Score]:
    searcher = searcher or seeded.searcher
    context = seeded.context
    original = context.options
    context.options = options
    try:
        scores = []
        for case in CASES:
            request = SearchRequest(text=case.text, place=case.place, now=NOW, per_page=10)
            results = run_search(searcher, request, context)
            scores.append(
                score(case, results.hits, relevant_names(case, seeded.listings, seeded.below))
            )
        return scores
    finally:
        context.options = original


def _report(scores: list[Score]) -> str:
    lines = [f"{'query':<46} {'P@5':>5} {'RR':>5}  top 3"]
    for s in scores:
        query = (s.case.text or "-") + (f" @ {s.case.place}" if s.case.place else "")
        flag = "" if s.right_in_top3 and s.must_in_top5 else "  <-- "
        lines.append(
            f"{query[:46]:<46} {s.precision5:5.2f} {s.reciprocal_rank:5.2f}  "
            f"{' | '.join(s.top[:3])[:90]}{flag}"
        )
    lines += [f"{k}: {v:.3f}" for k, v in summary(scores).items()]
    return "\n".join(lines)


def test_the_seed_data_is_loaded(seeded):
    assert seeded.size > 300
    assert len(CASES) >= 40


def test_relevance_over_the_seed_data(seeded):
    scores = run_cases(seeded, Options())
    print("\n" + _report(scores))
    totals = summary(scores)
    assert totals["right answer in top 3"] >= 0.9, _report(scores)
    assert totals["must-haves in top 5"] >= 0.9, _report(scores)


def test_what_each_part_adds(seeded):
    bare = summary(run_cases(seeded, PLAIN, seeded.bare))
    rows = [("BM25 on the listings' own text (AND, then OR)", bare)]
    for label, options in ABLATION.items():
        totals = summary(run_cases(seeded, options))
        rows.append((label, totals))
    print("\n| configuration | right in top 3 | must-haves in top 5 | P@5 | MRR |")
    print("|---|---|---|---|---|")
    for label, t in rows:
        print(
            f"| {label} | {t['right answer in top 3']:.2f} | {t['must-haves in top 5']:.2f} "
            f"| {t['precision@5']:.2f} | {t['MRR']:.2f} |"
        )
    assert rows[-1][1]["MRR"] > rows[0][1]["MRR"]
