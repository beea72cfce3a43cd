"""One anonymous ``SearchLog`` row per search: what was asked for, roughly where, how many
results it found, and through which door ("channel").

What is stored (docs/insights.md, "What a search leaves behind"): the words scrubbed by
:func:`directory.insights.scrub.scrub`, the outcode (never the full postcode), the need terms
the search asked for or the words meant, the number of results and whether there were none,
the channel, and the time cut to the hour. No IP address, no session or user id, no
user agent, no referrer: a row cannot be tied back to a person or to their other searches.

Logging must never cost a resident their results: :func:`log_search` catches every error,
logs only its type (the message could quote the words) and returns False. It writes in a
session of its own, so it cannot commit or roll back anything of the request's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app

from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import unit_of_work
from directory.insights.models import SearchLog
from directory.insights.scrub import outcode_of_place, scrub

if TYPE_CHECKING:
    from search_index.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

#: Where a search came from: the results page, the guided journey ("Find help" questions),
#: the ORUK API's ``search``, and the ask-for-help form's "services near you" step.
CHANNELS = ("site", "guided", "api", "ask")
#: A search asks for at most this many needs; more are cut (hostile query strings).
MAX_NEEDS = 30
ACTOR = Actor.system("search-log")
#: On SQLite, how long a search's log row waits for another writer (milliseconds), and the
#: engine's own wait it goes back to (``directory.db.make_engine``: 30 s).
LOCK_WAIT_MS = 1000
SQLITE_BUSY_MS = 30_000


def hour_of(moment: datetime) -> datetime:
    """``moment`` cut to the hour: enough for "when do people search", too coarse to single
    anyone out by the time they searched."""
    return moment.replace(minute=0, second=0, microsecond=0)


def search_entry(
    *,
    text: str = "",
    where: str = "",
    need_ids: Iterable[str] = (),
    results: int = 0,
    channel: str = "site",
    vocab: Vocabulary | None = None,
    now: datetime | None = None,
) -> SearchLog:
    """The row to store for one search, not yet added to any session. A plain function: no
    request, no database. ``vocab`` (the need vocabulary) keeps need words from being taken
    for names and adds the needs the words mean ("skint" -> money)."""
    scrubbed = scrub(text, vocab.words if vocab is not None else ())
    needs = {n for n in list(need_ids)[: MAX_NEEDS * 2] if isinstance(n, str) and 0 < len(n) <= 36}
    if vocab is not None and scrubbed.query:
        from directory.public.guided import meant_terms

        needs |= meant_terms(vocab, scrubbed.query)
    count = max(0, int(results))
    return SearchLog(
        at=hour_of(now or utcnow()),
        query=scrubbed.query,
        outcode=outcode_of_place(where) or scrubbed.outcode,
        needs=sorted(needs)[:MAX_NEEDS],
        results=count,
        zero_results=count == 0,
        channel=channel if channel in CHANNELS else "site",
    )


def log_search(
    *,
    text: str = "",
    where: str = "",
    need_ids: Iterable[str] = (),
    results: int = 0,
    channel: str = "site",
) -> bool:
    """Record one search; call it once per search a person makes, after it has run.

    ``text``: the words as typed (scrubbed here); ``where``: the place as typed (only its
    outcode is kept); ``need_ids``: taxonomy term ids the search was limited to; ``results``:
    how many it found; ``channel``: one of :data:`CHANNELS` (ask-for-help passes "ask").
    Needs an app context. Does nothing when ``SEARCH_LOGGING`` is off. Never raises: returns
    whether the row was stored.
    """
    try:
        if not current_app.config.get("SEARCH_LOGGING", True):
            return False
        from directory.db import db
        from search_index.vocabulary import load_vocabulary

        with db.new_session() as session:
            entry = search_entry(
                text=text,
                where=where,
                need_ids=need_ids,
                results=results,
                channel=channel,
                vocab=load_vocabulary(session),
            )
            with unit_of_work(session, ACTOR):
                _add_waiting_briefly(session, entry)
        return True
    except Exception as exc:  # the search has been answered; losing one log row is fine
        logger.warning("search log: a search was not recorded (%s)", type(exc).__name__)
        return False


def _add_waiting_briefly(session: Any, entry: SearchLog) -> None:
    """Add and flush ``entry``; on SQLite, waiting at most :data:`LOCK_WAIT_MS` for the write
    lock (an import may hold it for a long while): better to lose the row than keep a
    resident waiting. PostgreSQL inserts never wait for other writers."""
    session.add(entry)
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    try:
        session.flush()
    finally:  # the pooled connection goes back with the engine's own wait
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")


def log_results_page(params: Any, results: Any) -> bool:
    """The public results page's one call: its first page only (paging through the same
    search is not another search); "guided" when it ends the guided journey (which always
    says who the help is for), "site" otherwise."""
    return log_results(params, results.request.need_ids, results.total)


def log_results(params: Any, need_ids: Any, total: int) -> bool:
    """:func:`log_results_page` from the facts kept with a page served again from the page
    cache (directory/public/page_cache.py): a search answered from there is still a search."""
    if getattr(params, "page", 1) != 1 or getattr(params, "is_empty", True):
        return False
    return log_search(
        text=params.q,
        where=params.where,
        need_ids=need_ids,
        results=total,
        channel="guided" if params.who else "site",
    )


def log_api_search(filters: Any, page: Any) -> bool:
    """The ORUK API's one call: a ``search`` or ``postcode`` list request, first page only
    (clients paging through a whole feed are not residents searching)."""
    place = getattr(filters, "place", None)
    if page.paging.page != 1 or not (filters.search or place is not None):
        return False
    term = filters.taxonomy_term_id
    return log_search(
        text=filters.search or "",
        where=place.postcode if place is not None else "",
        need_ids=(term,) if term else (),
        results=page.total_items,
        channel="api",
    )
