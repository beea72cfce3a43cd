"""The session hooks that hand each commit's listing changes to its app's index.

An ``after_flush`` hook notes the ``ListingChange`` rows of the transaction; ``after_commit``
gives them to the app's ``IndexSync.apply`` (same-request update); ``after_rollback`` forgets
them. ``directory.listeners`` installs the hooks on each app's session factory; ``register``
ties an app's engine to its sync.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary, ref

from sqlalchemy.orm import Session

from directory.core.events import listen_once
from directory.listings.models import ListingChange

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from search_index.sync import IndexSync

log = logging.getLogger(__name__)

_PENDING = "search_index.pending"
#: Engine -> its app's sync, weak both ways so finished apps (tests make many) are freed.
_syncs: WeakKeyDictionary[Engine, ref[IndexSync]] = WeakKeyDictionary()


def register(engine: Engine, sync: IndexSync) -> None:
    """Route commits of sessions bound to ``engine`` to ``sync``."""
    _syncs[engine] = ref(sync)


def _after_flush(session: Session, _context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, ListingChange) and obj.seq is not None:
            session.info.setdefault(_PENDING, {})[obj.seq] = obj.service_id


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy also calls this when a SAVEPOINT is released (the importer writes each
        # record in one): nothing is committed yet, so the changes wait for the real commit.
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.bind
    sync_ref = _syncs.get(getattr(bind, "engine", bind)) if bind is not None else None
    sync = sync_ref() if sync_ref is not None else None
    if sync is None:
        return
    try:
        sync.apply(pending)
    except Exception:  # the commit stands; the catch-up or a rebuild will fix the index
        log.exception("search index update failed; left to the catch-up")


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # one record's SAVEPOINT undone: the others still wait for the commit
    session.info.pop(_PENDING, None)


def install(session_factory: Any) -> None:
    """Register the hooks once for every session made by ``session_factory`` (called by
    :func:`directory.listeners.install`)."""
    for name, fn in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        listen_once(session_factory, name, fn)
