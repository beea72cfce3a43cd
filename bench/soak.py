"""Soak under faults: the site at 80% of its capacity for ``--minutes``, with edits and imports
going on and faults injected on a schedule; then checks that nothing was lost and every
process is back in step. Issue 14, scope 8; the method and figures are in docs/reliability.md.

Run from the project root (as root it runs PostgreSQL's tools as the ``postgres`` user):

    .venv/bin/python bench/soak.py                 # 10 minutes, 10,000 services
    .venv/bin/python bench/soak.py --minutes 1     # a short run while developing

Everything runs on the soak's own servers (bench/soak_cluster.py), never the shared ones: a
PostgreSQL cluster in ``--workdir`` on ``--pg-port`` (5434), ``redis-server`` on
``--redis-port`` (6380) and gunicorn with the project's gunicorn.conf.py (2 workers) on
``--port`` (8090). The seeded synthetic directory of bench/search_bench.py (``--size``,
``--seed``) is loaded once into a template database kept in ``--workdir``; each run copies it.

1. Capacity, under the soak's own conditions: a closed loop (``--threads-capacity``
   connections) for ``--capacity-seconds`` over the soak's URL mix, while the writer edits
   listings (bench/soak_writer.py, ``--edit-rate``) and an import runs, as they do all
   through the soak. Without them the page cache (docs/search-pages.md, "Page cache") kept
   pages for minutes and the loop found a capacity the soak could not have: every applied
   edit gives the index a new version, and a page is kept only for its version. That old
   figure is still printed for comparison (``--quiet-seconds`` of the loop alone, first).
2. The soak: an open loop at ``--load`` (0.8) of that rate over mixed URLs (searches, with
   and without a postcode, service pages, the home page, the API; bench/soak_load.py); the
   same writer going on; an import every ``--import-every`` seconds (on a fixed clock, half
   a period out of step with the faults); and the faults of bench/soak_faults.py at fixed
   shares of the run (kill -9 of a worker, of a rebuild, of the updater; a full rebuild;
   PostgreSQL restarted; Redis away for ``--redis-down`` seconds). The rebuilds and imports
   are the operator's commands (``flask reindex``, ``flask import-hsds``), so they run at
   ``BULK_JOB_NICE`` (``--bulk-nice``; docs/deploy.md, "Bulk jobs"): each one's niceness, and
   its build workers', is read from /proc while it runs and reported with it.
3. Checks: every edit's and the last import's token found by the API, from both workers
   (each asked ``--asks`` times on new connections); replaced tokens no longer found; the
   index's applied change number equals the database's; no rebuild worker outlived its
   parent; the app logged Redis going away and coming back.

It prints statuses and latency percentiles per fault window and per stretch of time, the
client's backlog (requests sent late because every client thread was busy, and what was
running when each backlog began), the page cache's share and the worker CPU per request, the
cores each group of processes used (bench/soak_cluster.py's ``CpuSampler``), the workers'
memory, the load average, and exits 1 on any 500, a lost or stale edit, or an index out of
step.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import soak_faults as faults  # noqa: E402
import soak_load as load  # noqa: E402
from soak_cluster import (  # noqa: E402
    CpuSampler,
    Gunicorn,
    Postgres,
    Redis,
    app_env,
    flask,
    page_folder,
    prepare_database,
)
from soak_report import capacity_facts, report, verify  # noqa: E402

from search_index.schema import build_schema  # noqa: E402
from search_index.store import IndexStore  # noqa: E402

#: (share of the run, fault) in time order.
SCHEDULE = (
    (0.10, "kill_worker"),
    (0.20, "kill_rebuild"),
    (0.32, "rebuild"),
    (0.48, "kill_updater"),
    (0.62, "restart_postgres"),
    (0.78, "redis_outage"),
)


def service_paths(pg: Postgres, workdir: Path) -> list[str]:
    """Paths of public service pages, and the writer's list of service ids."""
    from directory.public.views import listing_slug

    rows = pg.sql(
        "SELECT id, name FROM service WHERE listing_status = 'active' ORDER BY id", "soak"
    )
    (workdir / "service_ids.txt").write_text("\n".join(r[0] for r in rows))
    return [f"/services/{r[0]}/{listing_slug(r[1])}" for r in rows[:2000]]


def run_load(
    port: int, mix, seconds: float, rate: float | None, threads: int, out: Path, lag: float = 10
) -> dict:
    """bench/soak_load.py's loop in a process of its own (its threads do not share this
    process's interpreter lock with the samplers): its records and client figures."""
    ctx = multiprocessing.get_context("spawn")
    process = ctx.Process(target=load.run, args=(port, mix, seconds, rate, threads, str(out), lag))
    process.start()
    process.join()
    return json.loads(out.read_text())


def wait_for_edits(path: Path, writer: subprocess.Popen, timeout: float = 120) -> None:
    """Until the writer has committed its first edit (it starts an app first)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        if writer.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the writer made no edit: see writer.log")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default="/tmp/soak")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--pg-port", type=int, default=5434)
    parser.add_argument("--redis-port", type=int, default=6380)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load", type=float, default=0.8, help="share of capacity")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="requests a second to plan instead of --load of the capacity measured (which is "
        "still measured and printed): to compare runs at the same load on a shared machine",
    )
    parser.add_argument(
        "--capacity-seconds", type=float, default=30.0, help="with edits and an import running"
    )
    parser.add_argument("--threads-capacity", type=int, default=4)
    parser.add_argument(
        "--quiet-seconds",
        type=float,
        default=10.0,
        help="also measure without edits or imports, for comparison (0: not)",
    )
    parser.add_argument("--threads", type=int, default=32, help="open-loop client threads")
    parser.add_argument("--edit-rate", type=float, default=2.0, help="edits per second")
    parser.add_argument("--import-every", type=float, default=60.0, help="seconds")
    parser.add_argument("--redis-down", type=float, default=30.0, help="seconds")
    parser.add_argument("--asks", type=int, default=3, help="API asks per token at the end")
    parser.add_argument("--max-lag", type=float, default=10.0, help="skip requests this late")
    parser.add_argument(
        "--faults", default=",".join(name for _share, name in SCHEDULE), help="which faults"
    )
    parser.add_argument(
        "--bulk-nice",
        type=int,
        default=None,
        help="BULK_JOB_NICE of the rebuilds and imports (default: the setting's, 10; 0: "
        "they compete with the site as before it existed)",
    )
    args = parser.parse_args(argv)

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)
    run_dir = workdir / time.strftime("run-%Y%m%d-%H%M%S")
    run_dir.mkdir()
    pg, redis = Postgres(workdir, args.pg_port), Redis(run_dir, args.redis_port)
    index = run_dir / "index"
    env = app_env(workdir, pg, redis, args.port, index)
    if args.bulk_nice is not None:
        env["BULK_JOB_NICE"] = str(args.bulk_nice)
    gunicorn = Gunicorn(run_dir, args.port, env, args.workers)
    writer = None
    try:
        pg.start()
        redis.start()
        data = prepare_database(pg, workdir, args.size, args.seed)
        paths = service_paths(pg, workdir)
        began = time.perf_counter()
        build = flask(env, "reindex", "--procs", "2")
        output, _ = build.communicate()
        if build.returncode:
            raise SystemExit(f"reindex failed:\n{output}")
        print(f"index built in {time.perf_counter() - began:.0f} s; load {os.getloadavg()}")
        gunicorn.start()
        mix = load.url_mix(data, paths, args.seed, 5000)
        warm = run_load(args.port, mix[-200:], 5, None, 2, run_dir / "warm.json")
        print(f"warm-up: {load.summary(warm['records'])['statuses']}", flush=True)

        events: list[dict] = []
        loads: list[tuple[float, float]] = []
        applied: list[tuple[float, int]] = []
        importer = faults.Importer(env, run_dir)
        done = threading.Event()
        start = time.time()  # the soak's start, set again below

        def sample_load() -> None:
            while not done.wait(5):
                loads.append((time.time(), os.getloadavg()[0]))

        def sample_index() -> None:
            """The index's applied change number, ten times a second: when each edit
            reached the index, whatever the HTTP queue is doing."""
            store = IndexStore(index, build_schema)
            while not done.wait(0.1):
                try:
                    applied.append((time.time(), store.read_state().last_seq))
                except Exception:  # mid-swap or mid-write: the next sample will do
                    continue

        def timed(name: str, fn, *fn_args) -> None:
            began = time.time()
            try:
                result = fn(*fn_args)
            except Exception as exc:  # a fault that fails to run is reported, not fatal
                result = {"error": repr(exc)}
            events.append({"name": name, "start": began, "end": time.time(), **result})
            print(f"  {began - start:6.1f} s  {name}: {result}", flush=True)

        def roots() -> dict[int, str]:
            out = {pg.postmaster(): "postgres"}
            for process, group in ((gunicorn.process, "site"), (writer, "writer")):
                if process is not None:
                    out[process.pid] = group
            if redis.process is not None:
                out[redis.process.pid] = "redis"
            return {pid: group for pid, group in out.items() if pid}

        cpu = CpuSampler(roots)
        samplers = [
            threading.Thread(target=f, args=a, daemon=True)
            for f, a in ((sample_load, ()), (sample_index, ()), (cpu.run, (done,)))
        ]
        for t in samplers:
            t.start()

        # For comparison only: the closed loop with nothing else running (how the capacity
        # was measured before: the page cache then keeps pages until the minute turns).
        quiet: dict = {}
        if args.quiet_seconds:
            closed = run_load(
                args.port,
                mix,
                args.quiet_seconds,
                None,
                args.threads_capacity,
                run_dir / "quiet.json",
            )
            facts = load.summary(closed["records"])
            ok = sum(n for code, n in facts["statuses"].items() if 200 <= code < 400)
            quiet = {
                "answered_per_s": ok / args.quiet_seconds,
                "p50_ms": facts["p50"],
                "cached_share": facts["cached_share"],
                "cpu_ms": facts["cpu_ms"],
                "window": (closed["start"], closed["start"] + args.quiet_seconds),
            }
            print(
                f"without edits or imports (for comparison): {quiet['answered_per_s']:.1f} "
                f"requests/s, p50 {facts['p50']:.0f} ms, page cache "
                f"{facts['cached_share']:.0%}, worker CPU {facts['cpu_ms']:.1f} ms a request",
                flush=True,
            )

        # The writer runs from before the capacity is measured to the end of the soak.
        writer_log = run_dir / "edits.jsonl"
        writer = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "soak_writer.py"),
                "--services",
                str(workdir / "service_ids.txt"),
                "--rate",
                str(args.edit_rate),
                "--port",
                str(args.port),
                "--out",
                str(writer_log),
            ],
            cwd=ROOT,
            env=env | {"SEARCH_INDEX_DIR": str(run_dir / "writer_index")},
            stdout=(run_dir / "writer.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for_edits(writer_log, writer)
        if quiet:
            quiet["cores"] = cpu.cores(*quiet.pop("window"))
            print(
                "  cores used then: "
                + ", ".join(f"{k} {v:.2f}" for k, v in quiet["cores"].items()),
                flush=True,
            )

        # Capacity: the closed loop over the soak's mix, with the writer editing and an
        # import started with it (as the soak will have them).
        capacity_import = threading.Thread(
            target=timed, args=("import", importer.run_once), daemon=True
        )
        import_began = time.time()
        capacity_import.start()
        closed = run_load(
            args.port,
            mix,
            args.capacity_seconds,
            None,
            args.threads_capacity,
            run_dir / "capacity.json",
        )
        window = (closed["start"], closed["start"] + args.capacity_seconds)
        imported = next((e for e in events if e["name"] == "import"), None)
        import_span = (import_began, imported["end"] if imported else None)  # None: running
        cap = capacity_facts(args, closed, window, writer_log, import_span, os.getloadavg()[0])
        cap["cpu_cores"] = cpu.cores(*window)
        if quiet:
            cap["quiet"] = quiet
        capacity = cap["answered_per_s"]
        rate = args.rate or args.load * capacity
        print(
            f"capacity: {capacity:.1f} requests/s (closed loop, {args.threads_capacity} "
            f"connections, {args.capacity_seconds:g} s over the soak's mix; p50 "
            f"{cap['p50_ms']:.0f} ms, p95 {cap['p95_ms']:.0f} ms; statuses {cap['statuses']}; "
            f"page cache {cap['cached_share']:.0%}, worker CPU {cap['cpu_ms']:.1f} ms a "
            f"request); while it ran: {cap['edits']} edits ({cap['edits_per_s']:.1f}/s) and "
            f"an import ({cap['import_s']:.0f} s of the window{cap['import_note']}; "
            f"{cap['during_import_per_s']:.1f} requests/s then, "
            f"{cap['outside_import_per_s']:.1f} outside); load average "
            f"{cap['load']:.2f}; cores used: "
            + ", ".join(f"{k} {v:.2f}" for k, v in cap["cpu_cores"].items()),
            flush=True,
        )
        seconds = args.minutes * 60
        share = f" ({rate / capacity:.0%} of that capacity, --rate)" if args.rate else ""
        print(f"soak: {rate:.1f} requests/s{share} for {seconds:.0f} s", flush=True)
        start = time.time()

        def fault_schedule() -> None:
            runs = {
                "kill_worker": lambda: faults.kill_worker(gunicorn, 0),
                "kill_rebuild": lambda: faults.kill_rebuild(env),
                "rebuild": lambda: faults.rebuild(env),
                "kill_updater": lambda: faults.kill_updater(gunicorn),
                "restart_postgres": lambda: faults.restart_postgres(pg),
                "redis_outage": lambda: faults.redis_outage(redis, args.redis_down),
            }
            chosen = set(args.faults.split(",")) - {""}
            for share, name in SCHEDULE:
                if name not in chosen:
                    continue
                if done.wait(max(0.0, start + share * seconds - time.time())):
                    return
                if time.time() > start + seconds - 20:  # earlier faults overran: say so
                    events.append(
                        {
                            "name": name,
                            "start": time.time(),
                            "end": time.time(),
                            "skipped": "no time left in the run",
                        }
                    )
                    continue
                timed(name, runs[name])

        def imports() -> None:
            """One import every ``--import-every`` seconds on a fixed clock, half a period
            out of step with the faults (at whole minutes in a 10-minute run): they used to
            follow each other's end, 55 s apart, and so began 1-4 s before each of the first
            three faults, which piled an import onto every rebuild."""
            capacity_import.join()  # one import at a time
            k = 0
            while True:
                due = start + (k + 0.5) * args.import_every
                k += 1
                if time.time() > due:  # the last import ran over this one's turn
                    continue
                if done.wait(due - time.time()) or due > start + seconds - 20:
                    return
                timed("import", importer.run_once)

        jobs = [threading.Thread(target=f, daemon=True) for f in (fault_schedule, imports)]
        for t in jobs:
            t.start()
        soak = run_load(
            args.port, mix, seconds, rate, args.threads, run_dir / "soak.json", args.max_lag
        )
        done.set()
        faults.stop_process(writer, 180)  # lets the prober finish its last tokens
        for t in jobs:
            t.join(600)
        checks = verify(args, pg, index, importer, writer_log, gunicorn, events, applied)
        soaked = [(t, v) for t, v in loads if t >= start]
        return report(args, cap, rate, soak, events, soaked, cpu, checks, run_dir, start)
    finally:
        faults.stop_process(writer)
        gunicorn.stop()
        redis.stop()
        pg.stop()
        shutil.rmtree(index, ignore_errors=True)
        shutil.rmtree(page_folder(args.port), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
