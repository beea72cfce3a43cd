"""The soak's faults and background jobs, each run while the load goes on.

Each fault returns a dict of what happened (for the report) and is timed by the caller, which
marks its window. Faults:

* ``kill_worker``: kill -9 of one gunicorn worker; gunicorn forks a new one, which warms
  (``post_worker_init``) before it takes traffic. Measured: seconds until the new worker has
  logged "warmed".
* ``kill_rebuild``: ``flask reindex --procs 2`` killed with kill -9 (its own process only)
  part-way through building; its build workers must exit with it (no orphans), and the site
  keeps serving the live generation.
* ``rebuild``: a full ``flask reindex --procs 2`` to the end, while edits and imports go on:
  the changes made during it are replayed into the new generation before it is swapped in.
* ``kill_updater``: the change-feed updater. In this version it is a thread in each web worker
  (``search_index/updater.py`` when present, else the request-time catch-up), so killing it
  means kill -9 of the worker that owns it (the other worker than ``kill_worker`` chose).
* ``restart_postgres``: ``pg_ctl restart -m fast``: every connection is cut.
* ``redis_outage``: Redis stopped, then started again; rate limits must fail open and the app
  must log it.
* ``run_import``: ``flask import-hsds`` of 20 demonstration listings whose descriptions carry a
  new token each round (on this machine, with the site's index: a same-machine writer).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from soak_cluster import ROOT, Gunicorn, Postgres, Redis, _stat, alive, children, flask
from soak_writer import token

IMPORT_SERVICES = 20


def updater_mode() -> str:
    """How the change feed is applied in this version of the code, for the report."""
    module = ROOT / "search_index" / "updater.py"
    if module.exists():
        text = module.read_text()
        if "Thread(" in text or "threading" in text:
            return "thread in each web worker (search_index/updater.py)"
        return "search_index/updater.py"
    return "no updater: catch-up before searches (SEARCH_SYNC_INTERVAL)"


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def wait_warmed(log_path: Path, pid: int, timeout: float = 120) -> float | None:
    """Seconds until gunicorn's log says worker ``pid`` is warmed (None if it never does)."""
    began = time.perf_counter()
    needle = f"worker {pid} warmed"
    while time.perf_counter() - began < timeout:
        if needle in log_path.read_text(errors="replace"):
            return time.perf_counter() - began
        time.sleep(0.1)
    return None


def kill_worker(gunicorn: Gunicorn, which: int) -> dict:
    before = gunicorn.workers()
    victim = before[which % len(before)]
    os.kill(victim, signal.SIGKILL)
    began = time.perf_counter()
    new = None
    while time.perf_counter() - began < 60 and new is None:
        fresh = [p for p in gunicorn.workers() if p not in before]
        new = fresh[0] if fresh else None
        time.sleep(0.05)
    warmed = wait_warmed(gunicorn.log_path, new) if new else None
    spawned = time.perf_counter() - began
    return {
        "killed": victim,
        "new": new,
        "back_after_s": round(spawned, 2),
        "warmed_in_s": None if warmed is None else round(warmed, 2),
    }


def niceness(pid: int) -> int | None:
    """The niceness of process ``pid`` (its main thread) from /proc, or None once it is gone."""
    fields = _stat(pid)
    return int(fields[16]) if fields else None


class NiceWatch:
    """The niceness of a job and of every process it starts, sampled until it ends: the
    commands lower their own priority (``BULK_JOB_NICE``) once their app is made, and the
    rebuild's build workers must have it too."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.seen: dict[int, int] = {}  # pid: highest niceness seen
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while self.process.poll() is None:
            for pid in [self.process.pid, *descendants(self.process.pid)]:
                value = niceness(pid)
                if value is not None:
                    self.seen[pid] = max(value, self.seen.get(pid, value))
            time.sleep(0.2)

    def summary(self) -> str:
        """ "10 x 3" (the niceness each process reached; the job first)."""
        self.thread.join(1)
        counts: dict[int, int] = {}
        for value in self.seen.values():
            counts[value] = counts.get(value, 0) + 1
        return ", ".join(f"{v} x {n}" for v, n in sorted(counts.items())) or "not seen"


class Reindex:
    """A ``flask reindex`` child whose output is read as it runs."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = flask(env, "reindex", "--procs", "2", start_new_session=True)
        self.nice = NiceWatch(self.process)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def percent(self) -> int:
        for line in reversed(self.lines):
            if "services (" in line:
                return int(line.rsplit("(", 1)[1].split("%")[0])
        return 0


def kill_rebuild(env: dict[str, str], at_percent: int = 40) -> dict:
    job = Reindex(env)
    began = time.perf_counter()
    while job.percent() < at_percent and job.process.poll() is None:
        if time.perf_counter() - began > 300:
            break
        time.sleep(0.05)
    workers = descendants(job.process.pid)
    percent = job.percent()
    if job.process.poll() is not None:
        return {"error": "the rebuild ended before it could be killed", "output": job.lines[-3:]}
    os.kill(job.process.pid, signal.SIGKILL)
    job.process.wait()
    time.sleep(5)
    left = [p for p in workers if alive(p)]
    for pid in left:  # do not leave them running on a shared machine
        os.kill(pid, signal.SIGKILL)
    return {
        "killed_at_percent": percent,
        "build_workers": len(workers),
        "build_workers_alive_5s_later": len(left),
        "nice": job.nice.summary(),
    }


def rebuild(env: dict[str, str]) -> dict:
    job = Reindex(env)
    code = job.process.wait()
    job.reader.join(5)
    done = [line for line in job.lines if line.startswith("Done")]
    summary = (done or job.lines[-2:])[-1] if job.lines else ""
    return {"exit": code, "summary": summary, "nice": job.nice.summary()}


def kill_updater(gunicorn: Gunicorn) -> dict:
    out = kill_worker(gunicorn, 0)  # the oldest: the one kill_worker spared
    return {"mode": updater_mode(), **out}


def restart_postgres(pg: Postgres) -> dict:
    return {"restart_s": round(pg.restart(), 2)}


def redis_outage(redis: Redis, seconds: float) -> dict:
    redis.stop()
    time.sleep(seconds)
    redis.start()
    return {"down_s": seconds}


class Importer:
    """Imports a small ORUK file now and then; each round's token goes into every service's
    description, so the last successful round's token must be found for all of them."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        demo = json.loads((ROOT / "seeds" / "listings" / "demo.json").read_text())
        self.services = [
            s for s in demo if s.get("x_listing_status") == "active" and s["status"] == "active"
        ][:IMPORT_SERVICES]
        self.env = env
        self.path = workdir / "import.json"
        self.rounds: list[dict] = []

    def run_once(self) -> dict:
        word = token(len(self.rounds), prefix="zqy")
        feed = [s | {"description": f"{s['description']} {word}"} for s in self.services]
        self.path.write_text(json.dumps(feed))
        began = time.perf_counter()
        job = flask(self.env, "import-hsds", str(self.path), "--feed", "soak")
        nice = NiceWatch(job)
        output, _ = job.communicate(timeout=600)
        result = {
            "token": word,
            "exit": job.returncode,
            "seconds": round(time.perf_counter() - began, 1),
            "nice": nice.summary(),
            "tail": output.strip().splitlines()[-2:] if job.returncode else [],
        }
        self.rounds.append(result)
        return result

    def expected(self) -> tuple[str | None, list[str]]:
        """The last successful round's token and the service ids that must carry it."""
        done = [r for r in self.rounds if r["exit"] == 0]
        return (done[-1]["token"] if done else None), [s["id"] for s in self.services]


def stop_process(process: subprocess.Popen | None, timeout: float = 30) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
