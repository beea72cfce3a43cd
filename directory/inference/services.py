"""Infer needs and client groups for listings and keep the ``inferred_term`` table in step.

:func:`infer_services` runs the methods over listings' own words and feed terms, combines what
they propose, and writes the result: new terms added, changed ones updated, terms a listing's
words no longer support removed. It is idempotent (a second run changes nothing), never
stores a term the listing carries as a curated link (or a term above one it carries), never
adds back a term staff rejected, keeps terms staff confirmed, and does not commit: the caller
owns the transaction (the import hook, the seed step, the ``infer-needs`` command).

Combining: each method gives a term a confidence; they are taken as independent chances
(1 - product of (1 - confidence)), so two weak hints make a fair case. A term is kept at
:data:`THRESHOLD` or above, and only the most specific of a need and its parent is kept (the
search index adds the parents itself). The sentence model's needs are left out when the name
clearly names another need (:meth:`Inferrer._beside_the_name`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.inference import CLIENT_GROUP, CROSSWALK, METHODS, SEMANTIC, VOCABULARY
from directory.inference.candidates import Candidate
from directory.inference.crosswalk import CrosswalkMatcher
from directory.inference.mirror import ensure_inferred_taxonomy
from directory.inference.models import EVIDENCE_LENGTH, InferredTerm, ReviewState
from directory.inference.terms import CuratedTerms, load_curated_terms
from directory.inference.text import ListingText, load_listing_texts
from directory.inference.vocabulary import matcher_for
from directory.listings.models import ListingChange, Service
from directory.taxonomy.models import Attribute

#: Combined confidence a term needs to be kept, tuned on half the seed listings and checked on
#: the other half and on the dev set (docs/inference.md): one saying of two words in the
#: description's first sentence (0.71), or two different one-word sayings there (0.70), or a
#: one-word saying in the name with any other mention, is enough.
THRESHOLD = 0.68
#: The same bar with the sentence model: measured, a higher one lost more right terms than
#: wrong ones (docs/inference.md).
SEMANTIC_THRESHOLD = THRESHOLD
CURATED_LINK_TYPES = ("need", "client_group")
#: Listings read and written per batch, so a 20,000-listing feed never sits in memory at once.
BATCH_SIZE = 500


@dataclass(frozen=True)
class Decision:
    term_id: str
    link_type: str
    method: str
    confidence: float
    evidence: str


@dataclass
class ListingResult:
    """What inference did for one listing."""

    service_id: str
    name: str
    terms: list[Decision] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class InferenceReport:
    """Per listing and in total: what was inferred, added, updated and removed."""

    listings: list[ListingResult] = field(default_factory=list)
    methods: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def added(self) -> int:
        return sum(len(r.added) for r in self.listings)

    @property
    def updated(self) -> int:
        return sum(len(r.updated) for r in self.listings)

    @property
    def removed(self) -> int:
        return sum(len(r.removed) for r in self.listings)

    def per_term(self) -> Counter[str]:
        """How many listings hold each inferred term (by label)."""
        labels = self.labels
        return Counter(labels.get(d.term_id, d.term_id) for r in self.listings for d in r.terms)

    def without_terms(self) -> list[ListingResult]:
        return [r for r in self.listings if not r.terms]

    def summary(self) -> str:
        return (
            f"Need inference ({', '.join(self.methods)}): {len(self.listings)} listings, "
            f"{sum(1 for r in self.listings if r.terms)} with inferred terms; "
            f"{self.added} added, {self.updated} updated, {self.removed} removed"
        )


def combine(
    candidates: Iterable[Candidate], curated: CuratedTerms, threshold: float = THRESHOLD
) -> dict[str, Decision]:
    """The terms strong enough to keep, most specific only, each with its best evidence."""
    by_term: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.term_id in curated.terms:
            by_term[candidate.term_id].append(candidate)
    kept: dict[str, Decision] = {}
    for term_id, found in by_term.items():
        remaining = 1.0
        for candidate in found:
            remaining *= 1.0 - min(1.0, max(0.0, candidate.confidence))
        confidence = round(1.0 - remaining, 3)
        if confidence < threshold:
            continue
        best = max(found, key=lambda c: (c.confidence, -METHODS.index(c.method)))
        kept[term_id] = Decision(
            term_id,
            curated.kind[term_id],
            best.method,
            confidence,
            best.evidence[:EVIDENCE_LENGTH],
        )
    specific = curated.most_specific(kept)
    return {t: d for t, d in kept.items() if t in specific}


class Inferrer:
    """The methods, loaded once for a run."""

    def __init__(self, session: Session, semantic: bool | None = None) -> None:
        self.curated = load_curated_terms(session)
        self.words = matcher_for(self.curated)
        self.crosswalk = CrosswalkMatcher(self.curated)
        self.semantic = None
        if semantic is not False and self.curated.terms:
            from directory.inference.semantic import default_matcher

            self.semantic = default_matcher(self.curated) if semantic else None
        self.methods = (VOCABULARY, CROSSWALK) + ((SEMANTIC,) if self.semantic else ())
        self.threshold = SEMANTIC_THRESHOLD if self.semantic else THRESHOLD

    def candidates(
        self, listings: list[ListingText], timing: dict[str, float] | None = None
    ) -> dict[str, list[Candidate]]:
        """Every method's candidates for each listing (``timing``, if given, gets each
        method's seconds added)."""
        clock = _Clock(timing)
        out: dict[str, list[Candidate]] = {}
        named: dict[str, set[str] | None] = {}
        with clock(VOCABULARY):
            for listing in listings:
                reading = self.words.read(listing)
                out[listing.service_id] = list(reading.candidates)
                named[listing.service_id] = reading.named
        with clock(CROSSWALK):
            for listing in listings:
                out[listing.service_id] += self.crosswalk.candidates(listing.source_terms)
        if self.semantic is not None:
            with clock(SEMANTIC):
                proposed = self.semantic.candidates(listings)
            for service_id, found in proposed.items():
                out[service_id] += self._beside_the_name(found, named.get(service_id))
        return out

    def _beside_the_name(self, found: list[Candidate], named: set[str] | None) -> list[Candidate]:
        """The model reads the name and the first sentences together: when the name clearly
        names a need, a need the model finds that is neither above nor below it comes from
        the description's extras, and is left out (client groups are kept)."""
        if named is None:
            return found
        return [c for c in found if self.curated.kind[c.term_id] == CLIENT_GROUP
                or c.term_id in named]  # fmt: skip

    def decide(self, listings: list[ListingText]) -> dict[str, dict[str, Decision]]:
        return {
            service_id: combine(found, self.curated, self.threshold)
            for service_id, found in self.candidates(listings).items()
        }


class _Clock:
    """Adds the seconds spent in each ``with clock(name):`` block to a dict, if one is given."""

    def __init__(self, timing: dict[str, float] | None) -> None:
        self.timing = timing

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.timing is not None:
                self.timing[name] = self.timing.get(name, 0.0) + time.perf_counter() - started


def infer_services(
    session: Session,
    service_ids: Iterable[str] | None = None,
    *,
    semantic: bool | None = None,
) -> InferenceReport:
    """Infer terms for the given listings (all listings when None) and write the differences.

    ``semantic``: True uses the optional model when it is installed, False never does, None
    (the default) uses the ``INFERENCE_SEMANTIC`` setting (off unless set). Does not commit.
    """
    if semantic is None:
        semantic = _semantic_setting()
    ensure_inferred_taxonomy(session)
    inferrer = Inferrer(session, semantic=semantic)
    report = InferenceReport(
        methods=inferrer.methods,
        labels={t: inferrer.curated.label(t) for t in inferrer.curated.terms},
    )
    if service_ids is None:
        ids = list(session.scalars(select(Service.id).order_by(Service.id)))
    else:
        ids = list(dict.fromkeys(service_ids))
    if not inferrer.curated.terms:
        return report
    for start in range(0, len(ids), BATCH_SIZE):
        listings = load_listing_texts(session, ids[start : start + BATCH_SIZE])
        decisions = inferrer.decide(listings)
        batch = [listing.service_id for listing in listings]
        carried, existing = _curated_links(session, batch), _inferred_rows(session, batch)
        for listing in listings:
            sid = listing.service_id
            result = _write(session, inferrer.curated.closure(carried.get(sid, ())),
                            existing.get(sid, {}), sid, decisions.get(sid, {}))  # fmt: skip
            result.name = listing.name
            report.listings.append(result)
    session.flush()
    return report


def _semantic_setting() -> bool:
    """``INFERENCE_SEMANTIC`` from the running app's config (docs/configuration.md); off
    outside an app."""
    from flask import current_app, has_app_context

    from directory.config import as_bool

    if not has_app_context():
        return False
    return as_bool(current_app.config.get("INFERENCE_SEMANTIC"), "INFERENCE_SEMANTIC")


def _curated_links(session: Session, service_ids: list[str]) -> dict[str, set[str]]:
    """The curated need and client-group terms each listing carries."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Attribute.link_id, Attribute.taxonomy_term_id).where(
            Attribute.link_entity == "service",
            Attribute.link_id.in_(service_ids),
            Attribute.link_type.in_(CURATED_LINK_TYPES),
        )
    )
    for service_id, term_id in rows:
        found[service_id].add(term_id)
    return found


def _inferred_rows(session: Session, service_ids: list[str]) -> dict[str, dict[str, InferredTerm]]:
    found: dict[str, dict[str, InferredTerm]] = defaultdict(dict)
    for row in session.scalars(
        select(InferredTerm).where(InferredTerm.service_id.in_(service_ids))
    ):
        found[row.service_id][row.taxonomy_term_id] = row
    return found


def _write(
    session: Session,
    carried: set[str],
    existing: dict[str, InferredTerm],
    service_id: str,
    decisions: dict[str, Decision],
) -> ListingResult:
    """Bring one listing's rows in line with ``decisions``; ``carried``: the curated terms it
    carries with their ancestors, never stored as inferred."""
    result = ListingResult(service_id, "")
    now = utcnow()
    for term_id, decision in decisions.items():
        row = existing.get(term_id)
        if term_id in carried or (row is not None and row.review == ReviewState.REJECTED):
            continue
        result.terms.append(decision)
        if row is None:
            session.add(
                InferredTerm(
                    service_id=service_id,
                    taxonomy_term_id=term_id,
                    link_type=decision.link_type,
                    method=decision.method,
                    confidence=decision.confidence,
                    evidence=decision.evidence,
                    created_at=now,
                    updated_at=now,
                )
            )
            result.added.append(term_id)
            continue
        values = {
            "link_type": decision.link_type,
            "method": decision.method,
            "confidence": decision.confidence,
            "evidence": decision.evidence,
        }
        if any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            result.updated.append(term_id)
    for term_id, row in existing.items():
        if row.review == ReviewState.REJECTED:
            continue  # kept, so it is never inferred again
        unsupported = term_id not in decisions and row.review == ReviewState.INFERRED
        if term_id in carried or unsupported:
            session.delete(row)
            result.removed.append(term_id)
        elif term_id not in decisions:
            result.terms.append(
                Decision(term_id, row.link_type, row.method, row.confidence, row.evidence)
            )
    if result.added or result.updated or result.removed:
        # The published record and the search document change: other processes' indexes
        # catch up through the change sequence, as for any edit.
        session.add(ListingChange(service_id=service_id, changed_at=now))
    return result


def inferred_links(
    session: Session, service_ids: Iterable[str]
) -> dict[str, list[tuple[str, str, float]]]:
    """(link_type, term id, confidence) of each listing's inferred terms, rejected ones left
    out, read in bulk: what the search index adds to a listing's document."""
    ids = list(dict.fromkeys(service_ids))
    out: dict[str, list[tuple[str, str, float]]] = {sid: [] for sid in ids}
    for start in range(0, len(ids), BATCH_SIZE):
        rows = session.execute(
            select(InferredTerm.service_id, InferredTerm.link_type,
                   InferredTerm.taxonomy_term_id, InferredTerm.confidence)
            .where(InferredTerm.service_id.in_(ids[start : start + BATCH_SIZE]),
                   InferredTerm.review != ReviewState.REJECTED)
            .order_by(InferredTerm.service_id, InferredTerm.taxonomy_term_id)
        )  # fmt: skip
        for service_id, link_type, term_id, confidence in rows:
            out[service_id].append((link_type, term_id, float(confidence)))
    return out


def infer_after_import(session: Session, service_ids: list[str]) -> list[str]:
    """What the import hook runs (``directory/listings/post_import.py``): infer terms for the
    listings one write held and give the lines the import summary prints. The caller owns
    the unit of work (the hook commits each step)."""
    report = infer_services(session, service_ids)
    lines = [report.summary()]
    top = report.per_term().most_common(8)
    if top:
        lines.append("Most inferred: " + ", ".join(f"{label} ({n})" for label, n in top))
    empty = report.without_terms()
    if empty:
        lines.append(
            f"{len(empty)} listings got no need or client group "
            "(flask --app wsgi infer-needs --dry-run lists them)"
        )
    return lines
