"""Inferred terms on the ORUK API: attributes of their own taxonomy, so nobody mistakes them.

A consumer of our API must be able to tell a person's judgement from our guess. So an inferred
term is never shown as the curated term itself: it is an attribute with ``link_type``
``inferred_need`` or ``inferred_client_group`` whose ``taxonomy_term`` belongs to the taxonomy
"Inferred by this directory" (:data:`INFERRED_TAXONOMY_ID`). Its terms mirror the curated need
and client-group terms one for one (same name, description and code, parents mirrored), with
ids derived from the curated term's id, so they are stable across runs and machines. The
attribute's ``value`` says the method and confidence.

On import (``import-hsds`` of our own export) these attributes are skipped: inferred terms are
re-derived from the listing's words by the import hook, never restored as curated links.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from directory.inference import (
    INFERENCE_NAMESPACE,
    INFERRED_LINK_TYPES,
    INFERRED_TAXONOMY_ID,
    INFERRED_TAXONOMY_NAME,
)
from directory.inference.models import InferredTerm, ReviewState
from directory.inference.terms import CuratedTerms, load_curated_terms
from directory.taxonomy.models import Taxonomy, TaxonomyTerm

INFERRED_TAXONOMY_DESCRIPTION = (
    "Needs and client groups this directory inferred from a listing's own words and its feed's "
    "taxonomy terms, not given by the listing's publisher or checked by a person. Each term "
    "mirrors the term of the same code in our curated 'Community needs' or 'Client groups' "
    "taxonomy. The attribute's value gives the method and confidence."
)
JSON = dict[str, Any]


def mirror_term_id(curated_term_id: str) -> str:
    """The mirror of a curated term: derived from its id, so it never changes."""
    return str(uuid.uuid5(INFERENCE_NAMESPACE, f"term:{curated_term_id}"))


def inferred_attribute_id(service_id: str, curated_term_id: str) -> str:
    return str(uuid.uuid5(INFERENCE_NAMESPACE, f"attribute:{service_id}:{curated_term_id}"))


def is_mirror_attribute(item: object) -> bool:
    """Whether an ORUK attribute (as JSON) is one of ours from an export: an inferred link
    type, or a term of the mirror taxonomy. The importer skips them."""
    if not isinstance(item, dict):
        return False
    if item.get("link_type") in set(INFERRED_LINK_TYPES.values()):
        return True
    term = item.get("taxonomy_term")
    return isinstance(term, dict) and term.get("taxonomy_id") == INFERRED_TAXONOMY_ID


def ensure_inferred_taxonomy(session: Session, curated: CuratedTerms | None = None) -> int:
    """Create or bring up to date the mirror taxonomy and its terms; the number of rows added,
    changed or removed (0 when everything was already right). Does not commit."""
    curated = curated if curated is not None else load_curated_terms(session)
    changed = 0
    taxonomy = session.get(Taxonomy, INFERRED_TAXONOMY_ID)
    if taxonomy is None:
        taxonomy = Taxonomy(id=INFERRED_TAXONOMY_ID)
        session.add(taxonomy)
        changed += 1
    changed += _assign(
        taxonomy,
        name=INFERRED_TAXONOMY_NAME,
        description=INFERRED_TAXONOMY_DESCRIPTION,
        version="1",
    )
    existing = {
        term.id: term
        for term in session.scalars(
            select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == INFERRED_TAXONOMY_ID)
        )
    }
    wanted: set[str] = set()
    for term_id, info in curated.terms.items():
        ident = mirror_term_id(term_id)
        wanted.add(ident)
        row = existing.get(ident) or session.get(TaxonomyTerm, ident)
        if row is None:
            row = TaxonomyTerm(id=ident, synonyms=[], phrases=[])
            session.add(row)
            changed += 1
        changed += _assign(
            row,
            name=info.label,
            description=curated.description.get(term_id, ""),
            term=curated.code.get(term_id),
            parent_id=mirror_term_id(info.parent_id) if info.parent_id else None,
            taxonomy=INFERRED_TAXONOMY_NAME,
            taxonomy_id=INFERRED_TAXONOMY_ID,
        )
    for ident, row in existing.items():
        if ident not in wanted:
            session.delete(row)
            changed += 1
    if changed:
        session.flush()
    return changed


def _assign(row: object, **values: object) -> int:
    changed = 0
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = 1
    return changed


def inferred_attributes_json(service: Any) -> list[JSON]:
    """The service's inferred terms (rejected ones left out) as ORUK attributes of the mirror
    taxonomy, in a stable order. Empty for a service not in a session."""
    session = object_session(service)
    if session is None or service.id is None:
        return []
    rows = session.execute(
        select(InferredTerm, TaxonomyTerm)
        .join(TaxonomyTerm, TaxonomyTerm.id == InferredTerm.taxonomy_term_id)
        .where(
            InferredTerm.service_id == service.id,
            InferredTerm.review != ReviewState.REJECTED,
        )
        .order_by(InferredTerm.link_type, TaxonomyTerm.name, InferredTerm.taxonomy_term_id)
    ).all()
    return [attribute_json(service.id, row, term) for row, term in rows]


def attribute_json(service_id: str, row: InferredTerm, term: TaxonomyTerm) -> JSON:
    term_json: JSON = {
        "id": mirror_term_id(term.id),
        "name": term.name,
        "description": term.description or "",
        "taxonomy": INFERRED_TAXONOMY_NAME,
        "taxonomy_id": INFERRED_TAXONOMY_ID,
    }
    if term.parent_id:
        term_json["parent_id"] = mirror_term_id(term.parent_id)
    if term.term:
        term_json["term"] = term.term
    review = row.review.value if isinstance(row.review, ReviewState) else str(row.review)
    return {
        "id": inferred_attribute_id(service_id, term.id),
        "link_id": service_id,
        "link_type": INFERRED_LINK_TYPES.get(row.link_type, f"inferred_{row.link_type}"),
        "link_entity": "service",
        "taxonomy_term_id": term_json["id"],
        "taxonomy_term": term_json,
        "value": f"method={row.method}; confidence={row.confidence:.2f}; review={review}",
    }
