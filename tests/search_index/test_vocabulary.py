"""The taxonomy's words as concepts, and the spelling dictionary, on the real seed taxonomy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search_index.analysis import query_words
from search_index.vocabulary import Speller, Vocabulary, edit_distance, terms_from_oruk

SEED_TAXONOMY = Path(__file__).resolve().parents[2] / "seeds" / "taxonomy.json"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    data = json.loads(SEED_TAXONOMY.read_text())
    return Vocabulary.build(terms_from_oruk(t for tax in data["taxonomies"] for t in tax["terms"]))


def meanings(vocab: Vocabulary, text: str) -> set[str]:
    words = query_words(text)
    return {vocab.label(m.concept.term_id) for m in vocab.match([{w.stem} for w in words])}


def test_synonyms_mean_their_term(vocab):
    assert "Loneliness and befriending" in meanings(vocab, "lonely")
    assert "Money and benefits" in meanings(vocab, "skint")
    assert "Support for carers" in meanings(vocab, "carer")


def test_intent_phrases_match_in_any_order_with_other_words_around(vocab):
    assert "Loneliness and befriending" in meanings(vocab, "nobody ever visits me")
    assert "Loneliness and befriending" in meanings(vocab, "honestly nobody visits me ever")
    assert "Domestic abuse" in meanings(vocab, "my partner hits me")
    assert "Help with bills and energy costs" in meanings(vocab, "can't afford to heat my home")


def test_a_phrase_needs_all_its_words(vocab):
    assert "Domestic abuse" not in meanings(vocab, "partner")
    assert meanings(vocab, "nobody") == set()


def test_ancestors_and_children(vocab):
    phone = next(t for t in vocab.terms.values() if t.label == "Telephone befriending")
    chain = [vocab.label(t) for t in vocab.ancestors(phone.id)]
    assert chain == ["Telephone befriending", "Loneliness and befriending"]
    assert phone.id in vocab.children[phone.parent_id]


def test_edit_distance_counts_a_swap_as_one_edit():
    assert edit_distance("lonley", "lonely") == 1
    assert edit_distance("benifits", "benefits") == 1
    assert edit_distance("dementia", "dementa") == 1
    assert edit_distance("food", "housing", limit=2) == 3


def test_speller_prefers_close_then_common_words():
    speller = Speller({"befriending": 40, "befriender": 3, "benefits": 25, "bereavement": 8}, [])
    assert speller.corrections("befreinding")[0] == "befriending"
    assert speller.corrections("benifits") == ["benefits"]
    assert speller.corrections("bereavment") == ["bereavement"]
    assert speller.corrections("zzzzzz") == []


def test_speller_knows_taxonomy_words_even_when_no_listing_uses_them():
    speller = Speller({}, ["dementia"])
    assert speller.known("dementia")
    assert speller.corrections("dimentia") == ["dementia"]
