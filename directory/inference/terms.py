"""The curated vocabulary inference infers into: need and client-group terms and their tree.

Inference only ever proposes terms of our two curated taxonomies (the seeds' "Community needs"
and "Client groups"); a feed's own vocabularies and the mirror taxonomy are inputs or outputs,
never targets. Both taxonomies are found by the ids the seed builder gives them (uuid5 of their
codes, ``seeds/seedkit.py``), or by their names when a directory loaded them under other ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.inference import CLIENT_GROUP, INFERRED_TAXONOMY_ID, NEED
from directory.taxonomy.models import Taxonomy, TaxonomyTerm
from search_index.vocabulary import TermInfo, terms_from_rows

_SEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:seeds")
_TAXONOMY_NAMESPACE = uuid.uuid5(_SEED_NAMESPACE, "taxonomy")


def _seed_taxonomy_id(code: str) -> str:
    return str(uuid.uuid5(_TAXONOMY_NAMESPACE, f"taxonomy:{code}"))


#: Curated taxonomies by id, and by name as a fallback, with the link type their terms take.
CURATED_TAXONOMIES = {
    _seed_taxonomy_id("community-needs"): NEED,
    _seed_taxonomy_id("client-groups"): CLIENT_GROUP,
}
CURATED_NAMES = {"community needs": NEED, "client groups": CLIENT_GROUP}


@dataclass
class CuratedTerms:
    """The curated terms with their kind (``need``/``client_group``), code and tree."""

    terms: dict[str, TermInfo]
    kind: dict[str, str]
    code: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        infos: Iterable[TermInfo],
        kind: dict[str, str],
        code: dict[str, str],
        description: dict[str, str] | None = None,
    ) -> CuratedTerms:
        made = cls(
            terms={t.id: t for t in infos if t.id in kind},
            kind=dict(kind),
            code=dict(code),
            description=dict(description or {}),
        )
        for term_id in made.terms:
            chain: list[str] = []
            current: str | None = term_id
            while current and current in made.terms and current not in chain and len(chain) < 20:
                chain.append(current)
                current = made.terms[current].parent_id
            made._ancestors[term_id] = tuple(chain)
        return made

    def label(self, term_id: str) -> str:
        term = self.terms.get(term_id)
        return term.label if term else term_id

    def by_code(self, code: str) -> str | None:
        for term_id, term_code in self.code.items():
            if term_code == code:
                return term_id
        return None

    def ancestors(self, term_id: str) -> tuple[str, ...]:
        """``term_id`` and its parents up to the root."""
        return self._ancestors.get(term_id, (term_id,))

    def closure(self, term_ids: Iterable[str]) -> set[str]:
        """The terms with all their ancestors."""
        return {a for t in term_ids for a in self.ancestors(t)}

    def most_specific(self, term_ids: Iterable[str]) -> set[str]:
        """The terms that are not an ancestor of another of them."""
        chosen = set(term_ids)
        above = {a for t in chosen for a in self.ancestors(t)[1:]}
        return chosen - above


def load_curated_terms(session: Session) -> CuratedTerms:
    """The curated need and client-group terms held in the database: the taxonomies with the
    seeds' ids, or, for a kind whose taxonomy is not there under that id, the one of that name."""
    taxonomies = session.execute(
        select(Taxonomy.id, Taxonomy.name).where(
            Taxonomy.id != INFERRED_TAXONOMY_ID,
            or_(Taxonomy.id.in_(CURATED_TAXONOMIES), Taxonomy.name.in_(_names())),
        )
    ).all()
    by_id = {tax_id: CURATED_TAXONOMIES[tax_id] for tax_id, _ in taxonomies
             if tax_id in CURATED_TAXONOMIES}  # fmt: skip
    link_of = dict(by_id)
    for tax_id, name in taxonomies:
        kind = CURATED_NAMES.get((name or "").lower())
        if tax_id not in link_of and kind is not None and kind not in by_id.values():
            link_of[tax_id] = kind
    if not link_of:
        return CuratedTerms.build([], {}, {})
    rows = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id.in_(link_of))).all()
    kind = {row.id: link_of[row.taxonomy_id] for row in rows}
    code = {row.id: row.term or row.id for row in rows}
    description = {row.id: row.description or "" for row in rows}
    return CuratedTerms.build(terms_from_rows(rows), kind, code, description)


def _names() -> list[str]:
    # Names as the seeds spell them; the match is exact, so also the title-case form.
    return [name.capitalize() for name in CURATED_NAMES] + list(CURATED_NAMES)
