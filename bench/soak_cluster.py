"""The soak's own servers: a PostgreSQL cluster, a Redis and gunicorn, each a child of the soak.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379): the cluster lives in the
soak's work folder (``initdb`` once, as the ``postgres`` user when run as root, since initdb
refuses root), listens on its own port and socket folder, and is stopped at the end; Redis
runs with ``--save ''`` on its own port. The seeded directory is loaded once into a template
database (``soak_base``) and each run starts from a fresh copy of it (``CREATE DATABASE ...
TEMPLATE``, a second), so runs are reproducible and never see each other's edits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
VENV_BIN = ROOT / ".venv" / "bin"
BASE_DB, RUN_DB = "soak_base", "soak"
#: gunicorn's line once a worker has warmed (gunicorn.conf.py, post_worker_init).
WARMED = re.compile(r"worker \d+ warmed in")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_port(port: int, timeout: float, up: bool = True) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_free(port) != up:
            return True
        time.sleep(0.1)
    return False


class Postgres:
    """A PostgreSQL 15 cluster in ``folder``, on ``port``, trust authentication."""

    def __init__(self, folder: Path, port: int) -> None:
        self.data = folder / "pg"
        self.sockets = folder
        self.log = folder / "postgres.log"
        self.port = port
        self.user = "postgres" if os.geteuid() == 0 else None

    def url(self, database: str = RUN_DB) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd="/tmp")

    def start(self) -> None:
        if self.user:  # the folder must be the postgres user's to write
            shutil.chown(self.sockets, self.user)
            self.log.touch()
            shutil.chown(self.log, self.user)
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            )
        if not port_free(self.port):
            raise SystemExit(f"port {self.port} is in use: pick another with --pg-port")
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def restart(self) -> float:
        """``pg_ctl restart -m fast``: every connection is cut. Returns the seconds it took."""
        began = time.perf_counter()
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart"
        )
        return time.perf_counter() - began

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def sql(self, statement: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def postmaster(self) -> int | None:
        """The running postmaster's pid (it changes when the cluster restarts)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def has_database(self, name: str) -> bool:
        return bool(self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def prepare_database(pg: Postgres, workdir: Path, size: int, seed: int) -> dict:
    """A fresh run database copied from the seeded template (made on first use); returns
    what the load needs (words, postcodes, needs) from the generator."""
    sys.path.insert(0, str(ROOT / "bench"))
    from directory import migrate

    try:  # the generator moved to bench/synthetic.py (issue 14)
        import synthetic
        from synthetic import build_directory

        version = synthetic.GENERATOR_VERSION
    except ImportError:
        from search_bench import build_directory

        version = 1
    saved = workdir / "soak_base.json"  # what the template database holds
    wanted = {"size": size, "seed": seed, "soak_generator": version}
    held = json.loads(saved.read_text()) if saved.exists() else {}
    if not pg.has_database(BASE_DB) or any(held.get(k) != v for k, v in wanted.items()):
        pg.sql(f"DROP DATABASE IF EXISTS {BASE_DB}")
        pg.sql(f"CREATE DATABASE {BASE_DB}")
        migrate.upgrade(pg.url(BASE_DB))
        started = time.perf_counter()
        data = build_directory(pg.url(BASE_DB), size, seed) | wanted
        saved.write_text(json.dumps(data))
        print(f"seeded {size:,} services in {time.perf_counter() - started:.0f} s", flush=True)
    pg.sql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
    pg.sql(f"CREATE DATABASE {RUN_DB} TEMPLATE {BASE_DB}")
    migrate.upgrade(pg.url())  # the code may have gained a migration since the base was made
    # As deploy.md asks after a large import: a never-vacuumed copy (a template seeded just
    # before, as after a reboot empties /tmp) reads the table for every index-only read.
    pg.sql("VACUUM (ANALYZE)", RUN_DB)
    return json.loads(saved.read_text())


class Redis:
    """``redis-server`` on ``port``, keeping nothing on disk; stopped and started at will."""

    def __init__(self, folder: Path, port: int) -> None:
        self.port = port
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not port_free(self.port):
            raise SystemExit(f"port {self.port} is in use: pick another with --redis-port")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_port(self.port, 10):
            raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, its log in ``folder/gunicorn.log``."""

    def __init__(self, folder: Path, port: int, env: dict[str, str], workers: int) -> None:
        self.port = port
        self.log_path = folder / "gunicorn.log"
        self.env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
        self.workers_wanted = workers
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> None:
        if not port_free(self.port):
            raise SystemExit(f"port {self.port} is in use: pick another with --port")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--no-control-socket",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while len(WARMED.findall(self.log_path.read_text(errors="replace"))) < self.workers_wanted:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"gunicorn's workers did not warm: see {self.log_path}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        """The worker pids (children of the master), oldest first."""
        assert self.process is not None
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid: int) -> list[int]:
    """Direct children of ``pid``, oldest first (by start time in /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        fields = _stat(entry.name) if entry.name.isdigit() else None
        if fields and int(fields[1]) == pid:
            found.append((int(fields[19]), int(entry.name)))
    return [p for _, p in sorted(found)]


def alive(pid: int) -> bool:
    """Running and not a zombie (nobody may ever reap a killed parent's children here)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def app_env(workdir: Path, pg: Postgres, redis: Redis, port: int, index: Path) -> dict[str, str]:
    """The environment of every app process of the soak (gunicorn, flask commands, writer).

    Rate limits stay on (in Redis, so that Redis going away is exercised) but high enough
    that the load client, one address, is never refused. ``SERVER_TIMING`` is on, so each
    answer says whether it came from the page cache and the worker CPU it cost; the shared
    page folder is the soak's own (:func:`page_folder`), removed at the end."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        "DATABASE_URL": pg.url(),
        "SEARCH_INDEX_DIR": str(index),
        "INSTANCE_DIR": str(workdir / "instance"),
        "SECRET_KEY": "soak-not-secret",
        "REDIS_URL": redis.url(),
        "RATELIMIT_PAGES": "1000000 per minute",
        "RATELIMIT_API": "1000000 per minute",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
        "SERVER_TIMING": "1",
        "PAGE_CACHE_DIR": str(page_folder(port)),
    }


def page_folder(port: int) -> Path:
    """The page cache's shared folder for the soak on ``port``: on memory, like the default."""
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    return base / f"soak-pages-{port}"


def flask(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:
    """A ``flask --app wsgi`` command in its own process group (so a kill -9 hits only it)."""
    return subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


#: Clock ticks a second, the unit of /proc's CPU times; bytes a page, of its memory sizes.
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
#: The groups :class:`CpuSampler` splits the machine's CPU into.
CPU_GROUPS = ("site", "postgres", "jobs", "writer", "client", "redis", "other")


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent busy since boot (all cores)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


class CpuSampler:
    """Where the machine's CPU goes, sampled every ``every`` seconds from /proc: ``site``
    (gunicorn's master and workers: requests, the updater thread, warming), ``postgres`` (the
    soak's cluster), ``jobs`` (imports and rebuilds: the soak's other children and their
    build workers), ``writer`` (soak_writer.py and its prober), ``client`` (the load client
    and soak.py's samplers), ``redis``, and ``other``: the rest of the machine (other
    sessions' jobs). ``roots()`` gives the pids heading the groups as the run goes on (the
    postmaster changes when PostgreSQL restarts). A process that ends loses at most its
    last ``every`` seconds."""

    def __init__(self, roots, every: float = 1.0) -> None:
        self.roots = roots
        self.every = every
        self.me = os.getpid()
        self.samples: list[tuple[float, dict[str, float]]] = []
        #: (time, (resident MB, of which anonymous: the heap) of each gunicorn worker): a
        #: worker that only grows is a leak.
        self.worker_mb: list[tuple[float, list[tuple[int, int]]]] = []
        self._last: dict[int, float] = {}
        self._total = dict.fromkeys(CPU_GROUPS, 0.0)
        self._busy = machine_busy()

    def _group(self, pid: int, parents: dict[int, int], roots: dict[int, str]) -> str | None:
        seen = 0
        while pid in parents and seen < 50:
            if pid in roots:
                return roots[pid]
            parent = parents[pid]
            if parent == self.me:  # a child of soak.py heading no group
                return "client" if "spawn_main" in _cmdline(pid) else "jobs"
            pid, seen = parent, seen + 1
        return None

    def sample(self) -> None:
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = _stat(entry.name)
            if fields is None:
                continue
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
            rss[pid] = int(fields[21]) * PAGE
        roots = {self.me: "client", **self.roots()}
        first = not self.samples
        ours = 0.0
        site_rss = []
        for pid, seconds in cpu.items():
            group = self._group(pid, parents, roots)
            if group is None:
                continue
            if group == "site" and pid not in roots:  # a worker, not the master
                site_rss.append((rss[pid], _anon(pid)))
            spent = seconds - self._last.get(pid, seconds if first else 0.0)
            self._total[group] += spent
            ours += spent
        self._last = cpu
        busy = machine_busy()
        self._total["other"] += max(0.0, busy - self._busy - ours)
        self._busy = busy
        self.samples.append((time.time(), dict(self._total)))
        self.worker_mb.append(
            (time.time(), [(round(a / 2**20), round(b / 2**20)) for a, b in sorted(site_rss)])
        )

    def run(self, stop) -> None:
        """Sample until the event ``stop`` is set."""
        self.sample()
        while not stop.wait(self.every):
            try:
                self.sample()
            except OSError:
                continue

    def workers_mb(self, when: float) -> list[tuple[int, int]]:
        """(Resident MB, anonymous MB) of each gunicorn worker at the last sample before
        ``when``."""
        before = [mb for t, mb in self.worker_mb if t <= when]
        return before[-1] if before else []

    def cores(self, began: float, ended: float) -> dict[str, float]:
        """Each group's average cores in use between ``began`` and ``ended``."""
        inside = [s for s in self.samples if began <= s[0] <= ended]
        if len(inside) < 2:
            return dict.fromkeys(CPU_GROUPS, float("nan"))
        (t0, a), (t1, b) = inside[0], inside[-1]
        return {group: (b[group] - a[group]) / (t1 - t0) for group in CPU_GROUPS}


def _anon(pid: int) -> int:
    """Bytes of anonymous resident memory (the heap, not mapped files) of ``pid``; 0 once
    the process has exited (a worker killed by a fault between listing and reading it)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        found = next((line for line in lines if line.startswith("RssAnon:")), None)
        return int(found.split()[1]) * 1024 if found else 0
    except (OSError, ValueError, IndexError):
        return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
