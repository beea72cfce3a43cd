"""Words to needs, over the curated seed taxonomy: the examples residents give, read the way
search reads a query, with the longer saying winning, client groups left out, long
paragraphs read whole, and no text that breaks it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.db import db
from directory.help_requests import needs
from directory.public.search_params import load_terms
from search_index.vocabulary import load_vocabulary
from tests.public.test_search_page import seeded_site


@pytest.fixture(scope="module")
def taxonomy():
    app = seeded_site().app
    with app.app_context():
        yield load_vocabulary(db.session), load_terms(db.session)


def codes(taxonomy, text: str) -> list[str]:
    vocab, terms = taxonomy
    return [terms.by_id[i].code for i in needs.needs_in_words(vocab, terms, text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't get to the shops for food", ["food"]),
        ("I need someone to do my shopping", ["shopping-help"]),
        ("my mum is lonely since dad died", ["loneliness", "bereavement"]),
        ("Nobody ever visits me", ["loneliness"]),
        ("can't pay the rent, my landlord wants me out", ["money", "housing"]),
        ("I have debts and the bailiffs are coming", ["debt-advice"]),
        ("my husband passed away last year and I feel so alone", ["bereavement", "loneliness"]),
        ("I keep falling over", ["falls-home-safety"]),
    ],
)
def test_what_residents_say_means_these_needs(taxonomy, text, expected):
    assert sorted(codes(taxonomy, text)) == sorted(expected)


def test_needs_come_in_the_order_they_are_mentioned(taxonomy):
    assert codes(taxonomy, "I feel lonely. Also I have debts.") == ["loneliness", "debt-advice"]
    assert codes(taxonomy, "I have debts. Also I feel lonely.") == ["debt-advice", "loneliness"]


def test_a_longer_saying_wins_over_a_shorter_one_inside_it(taxonomy):
    """ "food and shopping" is the need Food and shopping, not only Help with shopping."""
    assert codes(taxonomy, "food and shopping") == ["food"]


def test_who_it_is_for_is_not_a_need(taxonomy):
    assert codes(taxonomy, "I am a veteran and a pensioner") == []


def test_words_that_mean_nothing_we_list_give_no_needs(taxonomy):
    assert codes(taxonomy, "qwertyuiop zxcvbnm") == []
    assert codes(taxonomy, "") == []
    assert codes(taxonomy, "   \n ") == []


def test_a_long_paragraph_is_read_to_the_end(taxonomy):
    """Search reads 12 words of a query; a description is read sentence by sentence and in
    overlapping windows, so a need mentioned late, or across a window's edge, is found."""
    filler = "we moved here in the spring from the other side of the county near the hills "
    text = filler * 3 + "and since then I have been very lonely indeed"
    assert codes(taxonomy, text) == ["loneliness"]
    text = (filler * 5).strip() + ". My partner hits me."
    assert "domestic-abuse" in codes(taxonomy, text)


def test_a_term_and_one_beneath_it_give_the_one_beneath(taxonomy):
    _vocab, terms = taxonomy
    money, debt = terms.by_code["money"].id, terms.by_code["debt-advice"].id
    assert needs.narrow(terms, [money, debt]) == [debt]
    assert needs.narrow(terms, [debt, money]) == [debt]


def test_the_list_is_every_top_level_need_in_everyday_words(taxonomy):
    _, terms = taxonomy
    choices = needs.top_level_choices(terms)
    values = {c.value for c in choices}
    assert {"food", "loneliness", "money", "bereavement"} <= values
    assert "older-people" not in values  # a client group
    labels = {c.value: c.label for c in choices}
    assert labels["money"] == "Money, debt and benefits"
    assert [c.label for c in choices] == sorted(c.label for c in choices)


def test_codes_from_the_list_become_term_ids_and_anything_else_is_dropped(taxonomy):
    _, terms = taxonomy
    found = needs.ids_of_codes(terms, ["money", "money", "<script>", "older-people", ""])
    assert found == [terms.by_code["money"].id]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_text_gives_known_need_terms_and_never_raises(taxonomy, text):
    vocab, terms = taxonomy
    found = needs.needs_in_words(vocab, terms, text)
    assert len(found) == len(set(found))
    assert set(found) <= needs.need_term_ids(terms)
