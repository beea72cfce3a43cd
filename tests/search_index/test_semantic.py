"""The static embedding table (``search_index.semantic``): its tokeniser, its vectors, and
the nearest curated saying, on the shipped table and the seed taxonomy."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from search_index.semantic import (
    FLOOR,
    TABLE_DIR,
    UNKNOWN,
    SayingIndex,
    StaticEmbedder,
    default_embedder,
    for_vocabulary,
    normalise,
    saying_index,
    sayings_of,
    table_info,
)
from search_index.vocabulary import TermInfo, Vocabulary, terms_from_oruk

TAXONOMY = Path(__file__).resolve().parents[2] / "seeds" / "taxonomy.json"


def need_terms() -> list[TermInfo]:
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    needs = next(t for t in data["taxonomies"] if t["name"] == "Community needs")
    return terms_from_oruk(needs["terms"])


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return default_embedder()


@pytest.fixture(scope="module")
def needs() -> list[TermInfo]:
    return need_terms()


@pytest.fixture(scope="module")
def index(embedder, needs) -> SayingIndex:
    return SayingIndex(embedder, sayings_of(needs))


def label_of(needs: list[TermInfo], term_id: str) -> str:
    return next(t.label for t in needs if t.id == term_id)


# Splits taken from the model's own tokenizer (tokenizers 0.23, all-MiniLM-L6-v2).
@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("befriending", ["be", "##fr", "##ien", "##ding"]),
        ("I can't cope", ["i", "can", "'", "t", "cope"]),
        ("Café crème", ["cafe", "cr", "##eme"]),
        ("lonley", ["lo", "##nl", "##ey"]),
        ("my nan keeps having falls", ["my", "nan", "keeps", "having", "falls"]),
        ("dementia", ["dementia"]),
        ("CH65 0ES", ["ch", "##65", "0", "##es"]),
        ("stairlift", ["stair", "##lift"]),
        ("naïve £5 \u00a0tea", ["naive", "£5", "tea"]),
        ("tai-chi", ["tai", "-", "chi"]),
        ("北京", ["北", "京"]),
        ("🙂", [UNKNOWN]),
        ("x" * 101, [UNKNOWN]),
    ],
)
def test_wordpiece_splits_match_the_models_tokenizer(embedder, text, pieces):
    assert embedder.wordpieces(text) == pieces


def test_normalise_strips_accents_and_control_characters():
    assert normalise("Caf\u00e9\u200b\tCR\u00c8ME\x00") == "cafe creme"


def test_the_table_matches_its_vocabulary_and_description(embedder):
    info = table_info()
    assert embedder.rows.dtype == np.int8
    assert embedder.rows.shape == (info["tokens"] + info["words"], info["dims"])
    assert len(embedder.pieces) == info["tokens"] == 30522
    assert "Apache-2.0" in (TABLE_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_embedding_is_deterministic_and_unit_length(embedder):
    first = embedder.embed("my husband gets confused")
    again = StaticEmbedder.load().embed("my husband gets confused")
    assert np.array_equal(first, again)
    assert first.dtype == np.float32
    assert float(np.linalg.norm(first)) == pytest.approx(1.0, abs=1e-5)
    assert not np.array_equal(first, embedder.embed("my wife gets confused"))


def test_text_of_unknown_characters_embeds_to_zeros(embedder):
    assert not embedder.embed("🙂🙂").any()
    assert not embedder.embed("").any()


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("my electricity bill is far too expensive", "Help with bills and energy costs"),
        ("my partner beats me", "Domestic abuse"),
        ("I need a wheelchair ramp", "Home repairs and adaptations"),
    ],
)
def test_a_paraphrase_finds_a_saying_of_the_right_need(index, needs, text, need):
    found = index.expansion(text)
    assert found is not None, index.nearest(text)
    assert label_of(needs, found.term_id) == need
    assert found.cosine >= FLOOR


@pytest.mark.parametrize("text", ["qwerty", "zzzz", "Chester", "Ellesmere Port", "hello", "🙂"])
def test_nonsense_and_place_names_find_nothing_above_the_floor(index, text):
    assert index.expansion(text) is None


def test_a_saying_word_for_word_is_its_own_nearest(index, needs):
    found = index.nearest("someone to pick up my tablets")
    assert found is not None and found.cosine == pytest.approx(1.0, abs=1e-5)
    assert label_of(needs, found.term_id) == "Prescription collection and delivery"


def test_a_taxonomy_edit_is_picked_up_without_the_model(embedder, needs):
    before = saying_index(needs, embedder)
    assert saying_index(list(needs), embedder) is before  # same sayings: reused
    groups = next(t for t in needs if t.label == "Social groups and clubs")
    edited = [
        dataclasses.replace(t, phrases=(*t.phrases, "pigeon racing club")) if t is groups else t
        for t in needs
    ]
    after = saying_index(edited, embedder)
    assert after is not before and after.fingerprint != before.fingerprint
    found = after.nearest("pigeon racing")
    assert found is not None and found.saying == "pigeon racing club"
    assert found.term_id == groups.id


def test_a_whole_word_row_is_used_instead_of_its_pieces():
    tokens = ["[PAD]", "[UNK]", "be", "##fr", "##ien", "##ding", "visit"]
    rows = np.zeros((len(tokens) + 1, 2), dtype=np.int8)
    rows[2:6] = [127, 0]
    rows[6] = [0, 127]
    rows[7] = [0, 127]
    table = StaticEmbedder(tokens, rows, np.ones(len(tokens) + 1, np.float32), ["befriending"])
    assert table.wordpieces("befriending") == ["be", "##fr", "##ien", "##ding"]
    assert table.row_ids("befriending visit") == [7, 6]
    assert table.embed("befriending") @ table.embed("visit") == pytest.approx(1.0)


def test_a_table_whose_rows_and_tokens_disagree_is_refused():
    with pytest.raises(ValueError):
        StaticEmbedder(["a", "b"], np.zeros((3, 4), np.int8), np.ones(3, np.float32))


def test_the_index_of_a_vocabulary_is_kept_until_its_sayings_change(needs):
    groups = Vocabulary.build([*needs[:3], TermInfo("g1", "Older people", None, "groups")])
    first = for_vocabulary(groups, {needs[0].taxonomy_id})
    assert for_vocabulary(groups, {needs[0].taxonomy_id}) is first
    assert "Older people" not in first.texts and needs[0].label in first.texts
    reloaded = Vocabulary.build([*needs[:3], TermInfo("g1", "Older people", None, "groups")])
    assert for_vocabulary(reloaded, [needs[0].taxonomy_id]) is first
    assert "Older people" in for_vocabulary(groups).texts
