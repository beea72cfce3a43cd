"""Each database's search vocabulary, reloaded when it changes, never by the clock.

The vocabulary used to be reloaded every 60 seconds in every process, inside whichever
request came next: 212 ms at 100,000 services (the terms, which taxonomies are feeds' own,
every local-authority service area's name, and building the concepts). Now each process asks
the database, at most once a second, two cheap questions: the taxonomy's rows (a few hundred,
compared with those loaded) and the change feed's position (``max(listing_change.seq)``).

* Taxonomy rows changed (a term added, renamed, moved or given a synonym): full reload, and
  the vocabulary's ``generation`` goes up (caches built on it, such as spelling
  dictionaries, are keyed by it).
* Listings changed (the change feed moved): only the changed listings are read: their
  local-authority area names are added in place, and if one links a term of a taxonomy not
  yet known as a feed's own vocabulary (an import of a new feed), a full reload follows.
  A known feed taxonomy with no link left any more also means a full reload.
* Nothing changed: the same object, nothing read.

Seqs that commit out of order (PostgreSQL) can be missed by the incremental read: at worst an
area's display name or a new feed's taxonomy waits for the next full reload (a taxonomy
change, ``invalidate()``, or a new process).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from search_index.lru import LRU
from search_index.vocabulary import TermInfo, Vocabulary

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: At most this often (seconds) a process asks whether the vocabulary changed.
CHECK_INTERVAL = 1.0
Row = tuple[str, str, str | None, str | None, tuple[str, ...], tuple[str, ...]]


@dataclass
class _Loaded:
    vocabulary: Vocabulary
    rows: tuple[Row, ...]
    sources: frozenset[str]
    seq: int
    checked: float


_loaded: LRU[str, _Loaded] = LRU(8)
_load_lock = threading.Lock()
_generations = itertools.count(1)
#: Full loads done in this process (for tests and logs).
full_loads = 0


def load_vocabulary(session: Session) -> Vocabulary:
    """The vocabulary of the database ``session`` is bound to (see the module docstring)."""
    key = str(session.get_bind().url)
    entry = _loaded.get(key)
    if entry is not None and time.monotonic() - entry.checked < CHECK_INTERVAL:
        return entry.vocabulary
    with _load_lock:
        entry = _loaded.get(key)
        if entry is not None and time.monotonic() - entry.checked < CHECK_INTERVAL:
            return entry.vocabulary
        entry = _refresh(session, entry)
        _loaded.put(key, entry)
        return entry.vocabulary


def invalidate() -> None:
    """Forget every loaded vocabulary: the next use reloads it whole."""
    _loaded.clear()


def _refresh(session: Session, entry: _Loaded | None) -> _Loaded:
    seq = _max_seq(session)
    rows = _term_rows(session)
    if entry is None or rows != entry.rows or seq < entry.seq:
        return _full(session, rows, seq)
    if seq > entry.seq:
        linked = _source_taxonomies(session, since=entry.seq)
        if not linked <= entry.sources or not _still_sources(session, entry.sources):
            return _full(session, rows, seq)
        names = _area_names(session, since=entry.seq)
        if names:
            vocab = entry.vocabulary
            vocab.area_names = {**vocab.area_names, **names}  # one assignment: readers see either
        entry.seq = seq
    entry.checked = time.monotonic()
    return entry


def _full(session: Session, rows: tuple[Row, ...], seq: int) -> _Loaded:
    from directory.inference import INFERRED_TAXONOMY_ID

    global full_loads
    sources = frozenset(_source_taxonomies(session))
    terms = [
        TermInfo(*row)
        for row in rows
        if row[3] is None or (row[3] not in sources and row[3] != INFERRED_TAXONOMY_ID)
    ]
    vocab = Vocabulary.build(terms)
    vocab.area_names = _area_names(session)
    vocab.generation = next(_generations)
    full_loads += 1
    return _Loaded(vocab, rows, sources, seq, time.monotonic())


def _max_seq(session: Session) -> int:
    from sqlalchemy import func, select

    from directory.listings.models import ListingChange

    return session.scalar(select(func.max(ListingChange.seq))) or 0


def _term_rows(session: Session) -> tuple[Row, ...]:
    from sqlalchemy import select

    from directory.taxonomy.models import TaxonomyTerm as T

    query = select(T.id, T.name, T.parent_id, T.taxonomy_id, T.synonyms, T.phrases)
    return tuple(
        (i, name, parent, taxonomy, tuple(synonyms or ()), tuple(phrases or ()))
        for i, name, parent, taxonomy, synonyms, phrases in session.execute(query.order_by(T.id))
    )


def _source_taxonomies(session: Session, since: int | None = None) -> set[str]:
    """Taxonomies whose terms listings carry as ``source_term`` (feeds' own vocabularies:
    not search terms, see ``vocabulary.search_terms``); with ``since``, only among the
    listings changed after that seq."""
    from sqlalchemy import select

    from directory.listings.models import ListingChange
    from directory.taxonomy.models import Attribute, TaxonomyTerm

    query = (
        select(TaxonomyTerm.taxonomy_id)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_type == "source_term", TaxonomyTerm.taxonomy_id.is_not(None))
        .distinct()
    )
    if since is not None:
        changed = select(ListingChange.service_id).where(ListingChange.seq > since)
        query = query.where(Attribute.link_id.in_(changed))
    return set(session.scalars(query))


def _still_sources(session: Session, sources: frozenset[str]) -> bool:
    """Every known feed taxonomy still has a listing linking one of its terms."""
    from sqlalchemy import exists, select

    from directory.taxonomy.models import Attribute, TaxonomyTerm

    for taxonomy_id in sources:
        linked = exists().where(
            Attribute.taxonomy_term_id == TaxonomyTerm.id,
            Attribute.link_type == "source_term",
            TaxonomyTerm.taxonomy_id == taxonomy_id,
        )
        if not session.scalar(select(linked)):
            return False
    return True


def _area_names(session: Session, since: int | None = None) -> dict[str, str]:
    """Local-authority codes and the names listings give them (of the listings changed
    after ``since``, if given)."""
    from sqlalchemy import select

    from directory.listings.models import ListingChange, ServiceArea

    query = select(ServiceArea.extent, ServiceArea.name).where(
        ServiceArea.extent_type == "local_authority"
    )
    if since is not None:
        changed = select(ListingChange.service_id).where(ListingChange.seq > since)
        query = query.where(ServiceArea.service_id.in_(changed))
    rows = session.execute(query.distinct().order_by(ServiceArea.extent, ServiceArea.name))
    return {code.upper(): name for code, name in rows if code and name}
