"""Rebuild benchmark: ``flask reindex`` of a synthetic directory in PostgreSQL, while searching.

Run from the project root:

    .venv/bin/python bench/rebuild_bench.py --size 100000 [--procs 2] [--reuse] [--runs 1]

It loads ``bench/synthetic.py``'s seeded synthetic directory, as ``bench/search_bench.py`` does
(the same ``--seed`` and size give the same services), into its own PostgreSQL database
(``--database``, default ``bench_rebuild`` on 127.0.0.1:5432, created if missing; with
``--reuse`` a database already holding ``--size`` services is kept, otherwise it is dropped and
loaded again, a few minutes at 100,000). An index that does not exist yet is built once
first, untimed, so that there is an old generation to serve. Then, for each run:

* ``flask --app wsgi reindex --procs N`` runs as a subprocess, exactly as an operator runs it;
* this process samples the resident memory of it and of every process below it (the build
  workers) from ``/proc`` every 0.1 s, and reports each one's peak;
* a searching process queries the index all the while through its own store and searcher,
  as a web worker does, and counts searches, errors and the generation each one was
  answered from (old or new, never none);
* the rebuild prints its phases (``search_index.build``: reading the database, building
  documents, analysing and collecting postings, writing the segment, per worker; then the
  parent's commit, manifest, replay and swap).

Wall time, the phases, peak memory per process, the searches and the load average are
printed. The machine has two cores and may be shared: figures are noisy, so the load average
before and after is printed with them.

With ``--fingerprint`` each new generation is then read back (untimed, about a minute at
100,000 services) and hashed, segment by segment, by what it means rather than its bytes
(segment ids, pickled offsets and compressed block sizes differ between two builds of the
same data): every term's statistics and posting blocks (document numbers, weights and
values, i.e. word positions), every document's stored fields and field length, every column,
the arrays file and the spelling dictionary. Two builds of the same database, by the same or
by different code, must print the same hashes; ``--fingerprint-only PATH`` hashes a
generation folder that is already there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GAZETTEER = ROOT / "seeds" / "gazetteer" / "gazetteer.sqlite"
SERVER = "postgresql+psycopg://root@127.0.0.1:5432"
PAGE = os.sysconf("SC_PAGE_SIZE")


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def service_count(url: str) -> int | None:
    """Services in the database at ``url``; None when it does not exist or has no tables."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM service")).scalar_one()
    except Exception:  # no database, or no schema yet
        return None
    finally:
        engine.dispose()


def recreate_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def prepare(args: argparse.Namespace) -> tuple[str, Path]:
    """The loaded database's URL and the index folder."""
    from synthetic import build_directory

    from directory import migrate

    url = database_url(args.database)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    index_dir = workdir / f"index_{args.database}"
    count = service_count(url)
    if args.reuse and count == args.size:
        print(f"reusing database {args.database} ({count:,} services)", flush=True)
        migrate.upgrade(url)
    else:
        import shutil

        shutil.rmtree(index_dir, ignore_errors=True)
        recreate_database(args.database)
        migrate.upgrade(url)
        started = time.perf_counter()
        build_directory(url, args.size, args.seed)
        print(
            f"loaded {args.size:,} services into {args.database} in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return url, index_dir


def environment(url: str, index_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SEARCH_INDEX_DIR=str(index_dir),
        GAZETTEER_PATH=str(GAZETTEER),
        PYTHONUNBUFFERED="1",
    )
    return env


# Memory --------------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        out.setdefault(parent, []).append(int(entry))
    return out


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE / 2**20
    except OSError:
        return None


class TreeSampler(threading.Thread):
    """Peak resident memory of a process and of every process below it, sampled."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self.order: list[int] = []
        self.total_peak = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            children = _children()
            todo, total = [self.root], 0.0
            while todo:
                pid = todo.pop()
                rss = _rss_mb(pid)
                if rss is not None:
                    total += rss
                    if pid not in self.peaks:
                        self.order.append(pid)
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), rss)
                todo.extend(children.get(pid, ()))
            self.total_peak = max(self.total_peak, total)
            self.stopped.wait(self.interval)


# Searching during the rebuild ------------------------------------------------------------------


def searcher_process(index_dir: str, url: str, words: list[str], stop, results, pause: float):
    """Search the index the way a web worker does until ``stop`` is set; report
    (generation -> searches), errors and the slowest search."""
    from sqlalchemy.orm import sessionmaker

    from directory.db import make_engine
    from search_index import search
    from search_index.api import SearchRequest
    from search_index.schema import build_schema
    from search_index.store import IndexStore

    store = IndexStore(index_dir, build_schema)
    factory = sessionmaker(bind=make_engine(url))
    rng = random.Random(1)
    served: dict[str, int] = {}
    errors: list[str] = []
    empty = 0
    slowest = 0.0
    with factory() as session:
        search(SearchRequest(text=words[0]), index=store.searcher(), session=session)
        results.put("ready")
        while not stop.is_set():
            began = time.perf_counter()
            try:
                generation = store.current_generation()
                found = search(
                    SearchRequest(text=rng.choice(words)), index=store.searcher(), session=session
                )
                served[generation or "none"] = served.get(generation or "none", 0) + 1
                empty += found.total == 0
            except Exception as exc:  # counted and shown: the point is that none happen
                errors.append(f"{exc.__class__.__name__}: {exc}")
            slowest = max(slowest, time.perf_counter() - began)
            time.sleep(pause)
    results.put((served, errors, empty, slowest))


# Fingerprint ------------------------------------------------------------------------------------


def fingerprint(path: str | Path) -> dict[str, str]:
    """SHA-256 per segment (in table-of-contents order, as ``segment 1``, ``segment 2``...) and
    of the spelling dictionary, of what the generation at ``path`` holds (see the module
    docstring); ``all`` hashes them together. ``segment N bytes`` hashes the segment's files
    as they are, for information: it is not part of ``all``."""
    from whoosh.filedb.filestore import FileStorage

    from search_index.arrays import filename

    storage = FileStorage(str(path))
    out: dict[str, str] = {}
    with storage.open_index().reader() as reader:
        for number, (leaf, _offset) in enumerate(reader.leaf_readers(), 1):
            digest = hashlib.sha256()
            _hash_segment(leaf, digest)
            name = filename(leaf.segment(), "all")
            if storage.file_exists(name):
                digest.update(storage.open_file(name).read())
            out[f"segment {number}"] = digest.hexdigest()
            out[f"segment {number} bytes"] = _segment_bytes(storage, leaf.segment())
    if storage.file_exists("SPELLING"):
        out["spelling"] = hashlib.sha256(storage.open_file("SPELLING").read()).hexdigest()
    meaning = {key: value for key, value in out.items() if not key.endswith(" bytes")}
    out["all"] = hashlib.sha256(json.dumps(meaning, sort_keys=True).encode()).hexdigest()
    return out


def _segment_bytes(storage, segment) -> str:
    """SHA-256 of the bytes of every file in the segment's compound file, by name without
    the segment id (stricter than the meaning: the same postings pickled differently, or
    compressed in other blocks, would differ here only)."""
    from whoosh.filedb.compound import CompoundStorage

    name = segment.make_filename(".seg")
    if not storage.file_exists(name):
        return "no compound file"
    digest = hashlib.sha256()
    compound = CompoundStorage(storage.open_file(name))
    for inner in sorted(compound.list(), key=lambda n: n.replace(segment.segid, "")):
        digest.update(inner.replace(segment.segid, "").encode())
        digest.update(compound.open_file(inner).read())
    return digest.hexdigest()


def _hash_segment(leaf, digest) -> None:
    """Feed one segment reader's terms, postings, stored fields, lengths and columns."""
    put = digest.update
    schema = leaf.schema
    for fieldname, text in leaf.all_terms():
        info = leaf.term_info(fieldname, text)
        put(repr((fieldname, text, info.doc_frequency(), info.weight(), info.max_weight(),
                  info.min_length(), info.max_length())).encode())  # fmt: skip
        matcher = leaf.postings(fieldname, text)
        while matcher.is_active():  # a block at a time: its ids, weights and values
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            block = (
                matcher._blocklength,
                matcher._maxid,
                matcher._maxweight,
                matcher._minlength,
                matcher._maxlength,
                tuple(matcher._ids),
                tuple(matcher._weights),
                tuple(matcher._values),
            )
            put(repr(block).encode())
            matcher._next_block()
    scorable = [name for name in schema.names() if schema[name].scorable]
    for docnum in range(leaf.doc_count_all()):
        stored = leaf.stored_fields(docnum)
        lengths = [leaf.doc_field_length(docnum, name) for name in scorable]
        put(repr((sorted(stored.items()), lengths)).encode())
    for name in schema.names():
        if schema[name].column_type is not None and leaf.has_column(name):
            put(repr((name, list(leaf.column_reader(name)))).encode())


def print_fingerprint(path: str | Path) -> None:
    started = time.perf_counter()
    prints = fingerprint(path)
    print(f"  fingerprint of {path} ({time.perf_counter() - started:.0f} s):")
    for key, value in prints.items():
        print(f"    {key}: {value}")


# One run ----------------------------------------------------------------------------------------


def run_rebuild(args: argparse.Namespace, url: str, index_dir: Path, words: list[str]) -> dict:
    from search_index.schema import build_schema
    from search_index.store import IndexStore

    store = IndexStore(index_dir, build_schema)
    old = store.current_generation()
    ctx = multiprocessing.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    search_proc = ctx.Process(
        target=searcher_process,
        args=(str(index_dir), url, words, stop, results, args.search_pause),
    )
    search_proc.start()
    if results.get(timeout=120) != "ready":
        raise SystemExit("the searching process did not start")
    load_before = os.getloadavg()
    started = time.perf_counter()
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "reindex"]
    command += ["--procs", str(args.procs)]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(url, index_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output = []
    for line in proc.stdout:
        output.append(line.rstrip())
        if args.verbose:
            print("  |", line.rstrip(), flush=True)
    code = proc.wait()
    wall = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    load_after = os.getloadavg()
    time.sleep(0.5)  # a few searches on the new generation
    stop.set()
    served, errors, empty, slowest = results.get(timeout=60)
    search_proc.join()
    if code != 0:
        print("\n".join(output))
        raise SystemExit(f"reindex failed with exit code {code}")
    new = store.current_generation()
    phases = [line.strip() for line in output if line.strip().startswith(("phase", "worker"))]
    summary = next((line for line in output if line.startswith("Done:")), "")
    return {
        "wall_s": wall,
        "summary": summary,
        "phases": phases,
        "peaks": [sampler.peaks[pid] for pid in sampler.order],
        "tree_peak_mb": sampler.total_peak,
        "old": old,
        "new": new,
        "served": served,
        "errors": errors,
        "empty": empty,
        "slowest_search_s": slowest,
        "load": (load_before, load_after),
    }


def report(args: argparse.Namespace, run: dict, number: int) -> None:
    print(f"\nrebuild {number} of {args.size:,} services, --procs {args.procs}:")
    print(f"  load average before {_load(run['load'][0])}, after {_load(run['load'][1])}")
    print(f"  wall time {run['wall_s']:.1f} s (the `flask reindex` process, start to exit)")
    print(f"  {run['summary']}")
    for line in run["phases"]:
        print(f"  {line}")
    peaks = run["peaks"]
    if peaks:
        print(f"  peak RSS: parent {peaks[0]:.0f} MB", end="")
        for i, peak in enumerate(peaks[1:], 1):
            print(f", process {i} {peak:.0f} MB", end="")
        print(f"; whole tree at once {run['tree_peak_mb']:.0f} MB")
    labels = {run["old"]: "old", run["new"]: "new"}
    served = ", ".join(f"{labels.get(g, g)} {n}" for g, n in sorted(run["served"].items()))
    print(
        f"  searches during the rebuild: {sum(run['served'].values())} ({served}); "
        f"{len(run['errors'])} errors; {run['empty']} with no hits; "
        f"slowest {1000 * run['slowest_search_s']:.0f} ms"
    )
    for error in run["errors"][:5]:
        print(f"    error: {error}")
    out = {k: run[k] for k in ("wall_s", "peaks", "tree_peak_mb", "load")}
    out.update(size=args.size, procs=args.procs, errors=len(run["errors"]))
    print(json.dumps(out))


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--procs", type=int, default=2, help="build processes")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--database", default="bench_rebuild")
    parser.add_argument("--workdir", default="/tmp/rebuild_bench")
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    parser.add_argument("--search-pause", type=float, default=0.1, help="seconds between searches")
    parser.add_argument("--verbose", action="store_true", help="echo the rebuild's output")
    parser.add_argument(
        "--fingerprint", action="store_true", help="hash each new generation after its run"
    )
    parser.add_argument("--fingerprint-only", metavar="PATH", help="hash this generation, exit")
    args = parser.parse_args(argv)
    if args.fingerprint_only:
        print_fingerprint(args.fingerprint_only)
        return 0
    url, index_dir = prepare(args)
    env = environment(url, index_dir)
    from search_index.schema import build_schema
    from search_index.store import IndexStore

    if IndexStore(index_dir, build_schema).current_generation() is None:
        print("building a first generation to serve during the measured rebuilds", flush=True)
        command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "reindex"]
        subprocess.run([*command, "--procs", str(args.procs)], cwd=ROOT, env=env, check=True)
    words = ["food", "debt", "advice", "housing", "carers", "mental health", "youth", "lunch"]
    for number in range(1, args.runs + 1):
        report(args, run_rebuild(args, url, index_dir, words), number)
        if args.fingerprint:
            store = IndexStore(index_dir, build_schema)
            print_fingerprint(store.generation_path(store.current_generation()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
