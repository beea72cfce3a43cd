"""What documents are built from, besides the listing: the taxonomy as a vocabulary, the
gazetteer, and two listing rules (is it free, when was it last checked).

A service counts as free only when the listing says free (``directory.listings.cost``): a
listing that says nothing about cost is not free.

Split from ``search_index.documents`` so the builder (``search_index.document_builder``) and
the entry points there read these the same way; ``search_index.documents`` still names them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.cost import cost_status
from directory.models import TaxonomyTerm
from search_index.lru import LRU
from search_index.vocabulary import TermInfo, Vocabulary, invalidate, search_terms

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer


def is_free(service: Any) -> bool:
    """Whether the listing says free (``service`` is a ``Service`` or a record); the rule
    is :func:`directory.listings.cost.cost_status`, shared with the pages."""
    return cost_status(service) == "free"


def last_checked(service: Any) -> date | None:
    """When someone last confirmed the listing: the assured date, else the last edit."""
    if service.assured_date:
        return service.assured_date
    return service.last_modified.date() if service.last_modified else None


#: Per database (a few: tests make many), the taxonomy rows and the vocabulary built from them.
_taxonomy: LRU[str, tuple[tuple, Vocabulary]] = LRU(8)


def taxonomy_vocabulary(session: Session) -> Vocabulary:
    """The taxonomy as a ``Vocabulary``, rebuilt only when a term's row changed: reading the
    rows takes milliseconds, building the vocabulary about 0.1 s, and every same-request
    update needs it. A change also drops the engine's cached vocabulary
    (``vocabulary.invalidate``), so searches see new terms at once, not a minute later."""
    columns = (TaxonomyTerm.id, TaxonomyTerm.name, TaxonomyTerm.parent_id)
    columns += (TaxonomyTerm.taxonomy_id, TaxonomyTerm.synonyms, TaxonomyTerm.phrases)
    rows = tuple(
        (i, name, parent, taxonomy, tuple(synonyms or ()), tuple(phrases or ()))
        for i, name, parent, taxonomy, synonyms, phrases in session.execute(
            select(*columns).where(search_terms())
        )
    )
    key = str(session.get_bind().url)
    cached = _taxonomy.get(key)
    if cached is None or cached[0] != rows:
        if cached is not None:
            invalidate()
        cached = (rows, Vocabulary.build(TermInfo(*row) for row in rows))
        _taxonomy.put(key, cached)
    return cached[1]


def gazetteer_at(path: str | None = None) -> Gazetteer | None:
    """The gazetteer at ``path`` (the app's ``GAZETTEER_PATH``), else the configured or default
    one; None while it is not built."""
    from directory.places.gazetteer import GazetteerError, get_gazetteer

    try:
        return get_gazetteer(path)
    except GazetteerError:
        return None
