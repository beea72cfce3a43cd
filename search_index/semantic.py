"""What a query means, by nearness to the curated sayings, without a neural network at run time.

The curated need vocabulary (``seeds/taxonomy.json``: each need's label, synonyms and intent
phrases, its *sayings*) only matches the words it was written with. A sentence embedding model
(all-MiniLM-L6-v2) can find the saying nearest an unseen paraphrase, and adding that saying's
need to the search lifts held-out paraphrases a long way (docs/semantic.md), but running the
model needs torch: about 1.2 GB installed, 450 MB per process and 10-30 ms per query.

This module is the static ("model2vec") form of the same model. Every WordPiece token of the
model's vocabulary was run through the model once, on its own, and its output kept as one row
of a table (``seeds/semantic/``, built by ``bench/static_semantic.py``). A text's vector is
then the mean of its tokens' rows: a dictionary look-up per token and one small matrix
product, in numpy, in well under a millisecond. The sayings are embedded from the same table
when the vocabulary is loaded, so a taxonomy edit is picked up without the model.

It is much cheaper than the model but also much weaker: a mean of context-free token vectors
is pulled about by a sentence's frame ("I'm ... all day"), so it finds the right need less
often and sometimes a wrong one (measured in docs/static_semantic.md, which is why the engine
does not use it by default).

The tokeniser re-implements BERT's uncased WordPiece (clean, split CJK characters, strip
accents, lower-case, split on whitespace and punctuation, greedy longest match with ``##``
continuations) because the table's rows are indexed by that tokeniser's pieces; a different
split would look up different rows.
"""

from __future__ import annotations

import hashlib
import json
import threading
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from search_index.vocabulary import TermInfo, Vocabulary

TABLE_DIR = Path(__file__).resolve().parent.parent / "seeds" / "semantic"
#: A saying must be at least this close (cosine) to the query for its need to be added.
#: Chosen on the tuned relevance cases and fixed before the held-out sets were scored
#: (docs/static_semantic.md).
FLOOR = 0.6
UNKNOWN = "[UNK]"
MAX_WORD_CHARS = 100  # BERT's limit: a longer "word" is one unknown token
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))  # fmt: skip


def _is_punctuation(char: str) -> bool:
    """BERT counts every non-alphanumeric printable ASCII character as punctuation ("$", "^"
    too), and anything Unicode calls punctuation."""
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def normalise(text: str) -> str:
    """BERT uncased normalisation: drop control characters, space out CJK characters,
    strip accents ("café" -> "cafe"), lower-case."""
    out = []
    for char in text:
        cp = ord(char)
        if char not in "\t\n\r" and (cp == 0xFFFD or unicodedata.category(char)[0] == "C"):
            continue
        if char.isspace():
            out.append(" ")
        elif any(low <= cp <= high for low, high in _CJK):
            out.append(f" {char} ")
        else:
            out.append(char)
    decomposed = unicodedata.normalize("NFD", "".join(out))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def pre_tokenise(text: str) -> list[str]:
    """Words and single punctuation characters, in order ("can't" -> "can", "'", "t")."""
    words: list[str] = []
    for chunk in normalise(text).split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


@dataclass(frozen=True, slots=True)
class Nearest:
    """The curated saying closest to a text, the need term it belongs to, and how close."""

    term_id: str
    saying: str
    cosine: float


class StaticEmbedder:
    """The token table: one int8 row (with its scale) per WordPiece token of the model, then
    one per added whole word.

    A rare word such as "grieving" is split by WordPiece into pieces ("gr", "##ieving")
    whose rows, each distilled on its own, mean little; so a table may also have a row for
    each word of a word list that WordPiece would split (the model's output for the whole
    word, ``words.txt``), and a text's word then uses that row. The shipped table has none:
    they made no measurable difference on the tuned cases. The rows stay int8 in
    memory and only the few a text uses are widened to float, so the table costs about as
    much memory as it takes on disk.
    """

    def __init__(
        self,
        tokens: Sequence[str],
        rows: np.ndarray,
        scales: np.ndarray,
        words: Sequence[str] = (),
    ) -> None:
        size = len(tokens) + len(words)
        if rows.shape[0] != size or scales.shape != (size,):
            raise ValueError("the table's rows and its tokens and words differ in number")
        self.pieces = {token: i for i, token in enumerate(tokens)}
        self.words = {word: len(tokens) + i for i, word in enumerate(words)}
        self.rows = rows
        self.scales = scales.astype(np.float32)
        self.dims = int(rows.shape[1])

    @classmethod
    def load(cls, folder: Path = TABLE_DIR) -> StaticEmbedder:
        tokens = _lines(folder / "vocab.txt")
        words = _lines(folder / "words.txt") if (folder / "words.txt").exists() else []
        with np.load(folder / "table.npz", allow_pickle=False) as table:
            return cls(tokens, table["rows"], table["scales"], words)

    def wordpiece(self, word: str) -> list[str]:
        """Greedy longest-match-first pieces of one word, as BERT splits it
        ("befriending" -> "be", "##fr", "##ien", "##ding"); a word with any unmatchable part
        is one unknown token."""
        if len(word) > MAX_WORD_CHARS:
            return [UNKNOWN]
        pieces: list[str] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.pieces:
                    break
                end -= 1
            else:
                return [UNKNOWN]
            pieces.append(piece)
            start = end
        return pieces

    def wordpieces(self, text: str) -> list[str]:
        """The model's own tokens for ``text`` (what BERT's uncased tokenizer returns)."""
        return [piece for word in pre_tokenise(text) for piece in self.wordpiece(word)]

    def row_ids(self, text: str) -> list[int]:
        """The table rows of ``text``: a whole word's own row where the table has one, else
        its pieces' rows; unknown tokens are left out."""
        ids: list[int] = []
        for word in pre_tokenise(text):
            whole = self.words.get(word)
            if whole is not None:
                ids.append(whole)
            else:
                ids += [self.pieces[p] for p in self.wordpiece(word) if p != UNKNOWN]
        return ids

    def embed(self, text: str) -> np.ndarray:
        """The unit-length mean of the text's rows; all zeros when no token is known (so
        its cosine with anything is 0, below any floor)."""
        ids = self.row_ids(text)
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        vector = (self.rows[ids].astype(np.float32) * self.scales[ids, None]).mean(axis=0)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    def embed_many(self, texts: Iterable[str]) -> np.ndarray:
        vectors = [self.embed(t) for t in texts]
        return np.vstack(vectors) if vectors else np.zeros((0, self.dims), dtype=np.float32)


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


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

    def __init__(self, embedder: StaticEmbedder, sayings: Sequence[tuple[str, str]]) -> None:
        self.embedder = embedder
        self.term_ids = [term_id for term_id, _ in sayings]
        self.texts = [saying for _, saying in sayings]
        self.matrix = embedder.embed_many(self.texts)
        self.fingerprint = fingerprint(sayings)

    def nearest(self, text: str) -> Nearest | None:
        """The closest saying whatever its distance (None without sayings or known tokens)."""
        if not self.texts:
            return None
        query = self.embedder.embed(text)
        if not query.any():
            return None
        sims = self.matrix @ query
        best = int(np.argmax(sims))
        return Nearest(self.term_ids[best], self.texts[best], float(sims[best]))

    def expansion(self, text: str, floor: float = FLOOR) -> Nearest | None:
        """The nearest saying if it is close enough for its need to be added to the search."""
        found = self.nearest(text)
        return found if found is not None and found.cosine >= floor else None


@lru_cache(maxsize=1)
def default_embedder() -> StaticEmbedder:
    """The shipped table, loaded once per process (about 50 ms and 12 MB here)."""
    return StaticEmbedder.load()


_indexes: dict[str, SayingIndex] = {}
_lock = threading.Lock()


def saying_index(terms: Iterable[TermInfo], embedder: StaticEmbedder | None = None) -> SayingIndex:
    """The sayings' index for ``terms``, reused while their sayings are unchanged.

    The vocabulary is reloaded every minute, but re-embedding ~1,400 sayings costs 50-75 ms,
    so the index is kept by the sayings' fingerprint, not by the vocabulary object.
    """
    embedder = embedder or default_embedder()
    sayings = sayings_of(terms)
    key = f"{id(embedder)}:{fingerprint(sayings)}"
    index = _indexes.get(key)
    if index is None:
        index = SayingIndex(embedder, sayings)
        with _lock:
            if len(_indexes) >= 4:
                _indexes.clear()
            _indexes[key] = index
    return index


_by_vocabulary: dict[tuple[int, frozenset[str] | None], tuple[Vocabulary, SayingIndex]] = {}


def for_vocabulary(vocab: Vocabulary, taxonomy_ids: Collection[str] | None = None) -> SayingIndex:
    """The sayings' index of ``vocab``'s terms (of ``taxonomy_ids`` only, if given).

    Meant to be called on every search: a look-up while the engine keeps the same vocabulary
    object (it reloads it every minute), and no re-embedding after a reload that changed
    no saying (``saying_index`` keeps indexes by fingerprint).
    """
    chosen = frozenset(taxonomy_ids) if taxonomy_ids is not None else None
    key = (id(vocab), chosen)
    cached = _by_vocabulary.get(key)
    if cached is not None and cached[0] is vocab:
        return cached[1]
    terms = [t for t in vocab.terms.values() if chosen is None or t.taxonomy_id in chosen]
    index = saying_index(terms)
    with _lock:
        if len(_by_vocabulary) >= 8:
            _by_vocabulary.clear()
        _by_vocabulary[key] = (vocab, index)
    return index


def table_info(folder: Path = TABLE_DIR) -> dict[str, object]:
    """How the shipped table was made (model, revision, dimensions, weighting)."""
    return json.loads((folder / "table.json").read_text(encoding="utf-8"))
