"""API benchmark: ORUK ``/api/services`` and ``/api/service_at_locations`` searches per second.

Run from the project root:

    .venv/bin/python bench/api_bench.py --size 10000 [--procs 2] [--requests 400]
    .venv/bin/python bench/api_bench.py --size 100000 --workdir /tmp/bench --procs 2
    .venv/bin/python bench/api_bench.py --size 100000 --procs 2 \
        --pg postgresql+psycopg://root@127.0.0.1:5432 [--gunicorn --workers 2 --clients 4]

The directory is ``bench/synthetic.py``'s (seeded: the same ``--seed`` and size give the same
services, words and postcodes). On SQLite (the default) it is kept in ``--workdir`` and reused
by later runs, as is the index built from it. With ``--pg`` it is ``bench/load_bench.py``'s
PostgreSQL database and index (``bench_load_<size>_<seed>_g<generator>`` at that server, made
by ``load_bench.prepare`` on first use and shared with the load benchmark, so both measure the
same data); ``--workdir`` then defaults to load_bench's, which must hold the JSON kept beside
that database (load_bench drops and makes again a database it finds without it).

The queries are seeded too, in two mixes run one after the other, because their costs differ
in kind:

* answered by the index and the page's rows: one word, two words, a postcode with a
  distance, words near a postcode, the service-at-location list;
* with a filter the index cannot apply: a need's taxonomy term, read from the term's side
  when that is the smaller (cost grows with the smaller of the term's services and the
  matches), or an age, which SQL checks down the ranked list and counts over all of it
  (cost grows with how many listings match the words); ``--filter-kinds word_term`` or
  ``word_age`` runs one of them alone (docs/api.md, "Search and proximity").

Pages 1 to 3 of 10 or 50 results. ``--procs`` client processes each run their own app (as
gunicorn workers would) through the Flask test client in a closed loop, with no HTTP in
between; all start together after warming up on a few requests of their own. For each mix it
prints searches per second, latency p50/p95/p99 per kind and overall, CPU milliseconds per
request (the clients', and with ``--pg`` their PostgreSQL backends', read from ``/proc``), and
the rows the database handed over per request (which must not grow with ``--size``:
tests/api/test_cost.py). The load average is printed too: on a shared machine figures are
noisy.

``--gunicorn`` measures the API as it runs in production instead: gunicorn with
``gunicorn.conf.py`` (``--workers``, default 2), driven over HTTP by load_bench's closed-loop
client (``--clients`` keep-alive connections over ``--client-procs`` processes, ``--warm``
seconds unmeasured, then ``--duration`` seconds); CPU per request is then the workers' own
(from /proc), with the client's printed beside it.

``--answers FILE`` first appends every URL the clients will request, with its ``total_items``
and the ids of its page, to FILE (one JSON line each), so that a change meant to make the API
cheaper can be shown to give the same answers (compare the files of two runs).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load_bench  # noqa: E402  (its PostgreSQL data, gunicorn and HTTP client)
from load_bench import percentile  # noqa: E402

GAZETTEER = ROOT / "seeds" / "gazetteer" / "gazetteer.sqlite"
WARM_UP = 20


#: Kinds answered by the index plus the page's rows, and kinds with a filter SQL applies
#: down the ranked list (their cost grows with how many listings match the words).
INDEX_KINDS = ("word", "two_words", "postcode", "word_postcode", "locations")
FILTER_KINDS = ("word_term", "word_age")


def query_mix(data: dict, count: int, seed: int, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """``count`` (kind, URL) pairs of ``kinds`` in turn, the same for the same data and seed."""
    rng = random.Random(seed)
    words = [w for w in data["words"] if len(w) > 3][:400]
    postcodes = data["postcodes"]
    needs = [n["id"] for n in data["needs"]]
    makers = {
        "word": lambda: ("/api/services", {"search": rng.choice(words)}),
        "two_words": lambda: ("/api/services", {"search": " ".join(rng.sample(words, 2))}),
        "postcode": lambda: (
            "/api/services",
            {"postcode": rng.choice(postcodes), "proximity": rng.choice((2000, 5000, 10000))},
        ),
        "word_postcode": lambda: (
            "/api/services",
            {"search": rng.choice(words), "postcode": rng.choice(postcodes), "proximity": 20000},
        ),
        "locations": lambda: ("/api/service_at_locations", {"search": rng.choice(words)}),
        "word_term": lambda: (
            "/api/services",
            {"search": rng.choice(words), "taxonomy_term_id": rng.choice(needs)},
        ),
        "word_age": lambda: (
            "/api/services",
            {"search": rng.choice(words), "maximum_age": rng.choice((12, 17, 30))},
        ),
    }
    out = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        path, params = makers[kind]()
        params |= {"page": rng.choice((1, 1, 1, 2, 3)), "per_page": rng.choice((10, 50))}
        out.append((kind, f"{path}?{urlencode(params)}"))
    return out


def _app(database_url: str, index_dir: Path):
    from directory import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": str(index_dir),
            "GAZETTEER_PATH": str(GAZETTEER),
            "RATELIMIT_ENABLED": False,
            "SEARCH_LOGGING": False,
        }
    )


def count_rows(engine, database_url: str) -> list[int]:
    """``counted[0]``: rows the database hands over from now on (SQLite: a counting row
    factory; PostgreSQL: each statement's ``rowcount``, which psycopg knows once it has run)."""
    from sqlalchemy import event

    rows = [0]

    def counting(_cursor, row):
        rows[0] += 1
        return row

    def give_factory(_conn, cursor, *_args) -> None:
        if hasattr(cursor, "row_factory"):
            cursor.row_factory = counting

    def add_rowcount(_conn, cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and cursor.rowcount > 0:
            rows[0] += cursor.rowcount

    if database_url.startswith("sqlite"):
        event.listen(engine, "before_cursor_execute", give_factory)
    else:
        event.listen(engine, "after_cursor_execute", add_rowcount)
    return rows


def backend_cpu(engine) -> Callable[[], float]:
    """A clock of the CPU seconds spent by this engine's PostgreSQL backends (``/proc``, so the
    server must run on this machine; SQLite: always 0, its work is the client's own)."""
    from sqlalchemy import event

    pids: set[int] = set()

    def remember(dbapi_connection, _record) -> None:
        pids.add(dbapi_connection.info.backend_pid)

    if engine.dialect.name != "postgresql":
        return lambda: 0.0
    event.listen(engine, "connect", remember)
    ticks = os.sysconf("SC_CLK_TCK")

    def clock() -> float:
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # a backend that has gone
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    return clock


def _client(database_url, index_dir, mix, ready, start, results) -> None:
    """One client process: warm up, wait for the others, then run ``mix`` in a loop."""
    app = _app(database_url, index_dir)
    client = app.test_client()
    rows = count_rows(app.extensions["database"].engine, database_url)
    server_cpu = backend_cpu(app.extensions["database"].engine)
    for _kind, url in mix[:WARM_UP]:
        client.get(url)
    rows[0] = 0
    ready.put(os.getpid())
    start.wait()
    timings: list[tuple[str, float]] = []
    cpu, server = time.process_time(), server_cpu()
    for kind, url in mix:
        began = time.perf_counter()
        response = client.get(url)
        timings.append((kind, (time.perf_counter() - began) * 1000))
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.get_data(as_text=True)}")
    results.put((timings, time.process_time() - cpu, rows[0], server_cpu() - server))


def prepare(args: argparse.Namespace) -> tuple[str, Path, dict]:
    """The database URL, the index folder (built if missing) and the query data."""
    if args.pg:  # load_bench's database and index: the same data the load benchmark uses
        return load_bench.prepare(args)
    from search_bench import reuse_or_build_directory
    from sqlalchemy.orm import sessionmaker

    from directory.db import make_engine
    from search_index.schema import build_schema
    from search_index.store import IndexStore
    from search_index.sync import IndexSync

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / f"directory_{args.size}.sqlite"
    data = reuse_or_build_directory(db_path, args.size, args.seed)
    url = f"sqlite:///{db_path}"
    index_dir = workdir / f"index_{args.size}"
    engine = make_engine(url)
    sync = IndexSync(IndexStore(index_dir, build_schema), sessionmaker(bind=engine),
                     parallel_min_services=0)  # fmt: skip
    if sync.store.current_generation() is None:
        report = sync.rebuild(procs=2)
        print(f"index built: {report.documents:,} documents in {report.seconds:.1f} s", flush=True)
    engine.dispose()
    return url, index_dir, data


def write_answers(args, url: str, index_dir: Path, data: dict, kinds: tuple[str, ...]) -> None:
    """Appends to ``--answers`` each URL of the mix the clients will run, with its
    ``total_items`` and the ids of its page, one JSON line each: two runs (before and after a
    change) must write the same file."""
    app = _app(url, index_dir)
    client = app.test_client()
    with open(args.answers, "a", encoding="utf-8") as out:
        for n in range(args.procs):
            for _kind, path in query_mix(data, args.requests, args.seed + n, kinds):
                body = client.get(path).get_json()
                ids = [item["id"] for item in body.get("contents", ())]
                out.write(json.dumps([path, body.get("total_items"), ids]) + "\n")
    app.extensions["database"].engine.dispose()


def run_phase(args, url: str, index_dir: Path, data: dict, kinds: tuple[str, ...]) -> None:
    """``--procs`` warm client processes run their share of one mix together; prints it."""
    ctx = multiprocessing.get_context("spawn")
    ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    clients = []
    for n in range(args.procs):
        mix = query_mix(data, args.requests, args.seed + n, kinds)
        clients.append(
            ctx.Process(target=_client, args=(url, index_dir, mix, ready, start, results))
        )
    for client in clients:
        client.start()
    for _ in clients:
        ready.get(timeout=600)  # every client warm
    load_before = os.getloadavg()
    began = time.perf_counter()
    start.set()
    outcomes = [results.get(timeout=3600) for _ in clients]
    wall = time.perf_counter() - began
    for client in clients:
        client.join()
    timings = [t for outcome in outcomes for t in outcome[0]]
    count = len(timings)
    cpu = 1000 * sum(outcome[1] for outcome in outcomes) / count
    rows = sum(outcome[2] for outcome in outcomes) / count
    server = 1000 * sum(outcome[3] for outcome in outcomes) / count
    report(
        args, kinds, timings, count / wall, (load_before, os.getloadavg()),
        f"{args.procs} client process(es) with the app in-process, {count:,} requests",
        f"CPU {cpu:.1f} ms per request (app and test client) and {server:.1f} ms (database "
        f"backends); {rows:.1f} rows read per request",
    )  # fmt: skip


def run_http(args, data: dict, server, kinds: tuple[str, ...]) -> None:
    """load_bench's closed-loop HTTP client on ``kinds`` against the running gunicorn."""
    # load_bench.run draws each connection's URLs with url_mix(data, count, seed): give it
    # this benchmark's API mix instead of the public site's pages.
    site_mix = load_bench.url_mix
    load_bench.url_mix = lambda data, count, seed: query_mix(data, count, seed, kinds)
    try:
        got = load_bench.run(args, data, server)
    finally:
        load_bench.url_mix = site_mix
    failures = [row for row in got["rows"] if row[1] < 0]
    for kind, status, _timing, path in failures[:5]:
        print(f"  failed: {-status} {kind} {path}")
    timings = [(row[0], row[1]) for row in got["rows"] if row[1] >= 0]
    count = max(1, len(timings))
    report(
        args, kinds, timings, len(timings) / args.duration, got["load"],
        f"gunicorn {args.workers} worker(s) x {args.threads} thread(s), {args.clients} "
        f"connections, {args.duration:.0f} s measured, {len(failures)} failures",
        f"worker CPU {1000 * got['worker_cpu'] / count:.2f} ms per request; client CPU "
        f"{1000 * got['client_cpu'] / count:.2f} ms per request",
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300, help="per client process and mix")
    parser.add_argument("--procs", type=int, default=1, help="client processes")
    parser.add_argument("--workdir", help="default: /tmp/api_bench, with --pg load_bench's")
    parser.add_argument("--no-filters", action="store_true", help="skip the filtered mix")
    parser.add_argument(
        "--filter-kinds", default=",".join(FILTER_KINDS),
        help=f"the filtered mix's kinds, comma-separated (of {', '.join(FILTER_KINDS)})",
    )  # fmt: skip
    parser.add_argument(
        "--answers", help="append each measured URL's total and page ids to this file first"
    )
    parser.add_argument("--pg", help="PostgreSQL server URL (no database): load_bench's data")
    parser.add_argument("--gunicorn", action="store_true", help="measure over HTTP, gunicorn")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4, help="connections in all")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--warm", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    args = parser.parse_args(argv)
    args.workdir = args.workdir or str(
        Path(tempfile.gettempdir()) / ("load_bench" if args.pg else "api_bench")
    )
    args.no_timing, args.no_page_cache = True, True  # what load_bench.start_gunicorn reads
    url, index_dir, data = prepare(args)
    filtered = tuple(kind for kind in args.filter_kinds.split(",") if kind)
    if unknown := set(filtered) - set(FILTER_KINDS):
        parser.error(f"--filter-kinds: unknown {', '.join(sorted(unknown))}")
    phases = [INDEX_KINDS] if args.no_filters else [INDEX_KINDS, filtered]
    for kinds in phases if args.answers else ():
        write_answers(args, url, index_dir, data, kinds)
    if not args.gunicorn:
        for kinds in phases:
            run_phase(args, url, index_dir, data, kinds)
        return 0
    server = load_bench.start_gunicorn(args, url, index_dir)
    try:
        for kinds in phases:
            run_http(args, data, server, kinds)
    finally:
        load_bench.stop_gunicorn(server)
    return 0


def report(args, kinds, timings, rate: float, load, setting: str, cost: str) -> None:
    """One mix's figures: rate, ``cost``, latency percentiles per kind, the load average."""
    database = "PostgreSQL" if args.pg else "SQLite"
    print(f"\nAPI searches at {args.size:,} services on {database} ({', '.join(kinds)}): "
          f"{setting}, seed {args.seed}")  # fmt: skip
    (before, after), cores = load, os.cpu_count()
    print(f"  load average {before[0]:.2f} {before[1]:.2f} before, {after[0]:.2f} "
          f"{after[1]:.2f} after (1 and 5 min) on {cores} cores")  # fmt: skip
    print(f"  {rate:.1f} searches/s; {cost}")
    print(f"  {'kind':16} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'n':>5}")
    for kind in [*kinds, "overall"]:
        values = [ms for k, ms in timings if kind in (k, "overall")]
        if values:
            print(
                f"  {kind:16} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} "
                f"{percentile(values, 0.99):8.1f} {len(values):5d}"
            )
    summary = {"size": args.size, "database": database, "gunicorn": args.gunicorn, "kinds": kinds}
    print(json.dumps(summary | {"searches_per_s": round(rate, 1), "load": round(before[0], 2)}))


if __name__ == "__main__":
    raise SystemExit(main())
