"""Query building pieces: document-set queries, bitset matching, the flat scoring query and
the faster Whoosh posting-reader methods, on a real (in-memory) index big enough to have many
posting blocks."""

from __future__ import annotations

from array import array

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import And, AndMaybe, Or, Phrase, Term

from search_index.engine import view_for
from search_index.memory import PrivateRamStorage
from search_index.schema import DocSetQuery, match_bits, scoring_query

SIZE = 1500


def _words(n: int) -> str:
    words = ["food"]
    if n % 3 == 0:
        words.append("bank")
    if n % 5 == 0:
        words.append("debt")
    if n % 7 == 0:
        words = ["debt", "advice", *words]
    return " ".join(words)


@pytest.fixture(scope="module")
def searcher():
    index = PrivateRamStorage().create_index(Schema(doc_id=ID(stored=True), all=TEXT(phrase=True)))
    with index.writer() as writer:
        for n in range(SIZE):
            writer.add_document(doc_id=str(n), all=_words(n))
    with index.searcher() as searcher:
        yield searcher


def _expected(word: str) -> list[int]:
    return [n for n in range(SIZE) if word in _words(n).split()]


@pytest.mark.parametrize("word", ["food", "bank", "debt", "advice"])
def test_all_ids_reads_every_posting_block(searcher, word):
    assert list(searcher.reader().postings("all", word).all_ids()) == _expected(word)


def test_skip_to_lands_on_the_first_posting_at_or_after_the_target(searcher):
    expected = _expected("bank")
    for target in (0, 1, 3, 4, 500, 767, 768, 1000, 1497):
        matcher = searcher.reader().postings("all", "bank")
        matcher.skip_to(target)
        assert matcher.id() == next(n for n in expected if n >= target)
    # One matcher moved forward again and again, across block boundaries.
    matcher = searcher.reader().postings("all", "bank")
    for target in range(0, SIZE + 40, 37):
        later = [n for n in expected if n >= target]
        if not later:
            break
        matcher.skip_to(target)
        assert matcher.id() == later[0]


def test_doc_set_query_takes_part_in_intersections_with_a_constant_score(searcher):
    wanted = array("I", [3, 10, 21, 300, 1499])
    query = And([DocSetQuery(wanted, 2.5), Term("all", "debt")])
    matcher = query.matcher(searcher, searcher.context(needs_current=True))
    found = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.score()
        matcher.next()
    assert sorted(found) == [10, 21, 300]
    plain = Term("all", "debt").matcher(searcher, searcher.context(needs_current=True))
    plain.skip_to(300)
    assert found[300] == pytest.approx(2.5 + plain.score())


def test_match_bits_agrees_with_whoosh(searcher):
    view = view_for(searcher)
    query = AndMaybe(
        And([Term("all", "food"), Or([Term("all", "debt"), Term("all", "bank")])]),
        Term("all", "advice"),
    )
    expected = set(query.matcher(searcher, searcher.boolean_context()).all_ids())
    assert set(view.to_ids(match_bits(query, view))) == expected
    phrase = Phrase("all", ["debt", "advice"])
    assert view.to_ids(match_bits(phrase, view)) == [n for n in range(SIZE) if n % 7 == 0]


def test_scoring_query_lists_each_word_once_with_its_highest_boost():
    docs = DocSetQuery(array("I", [1, 2]), 6.0)
    query = AndMaybe(
        And([Term("all", "debt"), Or([Term("all", "debt", boost=0.5), docs])]),
        Or([Term("all", "advice", boost=0.8), Term("all", "advice")]),
    )
    flat = scoring_query(query, None)
    assert isinstance(flat, Or)
    terms = {(q.text, q.boost) for q in flat.subqueries if isinstance(q, Term)}
    assert terms == {("debt", 1.0), ("advice", 1.0)}
    assert docs in flat.subqueries
