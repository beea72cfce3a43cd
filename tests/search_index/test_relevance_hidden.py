"""Relevance over the seed data with every curated need and client group hidden: what a council
whose feed carries none of our terms gets, with need inference on (``directory.inference``).

The same queries as ``test_relevance.py`` and ``test_relevance_heldout.py``; right answers are
still judged by the curated terms, read before they are hidden. The listings keep their own
words only, so this measures inference and the words-first search together. Run with ``-s``
to see each set's figures and misses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from directory.db import db
from directory.inference.services import infer_services
from directory.models import Attribute, Service
from search_index import SearchRequest
from search_index.documents import build_memory_index
from search_index.engine import build_context, run_search
from tests.search_index.conftest import app_in
from tests.search_index.heldout_cases import HELD_OUT, PARAPHRASES
from tests.search_index.relevance_cases import CASES, load_seed_data, relevant_names, score, summary
from tests.search_index.test_relevance import NOW

#: (cases, floor for right answer in the top 3). Measured: docs/search.md, "Relevance on councils".
SETS = {"tuned": (CASES, 0.85), "held out": (HELD_OUT, 0.7), "paraphrases": (PARAPHRASES, 0.55)}


@pytest.fixture(scope="module")
def hidden(migrated_sqlite_template: Path, tmp_path_factory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("hidden")
    app = app_in(folder, migrated_sqlite_template)
    with app.app_context():
        session = db.session
        load_seed_data(session)
        listings: dict[str, set[str]] = {}
        for service in session.scalars(select(Service)):
            labels = {a.taxonomy_term.name for a in service.attributes}
            listings.setdefault(service.name, set()).update(labels)
        session.execute(
            delete(Attribute).where(
                Attribute.link_entity == "service",
                Attribute.link_type.in_(("need", "client_group")),
            )
        )
        report = infer_services(session, semantic=False)
        session.commit()
        index = build_memory_index(session)
        context = build_context(session, app=app)
        vocab = context.vocabulary
        below = {
            vocab.label(t): {vocab.label(d) for d in vocab.terms if t in vocab.ancestors(d)}
            for t in vocab.terms
        }
        with index.searcher() as searcher:
            yield SimpleNamespace(
                searcher=searcher, context=context, listings=listings, below=below,
                inferred=report,
            )  # fmt: skip
    app.extensions["database"].engine.dispose()


def _run(hidden: SimpleNamespace, cases) -> dict[str, float]:
    scores = []
    for case in cases:
        request = SearchRequest(text=case.text, place=case.place, now=NOW, per_page=10)
        hits = run_search(hidden.searcher, request, hidden.context).hits
        scores.append(score(case, hits, relevant_names(case, hidden.listings, hidden.below)))
    for s in scores:
        if not s.right_in_top3:
            print(f"  miss: {s.case.text[:44]:<44} top: {' | '.join(s.top[:3])}")
    return summary(scores)


@pytest.mark.parametrize("name", SETS)
def test_curated_queries_still_find_help_with_curated_terms_hidden(hidden, name):
    cases, floor = SETS[name]
    totals = _run(hidden, cases)
    print(f"\n{name} (curated terms hidden, inference on): " + ", ".join(
        f"{k}: {v:.2f}" for k, v in totals.items()
    ))  # fmt: skip
    assert totals["right answer in top 3"] >= floor
