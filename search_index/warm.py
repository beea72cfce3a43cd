"""Warming a worker before it takes traffic: ``warm(app)``, for gunicorn's ``post_worker_init``.

The first search in a fresh worker at 100,000 services took 1.2 s: checking and opening the
index, loading the vocabulary and the gazetteer, reading the spelling dictionary, mapping the
arrays files and filling the per-segment caches (document sets, columns), then compiling the
page's templates. ``warm`` does all of that once, in the worker, before gunicorn hands it a
request (gunicorn.conf.py), and starts the worker's index updater (``search_index.updater``;
a worker whose warm-up fails starts it on its first request). It never waits longer than
the repair wait for a missing or damaged index: the worker then starts serving
(503 with ``Retry-After`` for searches) while the repair goes on in the background, rather
than be killed by gunicorn's timeout.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

#: Searches run once to fill the caches a first request would otherwise fill: words (the
#: spelling dictionary, the text postings and arrays), need and place filters (keyword sets,
#: coordinates), and the ranked keys the API uses.
WARM_TEXT = "help with food"


def warm(app: Flask) -> dict[str, float]:
    """Open the searcher, load the vocabulary and run one query; returns milliseconds per
    step (logged). Never raises: a worker that cannot warm still serves what it can."""
    from search_index import SearchRequest, search
    from search_index.keys import match_keys
    from search_index.store import IndexUnavailable
    from search_index.sync import get_sync
    from search_index.updater import serve
    from search_index.vocabulary import load_vocabulary

    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        timings[name] = round((time.perf_counter() - started) * 1000 - sum(timings.values()), 1)

    # Every template (pages import macros from many), compiled once per process: a cold
    # worker's first results page took 0.5 s more than the next.
    try:
        for name in app.jinja_env.list_templates(extensions=("html", "txt")):
            app.jinja_env.get_template(name)
    except Exception:  # the page that needs it will say what is wrong
        log.exception("template warm-up failed")
    lap("templates")
    try:
        with app.app_context():
            from directory.db import db

            sync = get_sync(app)
            sync.ready_store()  # the start-up check; waits for a repair only so long
            serve(app)  # the background updater: other machines' edits, within a second
            sync.store.searcher()
            lap("index")
            load_vocabulary(db.session)
            lap("vocabulary")
            with app.test_request_context():
                search(SearchRequest(text=WARM_TEXT))
                search(SearchRequest(place=str(app.config.get("HOME_AREA_NAME") or "")))
                match_keys(SearchRequest(text=WARM_TEXT), widen=False)
            lap("search")
    except IndexUnavailable as exc:
        log.warning("search index not warmed: %s", exc)
    except Exception:  # a cold worker is better than no worker
        log.exception("search index warm-up failed")
    timings["total"] = round((time.perf_counter() - started) * 1000, 1)
    log.info("search index warmed in %.0f ms (%s)", timings["total"], timings)
    return timings
