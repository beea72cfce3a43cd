"""Searching an index: the entry points, and the place callers import the engine from.

``search_index`` (behind ``search_index.search``) and ``match_index`` (behind ``match_all``)
find the searcher (the app's store, or a given index with a searcher kept per thread) and the
search context, then run the search guarded: on the app's store an error is shown to the
index's checks first (``run_guarded``). The search itself is split by responsibility:

* ``search_index.context``: ``Context``, ``build_context`` and the caches per searcher
  (``view_for``, ``speller_for``);
* ``search_index.selection``: which documents a request selects (``select_documents``);
* ``search_index.results``: ranking and paging them (``run_search``, ``match_documents``);
* ``search_index.hits``: one result row from stored fields (``make_hit``).

Their names are named here too, so callers (``search_index.api``, ``search_index.keys``,
tests and benchmarks) keep importing them from ``search_index.engine``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

from whoosh.searching import Searcher

from search_index.api import MAX_RADIUS_KM, Matches, SearchRequest, SearchResults

# The search's parts, named here too: callers import them from search_index.engine.
from search_index.context import Context as Context
from search_index.context import _lock as _lock
from search_index.context import _spellers as _spellers
from search_index.context import build_context as build_context
from search_index.context import home_bits as home_bits
from search_index.context import need_taxonomies as need_taxonomies
from search_index.context import speller_for as speller_for
from search_index.context import view_for as view_for
from search_index.hits import _highlighted as _highlighted
from search_index.hits import _open_status_at as _open_status_at
from search_index.hits import _open_status_text as _open_status_text
from search_index.hits import _open_statuses as _open_statuses
from search_index.hits import make_hit as make_hit
from search_index.results import _clamp as _clamp
from search_index.results import match_documents as match_documents
from search_index.results import run_search as run_search
from search_index.selection import LONDON as LONDON
from search_index.selection import MIN_AND_RESULTS as MIN_AND_RESULTS
from search_index.selection import Selection as Selection
from search_index.selection import _names_a_listing as _names_a_listing
from search_index.selection import _text_match as _text_match
from search_index.selection import ignored_message as ignored_message
from search_index.selection import local_now as local_now
from search_index.selection import select_documents as select_documents
from search_index.store import IndexUnavailable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


def search_index(
    request: SearchRequest, *, index: Any = None, session: Session | None = None
) -> SearchResults:
    """``search_index.search``: find the searcher and context, then ``run_search``."""
    return run_guarded(
        index, session, lambda searcher, context: run_search(searcher, request, context)
    )


def run_guarded(index: Any, session: Session | None, run: Callable[[Searcher, Context], T]) -> T:
    """``run(searcher, context)`` on ``index`` or, with none, the app's store. On the app's
    store an error is shown to the index's checks first (``IndexSync.search_failed``): when
    its files are damaged the answer is ``IndexRepairing`` (a 503 while it is rebuilt in
    the background), not the error (a 500, and the same again for every search)."""
    searcher, context = _searcher_and_context(index, session)
    if index is not None:
        return run(searcher, context)
    try:
        return run(searcher, context)
    except IndexUnavailable:
        raise
    except Exception as exc:
        from flask import current_app

        from search_index.sync import get_sync

        get_sync(current_app._get_current_object()).search_failed(exc)
        raise


def _searcher_and_context(index: Any, session: Session | None) -> tuple[Searcher, Context]:
    """The searcher (the app's store when no index is given) and the search context."""
    from flask import current_app, has_app_context

    app = current_app._get_current_object() if has_app_context() else None
    if index is None:
        from search_index.store import get_store

        if app is None:
            raise RuntimeError("search() needs an index, or a Flask app context to find one")
        searcher = get_store(app).searcher()
    else:
        searcher = _searcher_for(index)
    if session is None and app is not None:
        from directory.db import db

        session = db.session
    return searcher, build_context(session, app=app)


def match_index(
    request: SearchRequest,
    *,
    index: Any = None,
    session: Session | None = None,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> Matches:
    """``search_index.match_all``: like ``search_index`` but every match, unpaged."""
    return run_guarded(
        index,
        session,
        lambda searcher, context: match_documents(
            searcher, request, context, max_radius_km, widen, time_words
        ),
    )


_local = threading.local()


def _searcher_for(index: Any) -> Searcher:
    """A searcher for a Whoosh index, kept per thread and reopened when the index changed
    (with ``store.reopen``, not ``Searcher.refresh()``, which brings deleted documents back)."""
    if isinstance(index, Searcher):
        return index
    cache: WeakKeyDictionary = getattr(_local, "searchers", None) or WeakKeyDictionary()
    _local.searchers = cache
    searcher = cache.get(index)
    if searcher is None:
        searcher = index.searcher()
    elif not searcher.up_to_date():
        from search_index.store import reopen

        searcher = reopen(searcher)
    cache[index] = searcher
    return searcher
