"""Load benchmark: result pages per second the site serves under gunicorn, as residents use it.

Run from the project root:

    .venv/bin/python bench/load_bench.py --size 10000 [--duration 30] [--clients 8]
    .venv/bin/python bench/load_bench.py --size 100000 --workdir /tmp/load_bench

It makes (or reuses) ``bench/synthetic.py``'s seeded synthetic directory of ``--size``
services in a PostgreSQL database of its own (``bench_load_<size>`` at ``--pg``, created with
the project's migrations and loaded by the same generator), builds the search index beside it
in ``--workdir``, then starts gunicorn itself with ``gunicorn.conf.py`` (``--workers`` workers,
rate limits and search logging off, ``SERVER_TIMING`` on) and waits for ``/readyz``.

A closed-loop HTTP client (``--clients`` threads over ``--client-procs`` processes, one keep-
alive connection each, sending back its session cookie) asks for a seeded mix of URLs: need
words, several words, a postcode, need plus postcode, filters, page 2, and some service pages
and home pages, for ``--warm`` seconds unmeasured, then ``--duration`` seconds measured. It
prints pages per second, latency p50/p95/p99 (overall, results pages, other pages), the
workers' CPU per page from ``/proc/<pid>/stat`` before and after, split by the ``Server-
Timing`` header the app adds when ``SERVER_TIMING`` is on (``search``: the engine; ``page``:
working out the page around it; ``render``: the template; the rest of the request and the WSGI
server are "other"; ``cached``: served from the page cache, whose share it prints beside the
CPU of a kept page and of a made one; ``--no-page-cache`` turns the cache off), the client's
own CPU, and the load average. On a shared machine the
figures are noisy: compare runs at a similar load.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GAZETTEER = ROOT / "seeds" / "gazetteer" / "gazetteer.sqlite"
TICKS = os.sysconf("SC_CLK_TCK")
TIMING_RE = re.compile(r"(\w+);dur=([0-9.]+)")

#: Share of each kind of URL in the mix; results pages dominate, as on the live site.
KINDS = {
    "need": 14,
    "words": 14,
    "postcode": 12,
    "need_postcode": 14,
    "words_postcode": 8,
    "filters": 10,
    "page2": 10,
    "service": 10,
    "home": 4,
}


# The data ----------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> tuple[str, Path, dict]:
    """The database URL, the index folder (built when missing) and what the URLs need."""
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker
    from synthetic import GENERATOR_VERSION, build_directory

    from directory import migrate
    from directory.db import make_engine
    from search_index.schema import build_schema
    from search_index.store import IndexStore
    from search_index.sync import IndexSync

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    name = f"bench_load_{args.size}_{args.seed}_g{GENERATOR_VERSION}"
    url = f"{args.pg}/{name}"
    saved = workdir / f"{name}.json"
    index_dir = workdir / f"index_{name}"
    admin = make_engine(f"{args.pg}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and not saved.exists():
            conn.execute(text(f'DROP DATABASE "{name}"'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    migrate.upgrade(url)
    if saved.exists():
        print(f"reusing database {name} and {saved}", flush=True)
        data = json.loads(saved.read_text())
    else:
        started = time.perf_counter()
        data = build_directory(url, args.size, args.seed)
        print(f"{args.size:,} services inserted in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            # Planner statistics now, not whenever autovacuum gets round to it: without them
            # the home page's need counts took 10 s (nested loops over 17,000 attributes).
            # VACUUM too: the visibility map lets index-only reads (the API's term and age
            # filters) skip the table; autovacuum may be off on a bench server, and a
            # never-vacuumed database halved the API's term mix (26 against 50 per second).
            conn.execute(text("VACUUM (ANALYZE)"))
            rows = conn.execute(text("SELECT id, name FROM service ORDER BY id LIMIT 2000"))
            data["services"] = [list(row) for row in rows]
        engine.dispose()
        saved.write_text(json.dumps(data))
    store = IndexStore(index_dir, build_schema)
    if store.current_generation() is None:  # built once per work directory, like the data
        engine = make_engine(url)
        built = IndexSync(store, sessionmaker(bind=engine), parallel_min_services=0).rebuild(2)
        engine.dispose()
        print(f"index: {built.documents:,} documents in {built.seconds:.1f} s", flush=True)
    return url, index_dir, data


def url_mix(data: dict, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, path) pairs in the shares of :data:`KINDS`, the same for a seed."""
    from directory.public.views import listing_slug

    rng = random.Random(seed)
    words = [w for w in data["words"][:300] if len(w) > 3]
    postcodes = data["postcodes"]
    needs = [n["term"] for n in data["needs"] if n.get("term")]
    groups = ["older_people", "children", "adults", "young_people"]

    def search(**params: object) -> str:
        return "/search?" + urlencode(params, doseq=True)

    makers = {
        "need": lambda: search(need=rng.choice(needs)),
        "words": lambda: search(q=" ".join(rng.sample(words, rng.choice((1, 2, 2, 3))))),
        "postcode": lambda: search(where=rng.choice(postcodes)),
        "need_postcode": lambda: search(need=rng.choice(needs), where=rng.choice(postcodes)),
        "words_postcode": lambda: search(q=rng.choice(words), where=rng.choice(postcodes)),
        "filters": lambda: search(
            need=rng.choice(needs),
            where=rng.choice(postcodes),
            **rng.choice(({"free": "yes"}, {"age": rng.choice(groups)}, {"mode": "phone"})),
        ),
        "page2": lambda: search(need=rng.choice(needs), page=2),
        "service": lambda: "/services/{}/{}".format(
            *(lambda s: (s[0], listing_slug(s[1])))(rng.choice(data["services"]))
        ),
        "home": lambda: "/",
    }
    names = list(KINDS)
    weights = [KINDS[k] for k in names]
    return [(kind, makers[kind]()) for kind in rng.choices(names, weights, k=count)]


# gunicorn ----------------------------------------------------------------------------------


def start_gunicorn(args: argparse.Namespace, url: str, index_dir: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "GAZETTEER_PATH": str(GAZETTEER),
        "SECRET_KEY": "load-bench",
        "RATELIMIT_ENABLED": "false",
        "SEARCH_LOGGING": "false",
        "SERVER_TIMING": "false" if args.no_timing else "true",
        "PAGE_CACHE_MB": "0" if args.no_page_cache else os.environ.get("PAGE_CACHE_MB", "32"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "INSTANCE_DIR": str(Path(args.workdir) / "instance"),
    }
    # Pages kept by an earlier run (same index, maybe the same minute) would flatter this one.
    from directory.public.page_cache import default_folder

    pages = default_folder(str(Path(args.workdir) / "instance"))
    shutil.rmtree(pages, ignore_errors=True)
    log = open(Path(args.workdir) / "gunicorn.log", "w")  # noqa: SIM115 - lives with the server
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--no-control-socket",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 600
    answer = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}): see {log.name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/readyz")
            response = conn.getresponse()
            answer = f"{response.status} {response.read().decode()}"
            if response.status == 200 and len(workers(server.pid)) >= args.workers:
                return server
        except OSError as exc:  # not listening yet
            answer = f"no answer ({exc.__class__.__name__})"
        time.sleep(0.5)
    stop_gunicorn(server)
    raise SystemExit(f"gunicorn did not become ready within 10 minutes: /readyz {answer}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    """TERM to the master, which stops its workers; KILL to all of them if it hangs."""
    children = workers(server.pid)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in [server.pid, *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def workers(master: int) -> list[int]:
    """The pids of gunicorn's workers (the master's children)."""
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def cpu_of(pid: int) -> float:
    """Seconds of CPU (user + system) a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# The client --------------------------------------------------------------------------------


def _thread(port, mix, stop_at, measure_from, out) -> None:
    """One visitor: a keep-alive connection that sends back the session cookie it was given,
    as a browser does (the first results page gives one: the list buttons' CSRF token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers: dict[str, str] = {}
    n = 0
    while True:
        kind, path = mix[n % len(mix)]
        n += 1
        began = time.perf_counter()
        if began >= stop_at:
            break
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            headers["Cookie"] = cookie.split(";", 1)[0]
        took = time.perf_counter() - began
        if response.status != 200:
            out.append((kind, -response.status, {}, path))
            continue
        if began >= measure_from:
            timing = response.getheader("Server-Timing") or ""
            out.append((kind, took * 1000, dict(TIMING_RE.findall(timing)), None))
    conn.close()


def client_process(port, mixes, stop_at, measure_from, results) -> None:
    """Threads in one process, each with its own connection; reports its rows and CPU."""
    out: list = []
    threads = [
        threading.Thread(target=_thread, args=(port, mix, stop_at, measure_from, out))
        for mix in mixes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put((out, usage.ru_utime + usage.ru_stime))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(args: argparse.Namespace, data: dict, server: subprocess.Popen) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    per_proc = [list(range(n, args.clients, args.client_procs)) for n in range(args.client_procs)]
    mixes = {n: url_mix(data, 4000, args.seed * 1000 + n) for n in range(args.clients)}
    now = time.time()
    measure_from_wall = now + 1 + args.warm
    stop_wall = measure_from_wall + args.duration
    # perf_counter is per process on Linux but shares CLOCK_MONOTONIC; convert once.
    offset = time.perf_counter() - time.time()
    procs = [
        ctx.Process(
            target=client_process,
            args=(
                args.port,
                [mixes[n] for n in ids],
                stop_wall + offset,
                measure_from_wall + offset,
                results,
            ),
        )
        for ids in per_proc
        if ids
    ]
    for proc in procs:
        proc.start()
    time.sleep(max(0.0, measure_from_wall - time.time()))
    pids = workers(server.pid)
    cpu_before = {pid: cpu_of(pid) for pid in pids}
    master_before = cpu_of(server.pid)
    load_before = os.getloadavg()
    time.sleep(max(0.0, stop_wall - time.time()))
    cpu_after = {pid: cpu_of(pid) for pid in pids}
    master_after = cpu_of(server.pid)
    load_after = os.getloadavg()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join()
    rows = [row for outcome in outcomes for row in outcome[0]]
    return {
        "rows": rows,
        "client_cpu": sum(outcome[1] for outcome in outcomes),
        "worker_cpu": sum(cpu_after[p] - cpu_before[p] for p in pids),
        "master_cpu": master_after - master_before,
        "load": (load_before, load_after),
        "workers": pids,
    }


def _mean_app(rows: list) -> float:
    return sum(float(r[2].get("app", 0)) for r in rows) / len(rows) if rows else 0.0


def report(args: argparse.Namespace, got: dict) -> dict:
    rows = got["rows"]
    failures = [row for row in rows if row[1] < 0]
    done = [row for row in rows if row[1] >= 0]
    count = len(done)
    pages = [row for row in done if row[0] not in ("service", "home")]
    rate = count / args.duration
    before, after = got["load"]
    print(
        f"\nLoad at {args.size:,} services: {args.workers} gunicorn workers x {args.threads} "
        f"thread(s), {args.clients} client connections, {args.duration:.0f} s measured"
    )
    print(f"  load average before {before[0]:.2f} {before[1]:.2f}, after {after[0]:.2f} "
          f"{after[1]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"  {rate:.1f} pages/s ({len(pages) / args.duration:.1f} result pages/s), "
          f"{len(failures)} failures")  # fmt: skip
    for label, subset in (("all", done), ("results", pages),
                          ("other", [r for r in done if r[0] in ("service", "home")])):  # fmt: skip
        if subset:
            ms = [r[1] for r in subset]
            print(f"  {label:8} p50 {statistics.median(ms):6.1f} ms  p95 {percentile(ms, .95):6.1f}"
                  f" ms  p99 {percentile(ms, .99):6.1f} ms  n={len(ms)}")  # fmt: skip
    worker_ms = 1000 * got["worker_cpu"] / max(1, count)
    print(f"  worker CPU {worker_ms:.2f} ms per page (all pages); gunicorn master "
          f"{1000 * got['master_cpu'] / args.duration:.1f} ms/s; client CPU "
          f"{1000 * got['client_cpu'] / max(1, count):.2f} ms per page")  # fmt: skip
    split = {}
    if pages and pages[0][2]:
        for part in ("search", "page", "render", "app"):
            split[part] = sum(float(r[2].get(part, 0)) for r in pages) / len(pages)
        app_other = split["app"] - split["search"] - split["page"] - split["render"]
        print(
            f"  results pages, CPU ms each (Server-Timing): search {split['search']:.2f}, "
            f"page {split['page']:.2f}, render {split['render']:.2f}, rest of the request "
            f"{app_other:.2f}; whole request {split['app']:.2f}"
        )
        cached = [r for r in done if "cached" in r[2]]
        fresh = [r for r in done if "cached" not in r[2]]
        results_cached = sum(1 for r in pages if "cached" in r[2])
        print(
            f"  page cache: {100 * len(cached) / count:.0f}% of pages served from it "
            f"({100 * results_cached / len(pages):.0f}% of result pages); request CPU "
            f"{_mean_app(cached):.2f} ms a kept page, {_mean_app(fresh):.2f} ms a rendered one"
        )
        for label, subset in (("kept", cached), ("rendered", fresh)):
            if subset:
                ms = [r[1] for r in subset]
                print(f"  {label:8} p50 {statistics.median(ms):6.1f} ms  p95 "
                      f"{percentile(ms, .95):6.1f} ms  p99 {percentile(ms, .99):6.1f} ms  "
                      f"n={len(ms)}")  # fmt: skip
        everything = sum(float(r[2].get("app", 0)) for r in done) / count
        print(f"  all pages: request CPU {everything:.2f} ms in the app, "
              f"{worker_ms - everything:.2f} ms in gunicorn/WSGI outside it")  # fmt: skip
    for row in failures[:5]:
        print(f"  failed: {-row[1]} {row[3]}")
    summary = {
        "size": args.size,
        "pages_per_s": round(rate, 1),
        "p95_ms": round(percentile([r[1] for r in done], 0.95), 1) if done else None,
        "worker_cpu_ms": round(worker_ms, 2),
        "load_before": round(before[0], 2),
    }
    print(json.dumps(summary))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "load_bench"))
    parser.add_argument("--pg", default="postgresql+psycopg://root@127.0.0.1:5432")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8, help="connections in all")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--warm", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--no-timing", action="store_true", help="SERVER_TIMING off")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="PAGE_CACHE_MB=0: every page rendered"
    )
    args = parser.parse_args(argv)
    url, index_dir, data = prepare(args)
    server = start_gunicorn(args, url, index_dir)
    try:
        report(args, run(args, data, server))
    finally:
        stop_gunicorn(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
