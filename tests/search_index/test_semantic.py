"""The semantic extra (``search_index.semantic``): the nearest curated saying to a query, with
the real all-MiniLM-L6-v2 model on the seed taxonomy.

The model needs the ``semantic`` extra, which ``make test`` installs (see the
``semantic_model`` fixture in conftest.py for what happens without it).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from search_index import semantic
from search_index.semantic import FLOOR, SayingIndex, for_vocabulary, saying_index, sayings_of
from search_index.vocabulary import TermInfo, Vocabulary, terms_from_oruk

TAXONOMY = Path(__file__).resolve().parents[2] / "seeds" / "taxonomy.json"


def need_terms() -> list[TermInfo]:
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    needs = next(t for t in data["taxonomies"] if t["name"] == "Community needs")
    return terms_from_oruk(needs["terms"])


@pytest.fixture(scope="module")
def embedder(semantic_model) -> semantic.Embedder:
    return semantic_model


@pytest.fixture(scope="module")
def needs() -> list[TermInfo]:
    return need_terms()


@pytest.fixture(scope="module")
def index(embedder, needs) -> SayingIndex:
    return saying_index(needs, embedder)


def label_of(needs: list[TermInfo], term_id: str) -> str:
    return next(t.label for t in needs if t.id == term_id)


@pytest.mark.parametrize(
    ("text", "right"),
    [
        ("my wife doesn't know who I am any more", {"Dementia", "Support for dementia carers"}),
        ("my boyfriend is violent", {"Domestic abuse", "Domestic abuse advice and support"}),
        ("the gas bill is too high", {"Help with bills and energy costs"}),
        ("I need a wheelchair ramp", {"Home repairs and adaptations"}),
    ],
)
def test_a_paraphrase_finds_a_saying_of_the_right_need(index, needs, text, right):
    found = index.expansion(text)
    assert found is not None, index.nearest(text)
    assert label_of(needs, found.term_id) in right, found.saying
    assert found.cosine >= FLOOR


@pytest.mark.parametrize("text", ["qwerty", "zzzz", "Chester", "hello", "🙂", "   "])
def test_nonsense_and_place_names_find_nothing_above_the_floor(index, text):
    assert index.expansion(text) is None


def test_a_saying_word_for_word_is_its_own_nearest(index, needs):
    found = index.nearest("someone to pick up my tablets")
    assert found is not None and found.cosine == pytest.approx(1.0, abs=1e-4)
    assert label_of(needs, found.term_id) == "Prescription collection and delivery"


def test_vectors_are_unit_length_and_deterministic(embedder):
    first, again = embedder.embed_many(["lonely"]), embedder.embed_many(["lonely"])
    assert first.shape == (1, 384)
    assert float((first * first).sum()) == pytest.approx(1.0, abs=1e-4)
    assert (first == again).all()


def test_a_taxonomy_edit_is_picked_up_and_unchanged_sayings_are_not_embedded_again(embedder, needs):
    before = saying_index(needs, embedder)
    assert saying_index(list(needs), embedder) is before
    groups = next(t for t in needs if t.label == "Social groups and clubs")
    edited = [
        dataclasses.replace(t, phrases=(*t.phrases, "pigeon racing club")) if t is groups else t
        for t in needs
    ]
    after = saying_index(edited, embedder)
    assert after is not before and after.fingerprint != before.fingerprint
    found = after.nearest("racing pigeons")
    assert found is not None and found.saying == "pigeon racing club"
    assert found.term_id == groups.id


def test_the_index_of_a_vocabulary_keeps_to_the_taxonomies_asked_for(embedder, needs):
    vocab = Vocabulary.build([*needs[:3], TermInfo("g1", "Older people", None, "groups")])
    first = for_vocabulary(vocab, embedder, {needs[0].taxonomy_id})
    assert for_vocabulary(vocab, embedder, {needs[0].taxonomy_id}) is first
    assert "Older people" not in first.texts and needs[0].label in first.texts
    assert "Older people" in for_vocabulary(vocab, embedder).texts


def test_sayings_are_each_label_synonym_and_phrase_once(needs):
    sayings = sayings_of(needs)
    dementia = next(t for t in needs if t.label == "Dementia")
    mine = [s for term_id, s in sayings if term_id == dementia.id]
    assert mine[0] == "Dementia" and len(mine) == len({s.lower() for s in mine})
    assert set(dementia.phrases) <= set(mine)


def test_the_app_setting_turns_the_extra_on_and_warms_it_up(embedder, tmp_path):
    from directory import create_app
    from search_index.engine import build_context

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    on = create_app({"TESTING": True, "SEARCH_SEMANTIC": True, "DATABASE_URL": url})
    off = create_app({"TESTING": True, "SEARCH_SEMANTIC": False, "DATABASE_URL": url})
    assert build_context(app=on).embedder is embedder
    assert build_context(app=off).embedder is None
    for app in (on, off):
        app.extensions["database"].engine.dispose()
