"""How long an edit on one machine takes to show in another machine's search (issue 14, scope 3).

Two processes on one PostgreSQL database, each with its own index folder, as two web machines:

- machine A is this process: an app with its index and its background updater; it edits one
  listing at a time (a new word in its name) through the ORM, as a staff member's save does;
- machine B is a child process (``--machine``): an app with its index, its background updater
  (``search_index.updater``) and a tiny HTTP server answering "which listings have word w"
  from the same cached searcher the site's searches use.

For each edit the clock starts just before ``commit()`` (so the figure includes the commit
itself, and A's own index update inside it) and stops when B's search first finds the word,
asked every 5 ms; a second figure starts at the database's commit (the first
``after_commit`` listener), before A's own index update. B's check + catch-up time is
printed too. Edits are spaced
by a random 50-1,000 ms, so B is sometimes idle and sometimes busy. Each mode runs the same
stream: ``feed`` (LISTEN/NOTIFY wakes B's updater; polling every 2 s stays as the fallback)
and ``poll`` (``SEARCH_FEED`` off: polling alone, which is what the old in-request check
amounted to, without its cost to a user). Prints p50/p95/max per mode with the load average.

    .venv/bin/python bench/feed_bench.py --size 10000 --edits 200

A throwaway database is created on ``--admin-url`` and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, select, text  # noqa: E402
from whoosh.qparser import QueryParser  # noqa: E402

from directory import create_app, migrate  # noqa: E402
from directory.db import db  # noqa: E402
from directory.models import Service  # noqa: E402
from search_index.sync import get_sync  # noqa: E402
from search_index.updater import start_updater  # noqa: E402

#: Consonants only, so no two words stem alike.
LETTERS = "bcdfghjkmnpqrtvwxz"


def word(n: int) -> str:
    out = ""
    for _ in range(3):
        n, r = divmod(n, len(LETTERS))
        out += LETTERS[r]
    return "benchword" + out


def config(url: str, index_dir: Path, interval: float, feed: bool) -> dict:
    return {
        "TESTING": True,  # no request starts an updater: each process starts its own below
        "SECRET_KEY": "bench",
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "SEARCH_SYNC_INTERVAL": interval,
        "SEARCH_FEED": feed,
        "SEARCH_LOGGING": False,
    }


def ids_matching(searcher, w: str) -> list[str]:
    query = QueryParser("all", searcher.schema).parse(w)
    return sorted(hit["service_id"] for hit in searcher.search(query, limit=None))


# Machine B ----------------------------------------------------------------------------------


def machine(url: str, index_dir: str, port_file: str, interval: str, feed: str) -> None:
    app = create_app(config(url, Path(index_dir), float(interval), feed == "1"))
    sync = get_sync(app)
    sync.ready_store()
    sync.store.searcher()
    checks: list[float] = []  # ms per check that found something to apply
    check = sync.maybe_catch_up

    def timed_check() -> None:
        before = sync.store.read_state().last_seq
        started = time.perf_counter()
        check()
        if sync.store.read_state().last_seq != before:
            checks.append((time.perf_counter() - started) * 1000)

    sync.maybe_catch_up = timed_check  # type: ignore[method-assign]
    start_updater(app)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            if "word" in query:
                found = ids_matching(sync.store.searcher(), query["word"][0])
                data = json.dumps(found).encode()
            else:
                data = json.dumps(checks).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    Path(port_file + ".tmp").write_text(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


def start_machine(url: str, index_dir: Path, workdir: Path, interval: float, feed: bool):
    port_file = workdir / f"port-{uuid.uuid4().hex[:6]}"
    proc = subprocess.Popen(
        [sys.executable, __file__, "--machine", url, str(index_dir), str(port_file),
         str(interval), "1" if feed else "0"],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("machine B did not start")
        time.sleep(0.05)
    return proc, int(port_file.read_text())


def ask(port: int, w: str | None) -> list:
    """B's answer: the ids with word ``w``, or (None) its catch-up durations."""
    path = f"/search?word={w}" if w else "/checks"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return json.load(r)


# Machine A and the measurement ---------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_mode(url, workdir, index_a, ids, args, feed: bool, first: int) -> dict[str, list[float]]:
    index_b = workdir / f"b-{'feed' if feed else 'poll'}"
    shutil.copytree(index_a, index_b)  # the same generation: B starts in step
    proc, port = start_machine(url, index_b, workdir, args.interval, feed)
    app = create_app(config(url, index_a, args.interval, feed))
    get_sync(app).ready_store()
    start_updater(app)  # machine A is a web machine too
    rng = random.Random(args.seed + (1 if feed else 2))
    lags: list[float] = []
    commits: list[float] = []
    propagated: list[float] = []  # from the database's commit, without A's own index update
    committed_at = [0.0]

    def note_commit(_session) -> None:
        committed_at[0] = time.perf_counter()

    # First among the after_commit listeners: before A's own index update runs.
    event.listen(app.extensions["database"].sessionmaker, "after_commit", note_commit, insert=True)
    try:
        time.sleep(1.0)  # B's first check and LISTEN
        with app.app_context():
            for n in range(args.edits):
                w = word(first + n)
                service = db.session.get(Service, rng.choice(ids))
                service.name = f"{service.name.split(' benchword')[0]} {w}"
                started = time.perf_counter()
                db.session.commit()  # A's own index is updated in here, after the DB commit
                commits.append((time.perf_counter() - started) * 1000)
                db.session.close()
                deadline = started + 30
                while not ask(port, w):
                    if time.perf_counter() > deadline:
                        raise SystemExit(f"edit {n} never showed on machine B")
                    time.sleep(0.005)
                found_at = time.perf_counter()
                lags.append((found_at - started) * 1000)
                propagated.append((found_at - committed_at[0]) * 1000)
                time.sleep(rng.uniform(0.05, 1.0))
        checks = ask(port, None)
    finally:
        proc.kill()
        proc.wait()
        app.extensions["search_index.updater"].stop()
        app.extensions["database"].engine.dispose()
    return {"lag": lags, "propagated": propagated, "commit": commits, "check": checks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="services (default 10,000)")
    parser.add_argument("--edits", type=int, default=200, help="edits per mode")
    parser.add_argument("--interval", type=float, default=2.0, help="SEARCH_SYNC_INTERVAL")
    parser.add_argument("--modes", default="feed,poll", help="feed, poll or both (default)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test"),
    )
    parser.add_argument("--machine", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.machine:
        machine(*args.machine)
        return
    from synthetic import build_directory

    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    name = f"feed_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    workdir = Path(tempfile.mkdtemp(prefix="feed_bench_"))
    try:
        migrate.upgrade(url)
        started = time.perf_counter()
        build_directory(url, args.size, args.seed)
        index_a = workdir / "a"
        setup = create_app(config(url, index_a, args.interval, True))
        report = get_sync(setup).rebuild()
        with setup.app_context():
            ids = list(db.session.scalars(select(Service.id).order_by(Service.id)))
        setup.extensions["database"].engine.dispose()
        made = time.perf_counter() - started
        print(
            f"{args.size:,} services, {report.documents:,} documents, made and indexed in "
            f"{made:.0f} s; {os.cpu_count()} CPUs",
            flush=True,
        )
        for i, mode in enumerate(m.strip() for m in args.modes.split(",")):
            load_before = os.getloadavg()
            times = run_mode(url, workdir, index_a, ids, args, mode == "feed", i * args.edits)
            load_after = os.getloadavg()
            print(
                f"{mode:>4}: {len(times['lag'])} edits (interval {args.interval:g} s); load "
                f"average {load_before[0]:.2f} before, {load_after[0]:.2f} after",
                flush=True,
            )
            for key, label in (
                ("lag", "edit commit -> found in B's search"),
                ("propagated", "database commit -> found in B's search"),
                ("commit", "A's commit (with A's own index update)"),
                ("check", "B's check + catch-up of a change"),
            ):
                v = times[key] or [0.0]
                print(
                    f"      {label}: p50 {percentile(v, 50):.0f} ms, p95 "
                    f"{percentile(v, 95):.0f} ms, max {max(v):.0f} ms ({len(v)})",
                    flush=True,
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
