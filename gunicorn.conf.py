"""gunicorn settings for the site: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every setting can be overridden on the command line or in ``GUNICORN_CMD_ARGS``; the ones an
operator usually changes also read an environment variable (below). Why each default, and
what the warm-up does, is in docs/index-operations.md, "Running under gunicorn".
"""

from __future__ import annotations

import os

#: Where to listen; nginx (or another proxy) in front. ``GUNICORN_BIND`` overrides.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

#: One worker process per core: searching and rendering are CPU-bound Python, so more
#: processes than cores only queue. Each worker holds its own searcher and caches (about
#: 250 MB at 100,000 services; see docs/index-operations.md). ``WEB_CONCURRENCY`` overrides.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)

#: Threads per worker. A search holds the GIL, so extra threads only help while another waits
#: on the database; each thread opens its own searcher (Whoosh searchers are not
#: thread-safe). ``GUNICORN_THREADS`` overrides.
threads = int(os.environ.get("GUNICORN_THREADS") or 1)

#: A request longer than this kills its worker. No request ever waits for an index rebuild
#: (docs/adr/0017-background-repair-and-503.md): at most ``SEARCH_REPAIR_WAIT`` (10 s), then
#: 503 with ``Retry-After``. Keep this well above ``SEARCH_REPAIR_WAIT``.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5

#: Each worker makes its own app (database pool, index store, repair thread, locks): nothing
#: of that is safe to share across ``fork``.
preload_app = False

#: Workers are not recycled by default: a worker recycled while its thread is repairing the
#: index abandons the rebuild (another worker takes it over from the start), and under load
#: 503s count towards the limit fast. ``GUNICORN_MAX_REQUESTS`` turns recycling on (a new
#: worker warms before taking traffic; the jitter keeps them from restarting together).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 0)
max_requests_jitter = max_requests // 10

#: The heartbeat file on a memory file system, so a slow disk never looks like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

#: No access log: it would write whole URLs, and search URLs hold what people look for
#: (docs/operations.md, "Logs"); the app logs one line per request without them.
accesslog = None


def post_worker_init(worker) -> None:  # type: ignore[no-untyped-def]
    """Warm the worker before it takes its first request: check and open the search index,
    load the vocabulary and run a search (``search_index.warm``). The first search of a
    cold worker at 100,000 services took 1.2 s."""
    from search_index.warm import warm

    timings = warm(worker.wsgi)
    worker.log.info("worker %s warmed in %.0f ms", worker.pid, timings.get("total", 0.0))
