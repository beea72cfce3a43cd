"""Method three (optional): the sentence model's nearest curated sayings to a listing.

The vocabulary method only finds the words it was written with; "a gentle space to meet others
who have lost someone close" names no curated saying of bereavement. The search engine's
optional model (all-MiniLM-L6-v2, :mod:`search_index.semantic`) embeds what a listing is (its
name and first sentences) **once per listing, when inferring**, never per query, and compares it
with the embedded curated sayings. The closest needs and client groups become candidates whose
confidence is the cosine less a margin, so the model alone rarely passes the bar but can
confirm a term the words only hinted at (``docs/inference.md`` has the measured effect).

Off when the extra is not installed (``make semantic``), and each listing costs ~40 ms on one
CPU thread, so large imports pay about a minute per 1,500 listings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from directory.inference import CLIENT_GROUP, NEED, SEMANTIC
from directory.inference.candidates import Candidate
from directory.inference.terms import CuratedTerms
from directory.inference.text import ListingText
from search_index import semantic as model

#: Nearest terms kept per listing, by kind.
TOP = {NEED: 3, CLIENT_GROUP: 2}
#: A term's best saying must be at least this close to be proposed at all.
FLOOR = 0.45
#: Confidence is the cosine less this: 0.85 or more stands alone, less needs other evidence.
MARGIN = 0.15
#: Listings embedded per call.
BATCH = 64


def available() -> bool:
    """Whether the extra's packages are installed (without importing torch)."""
    return model.available()


class SemanticMatcher:
    def __init__(self, curated: CuratedTerms, embedder: model.Embedder) -> None:
        self.curated = curated
        self.embedder = embedder
        self.index = model.saying_index(curated.terms.values(), embedder)
        term_ids = sorted(set(self.index.term_ids))
        self.term_ids = term_ids
        column = {t: i for i, t in enumerate(term_ids)}
        self._columns = np.array([column[t] for t in self.index.term_ids])

    def candidates(self, listings: Sequence[ListingText]) -> dict[str, list[Candidate]]:
        """The nearest terms of each listing, by service id (listings without text have none)."""
        texts = [(listing.service_id, listing.summary()) for listing in listings]
        texts = [(sid, text) for sid, text in texts if text.strip()]
        out: dict[str, list[Candidate]] = {}
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            vectors = self.embedder.embed_many([text for _, text in batch])
            scores = vectors @ self.index.matrix.T
            for row, (service_id, _) in zip(scores, batch, strict=True):
                out[service_id] = self._nearest(row)
        return out

    def _nearest(self, row: np.ndarray) -> list[Candidate]:
        best = np.full(len(self.term_ids), -1.0)
        np.maximum.at(best, self._columns, row)
        found = []
        for kind, wanted in TOP.items():
            ranked = [i for i in np.argsort(-best) if self.curated.kind[self.term_ids[i]] == kind]
            for i in ranked[:wanted]:
                cosine = float(best[i])
                if cosine < FLOOR:
                    break
                term_id = self.term_ids[i]
                sayings = [
                    self.index.texts[j]
                    for j in np.flatnonzero(self._columns == i)
                    if abs(float(row[j]) - cosine) < 1e-6
                ]
                evidence = f'nearest saying "{sayings[0] if sayings else ""}" ({cosine:.2f})'
                confidence = max(0.0, min(1.0, cosine - MARGIN))
                found.append(Candidate(term_id, SEMANTIC, confidence, evidence))
        return found


def default_matcher(curated: CuratedTerms) -> SemanticMatcher | None:
    """The model-backed matcher, or None when the extra is missing or fails to load."""
    if not available():
        return None
    embedder = model.default_embedder()
    return SemanticMatcher(curated, embedder) if embedder is not None else None
