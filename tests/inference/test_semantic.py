"""The optional sentence model: once per listing, and only as support for the other methods."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest

from directory.inference import SEMANTIC
from directory.inference.semantic import SemanticMatcher, available
from directory.inference.services import SEMANTIC_THRESHOLD, Inferrer, combine
from search_index import semantic as model
from tests.inference.conftest import text_of


class CountingEmbedder:
    """The real model, counting the texts it is given."""

    def __init__(self, embedder: model.Embedder) -> None:
        self.embedder = embedder
        self.texts = 0

    def embed_many(self, texts):
        self.texts += len(texts)
        return self.embedder.embed_many(texts)


@pytest.fixture(scope="module")
def embedder() -> model.Embedder:
    if not available():
        message = "the semantic extra is not installed (make semantic)"
        if os.environ.get("CI"):
            pytest.fail(message + " (required when CI is set)")
        pytest.skip(message)
    loaded = model.default_embedder()
    assert loaded is not None
    return loaded


QUIT = ("Quit Well", "Free support to give up cigarettes, with weekly check-ins.")


def listing(name: str, description: str, ident: str):
    return replace(text_of(name, description), service_id=ident)


def test_each_listing_is_embedded_once(curated, embedder):
    counting = CountingEmbedder(embedder)
    matcher = SemanticMatcher(curated, counting)
    before = counting.texts
    found = matcher.candidates(
        [listing(*QUIT, "a"), listing("Chatterbox", "A volunteer phones you weekly.", "b"),
         listing("", "", "c")]
    )  # fmt: skip
    assert counting.texts - before == 2  # none for a listing without words
    assert set(found) == {"a", "b"}


def test_the_model_confirms_what_the_words_only_hinted_at(curated, embedder, matcher):
    sem = SemanticMatcher(curated, embedder)
    quit_smoking = curated.by_code("stop-smoking")
    words = matcher.candidates(listing(*QUIT, "a"))
    alone = sem.candidates([listing(*QUIT, "a")])["a"]
    model_says = {c.term_id: c for c in alone}
    assert quit_smoking in model_says and "nearest saying" in model_says[quit_smoking].evidence
    assert quit_smoking not in combine(words, curated, SEMANTIC_THRESHOLD)
    assert quit_smoking not in combine(alone, curated, SEMANTIC_THRESHOLD)
    assert quit_smoking in combine(words + alone, curated, SEMANTIC_THRESHOLD)


def test_the_sayings_matrix_is_unit_length(curated, embedder):
    sem = SemanticMatcher(curated, embedder)
    norms = np.linalg.norm(sem.index.matrix, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3)


def test_the_models_needs_beside_a_clear_name_are_left_out(db_session, embedder):
    """When the name clearly names a need, what the model finds elsewhere in the tree is the
    description's extras: left out, while what it finds in the named need's family is kept."""
    inferrer = Inferrer(db_session, semantic=True)
    assert inferrer.semantic is not None
    walk = listing(
        "Health Walks",
        "Free, friendly walks at an easy pace. A good way to get active, see the area and "
        "meet people.",
        "w",
    )
    curated = inferrer.curated
    named = {t for t in curated.terms if curated.by_code("walking-groups") in curated.ancestors(t)}
    named |= curated.closure([curated.by_code("walking-groups")])
    raw = inferrer.semantic.candidates([walk])["w"]
    outside = {c.term_id for c in raw if curated.kind[c.term_id] == "need"} - named
    assert outside, "the model proposed nothing outside the named need: the test shows nothing"
    kept = {c.term_id for c in inferrer.candidates([walk])["w"] if c.method == SEMANTIC}
    assert not kept & outside
    assert kept & named


def test_a_listing_whose_name_names_no_need_keeps_all_the_model_says(db_session, embedder):
    inferrer = Inferrer(db_session, semantic=True)
    glitch = listing("Glitch", "A weekly drop-in: help with your smartphone or tablet.", "g")
    raw = {c.term_id for c in inferrer.semantic.candidates([glitch])["g"]}
    kept = {c.term_id for c in inferrer.candidates([glitch])["g"] if c.method == SEMANTIC}
    assert raw and kept == raw
