"""The need and client-group terms an organisation chooses from, and the needs suggested from
what it wrote.

The lists are the curated taxonomies inference infers into (:mod:`directory.inference.terms`)
together with any taxonomy the directory's listings already use as needs or client groups (the
same rule the search page uses to find its need taxonomies), so a directory loaded under other
ids or names still offers its own words. Suggestions come from the existing inference
(:class:`directory.inference.services.Inferrer`), run on the text of the unsaved listing: nothing
is written to ``inferred_term``; the organisation ticks what is right and staff confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.inference import CLIENT_GROUP, NEED
from directory.inference.services import Inferrer
from directory.inference.terms import load_curated_terms
from directory.inference.text import ListingText, plain_text
from directory.taxonomy.models import Attribute, TaxonomyTerm


@dataclass
class TermChoices:
    """``(term id, label)`` pairs for each kind, in the order the form shows them."""

    needs: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)
    terms: dict[str, TaxonomyTerm] = field(default_factory=dict)

    def label(self, term_id: str) -> str:
        for choices in (self.needs, self.groups):
            for value, text in choices:
                if value == term_id:
                    return text
        return "an unknown term"


def _used_taxonomies(session: Session, link_type: str) -> set[str]:
    rows = session.scalars(
        select(TaxonomyTerm.taxonomy_id)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_type == link_type, TaxonomyTerm.taxonomy_id.is_not(None))
        .distinct()
    )
    return {r for r in rows if r}


def term_choices(session: Session) -> TermChoices:
    """Every need and client-group term, children labelled with their parent."""
    curated = load_curated_terms(session)
    kinds: dict[str, str] = dict(curated.kind)
    terms = {t.id: t for t in session.scalars(select(TaxonomyTerm))}
    if set(kinds.values()) != {NEED, CLIENT_GROUP}:
        # A directory without both curated taxonomies: the ones its listings use instead.
        needs, groups = _used_taxonomies(session, "need"), _used_taxonomies(session, "client_group")
        for term in terms.values():
            if term.id not in kinds and term.taxonomy_id in needs | groups:
                kinds[term.id] = NEED if term.taxonomy_id in needs else CLIENT_GROUP
    out = TermChoices(terms={t: terms[t] for t in kinds if t in terms})
    for term_id, kind in kinds.items():
        term = terms.get(term_id)
        if term is None:
            continue
        parent = terms.get(term.parent_id) if term.parent_id else None
        label = f"{parent.name}: {term.name}" if parent is not None else term.name
        (out.needs if kind == NEED else out.groups).append((term_id, label))
    out.needs.sort(key=lambda c: c[1].lower())
    out.groups.sort(key=lambda c: c[1].lower())
    return out


def suggest_terms(
    session: Session, service_id: str, name: str, description: str, eligibility: str = ""
) -> dict[str, list[str]]:
    """Needs and client groups the inference finds in the listing's own words, strongest
    first: ``{"need": [...], "client_group": [...]}``. Reads only; stores nothing."""
    inferrer = Inferrer(session, semantic=False)
    found: dict[str, list[str]] = {NEED: [], CLIENT_GROUP: []}
    if not inferrer.curated.terms:
        return found
    text = ListingText(
        service_id=service_id,
        name=plain_text(name),
        description=plain_text(description),
        eligibility=plain_text(eligibility),
    )
    decisions = inferrer.decide([text]).get(service_id, {})
    for decision in sorted(decisions.values(), key=lambda d: -d.confidence):
        found.setdefault(decision.link_type, []).append(decision.term_id)
    return found
