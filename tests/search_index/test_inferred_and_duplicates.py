"""What search makes of need inference and duplicate flags: an inferred need finds a listing
like a curated one (filters and facets too) but a curated need outranks it; a likely
duplicate of another public listing gets no card of its own; the feeds' own vocabularies
and the mirror taxonomy of inferred terms are not search vocabulary."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.db import db
from directory.inference import INFERRED_TAXONOMY_ID
from directory.inference.models import InferredTerm, ReviewState
from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.models import Taxonomy, TaxonomyTerm
from search_index import SearchRequest
from search_index.documents import build_memory_index
from search_index.engine import build_context, run_search
from search_index.vocabulary import load_vocabulary
from tests.factories import make_service, term


def _search(app, session, **kwargs):
    index = build_memory_index(session)
    with index.searcher() as searcher:
        return run_search(searcher, SearchRequest(**kwargs), build_context(session, app=app))


def _infer(session, service, term_name: str, review=ReviewState.INFERRED) -> None:
    session.add(
        InferredTerm(
            service_id=service.id, taxonomy_term_id=term(session, term_name).id,
            link_type="need", method="vocabulary", confidence=0.8, evidence="words",
            review=review,
        )
    )  # fmt: skip


def test_an_inferred_need_finds_and_filters_but_a_curated_one_ranks_first(fresh_app):
    with fresh_app.app_context():
        session = db.session
        same = "A weekly drop-in at the library."
        tagged = make_service(session, "Drop-in A", places=("chester",), needs=("Debt advice",),
                              client_groups=(), description=same)  # fmt: skip
        guessed = make_service(session, "Drop-in B", places=("chester",), needs=(),
                               client_groups=(), description=same)  # fmt: skip
        rejected = make_service(session, "Drop-in C", places=("chester",), needs=(),
                                client_groups=(), description=same)  # fmt: skip
        session.flush()
        _infer(session, guessed, "Debt advice")
        _infer(session, rejected, "Debt advice", ReviewState.REJECTED)
        session.commit()
        debt = term(session, "Debt advice").id
        money = term(session, "Money").id
        by_word = _search(fresh_app, session, text="debt advice")
        by_filter = _search(fresh_app, session, need_ids=(money,))
        facet = {v.key: v.count for v in by_filter.facets["need"]}
    assert [h.name for h in by_word.hits] == [tagged.name, guessed.name]
    assert by_word.hits[1].score < 0.95 * by_word.hits[0].score
    assert {h.name for h in by_filter.hits} == {tagged.name, guessed.name}
    assert facet[debt] == 2


def test_a_confirmed_inferred_need_counts_as_curated(fresh_app):
    with fresh_app.app_context():
        session = db.session
        tagged = make_service(session, "Drop-in A", places=("chester",), needs=("Debt advice",),
                              client_groups=(), assured_date=None)  # fmt: skip
        confirmed = make_service(session, "Drop-in B", places=("chester",), needs=(),
                                 client_groups=(), assured_date=None)  # fmt: skip
        session.flush()
        _infer(session, confirmed, "Debt advice", ReviewState.CONFIRMED)
        session.commit()
        hits = _search(fresh_app, session, text="debt advice").hits
    assert hits[0].score == pytest.approx(hits[1].score, rel=0.01)
    assert {h.name for h in hits} == {tagged.name, confirmed.name}


def test_a_likely_duplicate_gets_no_card_of_its_own(fresh_app):
    with fresh_app.app_context():
        session = db.session
        first = make_service(session, "Chester Memory Cafe", places=("chester",))
        second = make_service(session, "Memory Cafe (Chester)", places=("chester",))
        other = make_service(session, "Memory Lane History Group", places=("chester",))
        session.flush()
        a, b = sorted((first.id, second.id))
        session.add(
            DuplicateFlag(service_a_id=a, service_b_id=b, strength=Strength.LIKELY,
                          status=FlagStatus.OPEN, score=0.95, reasons=["same name"])
        )  # fmt: skip
        session.commit()
        names = [h.name for h in _search(fresh_app, session, text="memory").hits]
        flag = session.scalars(select(DuplicateFlag)).one()
        flag.status = FlagStatus.NOT_DUPLICATE
        session.commit()
        after = [h.name for h in _search(fresh_app, session, text="memory").hits]
    assert other.name in names
    assert len({first.name, second.name} & set(names)) == 1
    assert {first.name, second.name} <= set(after)


def test_feed_vocabularies_and_the_inferred_mirror_are_not_search_words(fresh_app):
    with fresh_app.app_context():
        session = db.session
        service = make_service(session, "Lunch Club", places=("chester",))
        session.add(Taxonomy(id=INFERRED_TAXONOMY_ID, name="Inferred by this directory"))
        feed = Taxonomy(name="esdServiceTypes")
        session.add(feed)
        session.flush()
        mirror = TaxonomyTerm(name="Mirrored need", taxonomy_id=INFERRED_TAXONOMY_ID)
        source = TaxonomyTerm(name="Meals on wheels", taxonomy_id=feed.id, term="123")
        session.add_all([mirror, source])
        session.flush()
        from directory.models import Attribute

        service.attributes.append(Attribute(taxonomy_term_id=source.id, link_type="source_term"))
        session.commit()
        labels = {t.label for t in load_vocabulary(session).terms.values()}
    assert "Debt advice" in labels
    assert "Mirrored need" not in labels
    assert "Meals on wheels" not in labels


def test_a_staff_decision_on_a_pair_rebuilds_both_cards(fresh_app):
    from sqlalchemy import func

    from directory.listings.duplicates import resolve
    from directory.models import ListingChange

    with fresh_app.app_context():
        session = db.session
        first = make_service(session, "Chester Memory Cafe", places=("chester",))
        second = make_service(session, "Memory Cafe (Chester)", places=("chester",))
        session.commit()

        def changes(service_id: str) -> int:
            query = select(func.count()).where(ListingChange.service_id == service_id)
            return session.scalar(query) or 0

        before = (changes(first.id), changes(second.id))
        resolve(session, first.id, second.id, FlagStatus.CONFIRMED, "staff@example.org")
        session.commit()
        after = (changes(first.id), changes(second.id))
        names = [h.name for h in _search(fresh_app, session, text="memory").hits]
    assert after[0] > before[0] and after[1] > before[1]
    assert len(names) == 1
