"""Turning public listings into search documents: the entry points the index calls.

``documents_for_services`` reads services from the database (``search_index.records``) and
builds their documents (``search_index.document_builder``); it returns an empty list for a
service that is not public (any more), which tells the store to delete it.
``iter_all_documents`` gives every document for a rebuild, ``build_memory_index`` a whole index
in memory. The builder, its inputs (``search_index.document_inputs``) and ``name_terms`` are
named here too, so callers keep importing them from ``search_index.documents``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from search_index.document_builder import BUILDER_CACHE as BUILDER_CACHE
from search_index.document_builder import REMOTE_MODES as REMOTE_MODES
from search_index.document_builder import SUMMARY_CHARS as SUMMARY_CHARS
from search_index.document_builder import DocumentBuilder as DocumentBuilder
from search_index.document_inputs import gazetteer_at
from search_index.document_inputs import is_free as is_free
from search_index.document_inputs import last_checked as last_checked
from search_index.document_inputs import taxonomy_vocabulary as taxonomy_vocabulary
from search_index.names import name_terms as name_terms
from search_index.records import BATCH, active_service_ids, iter_service_records

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer

#: Seconds this process spent in ``documents_for_services`` reading records from the database
#: and building documents from them: a rebuild's worker reports them (``search_index.build``).
phase_seconds: Counter[str] = Counter()


#: The builder of the last ``documents_for_services`` call (see ``builder_for``).
_last_builder: list[DocumentBuilder] = []


def builder_for(session: Session, gazetteer: Gazetteer | None) -> DocumentBuilder:
    """A document builder, the previous call's while the taxonomy, the gazetteer and the day
    are the same: a rebuild's worker calls ``documents_for_services`` once per batch of
    2,000 services, and a new builder started with empty caches of names, opening hours
    and postcodes each time."""
    vocab = taxonomy_vocabulary(session)
    today = datetime.now(UTC).date()
    if _last_builder:
        builder = _last_builder[0]
        if builder.vocab is vocab and builder.gazetteer is gazetteer and builder.today == today:
            builder.trim()
            return builder
    builder = DocumentBuilder(session, gazetteer, vocab)
    _last_builder[:] = [builder]
    return builder


def forget_builder() -> None:
    """Drop the kept builder and its caches (a rebuild worker, before writing its segment)."""
    _last_builder.clear()


def documents_for_services(
    session: Session,
    service_ids: Iterable[str],
    *,
    gazetteer: Gazetteer | None = None,
    gazetteer_path: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """service id -> its documents; an empty list for a service that is not public (or gone).

    Place words come from ``gazetteer``, else the one at ``gazetteer_path``."""
    ids = list(dict.fromkeys(service_ids))
    out: dict[str, list[dict[str, Any]]] = {service_id: [] for service_id in ids}
    if not ids:
        return out
    builder = builder_for(
        session, gazetteer if gazetteer is not None else gazetteer_at(gazetteer_path)
    )
    started = time.perf_counter()
    records = list(iter_service_records(session, ids))
    built = time.perf_counter()
    builder.look_up_postcodes(records)
    for service in records:
        out[service.id] = builder.documents(service)
    phase_seconds["read"] += built - started
    phase_seconds["build"] += time.perf_counter() - built
    return out


def iter_all_documents(
    session: Session,
    batch_size: int = BATCH,
    *,
    gazetteer: Gazetteer | None = None,
    gazetteer_path: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every document of every public listing, reading ``batch_size`` services at a time
    (as plain rows: memory stays flat however large the directory)."""
    builder = DocumentBuilder(
        session, gazetteer if gazetteer is not None else gazetteer_at(gazetteer_path)
    )
    for service in iter_service_records(session, active_service_ids(session), batch_size):
        yield from builder.documents(service)


def build_memory_index(session: Session, *, gazetteer: Gazetteer | None = None):
    """A complete index held in memory: for tests, tools and measuring relevance. The web
    app's on-disk index is managed by ``search_index.store``."""
    from search_index.bulk import BulkWriter, write_spelling
    from search_index.memory import PrivateRamStorage
    from search_index.schema import build_schema

    index = PrivateRamStorage().create_index(build_schema())
    writer = BulkWriter(index)
    for document in iter_all_documents(session, gazetteer=gazetteer):
        writer.add_document(**document)
    writer.commit()
    write_spelling(index.storage, writer.spelling)
    return index
