"""One ``IndexSync`` per app, and the place callers import the index sync from.

``init_app`` makes an app's store and sync from its configuration, routes its sessions'
commits to them and starts the background updater; ``get_sync`` gives the app's sync, made on
first use. The sync itself (same-request updates, catch-up, start-up checks) is
``search_index.index_sync``, rebuilds are ``search_index.rebuild`` and the session hooks
``search_index.hooks``; their public names are named here too, so ``directory.listeners``,
the CLI, benchmarks and tests keep importing them from ``search_index.sync``.
"""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import sessionmaker

from search_index import updater

# The session hooks, named here too: directory.listeners and tests use search_index.sync's.
from search_index.hooks import _after_commit as _after_commit
from search_index.hooks import _after_flush as _after_flush
from search_index.hooks import _after_rollback as _after_rollback
from search_index.hooks import install as install
from search_index.hooks import register
from search_index.index_sync import CATCH_UP_BATCH as CATCH_UP_BATCH
from search_index.index_sync import SERVICE_BATCH as SERVICE_BATCH
from search_index.index_sync import AllDocuments as AllDocuments
from search_index.index_sync import DocumentsFor as DocumentsFor
from search_index.index_sync import IndexSync as IndexSync
from search_index.index_sync import _default_documents_for_services, _default_iter_all_documents
from search_index.rebuild import Progress as Progress
from search_index.rebuild import RebuildReport as RebuildReport
from search_index.repair import RETRY_AFTER
from search_index.store import IndexStore

if TYPE_CHECKING:
    from flask import Flask


def _default_schema() -> Any:
    from search_index.schema import build_schema

    return build_schema()


def init_app(app: Flask) -> IndexSync:
    """Make this app's store and sync, and route its sessions' commits to them (the hooks
    themselves are installed on the app's session factory by :mod:`directory.listeners`)."""
    engine = app.extensions["database"].engine
    config = app.config
    store = IndexStore(config["SEARCH_INDEX_DIR"], _default_schema)
    # Documents are built with the gazetteer search uses (GAZETTEER_PATH), in this process
    # and in rebuild workers alike (a partial of a module function pickles for them).
    gazetteer_path = config.get("GAZETTEER_PATH") or None
    sync = IndexSync(
        store,
        sessionmaker(bind=engine, expire_on_commit=False),
        documents_for_services=partial(
            _default_documents_for_services, gazetteer_path=gazetteer_path
        ),
        iter_all_documents=partial(_default_iter_all_documents, gazetteer_path=gazetteer_path),
        interval=float(config["SEARCH_SYNC_INTERVAL"]),
        lock_timeout=float(config["SEARCH_WRITE_LOCK_TIMEOUT"]),
        gap_timeout=float(config["SEARCH_GAP_TIMEOUT"]),
        procs=int(config.get("SEARCH_REINDEX_PROCS") or min(2, os.cpu_count() or 1)),
        limitmb=int(config["SEARCH_INDEX_LIMITMB"]),
        repair_wait=float(config.get("SEARCH_REPAIR_WAIT", 10.0)),
        retry_after=int(config.get("SEARCH_RETRY_AFTER", RETRY_AFTER)),
    )
    app.extensions["search_index"] = sync
    register(engine, sync)  # the app's sessions' hooks (directory.listeners) find it here
    updater.install(app)  # the background updater of serving processes
    return sync


def get_sync(app: Flask) -> IndexSync:
    sync = app.extensions.get("search_index")
    return sync if sync is not None else init_app(app)
