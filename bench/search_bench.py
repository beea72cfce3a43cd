"""Search benchmark: the engine against SQLite FTS5 doing the same work, on residents' queries.

Run from the project root (a script, not a test; the synthetic directories take minutes to make
at 100,000 services, so keep them with ``--workdir``):

    .venv/bin/python bench/search_bench.py --sizes 10000 100000 --workdir /tmp/bench [--reuse]

Method (docs/index-operations.md, "Benchmark", has the figures):

* Data: ``bench/synthetic.py``'s seeded directory (the same ``--seed`` and size give
  byte-identical rows, words and postcodes; its checksum is printed), indexed by the real
  full rebuild and loaded into FTS5 from the same documents (``bench/fts5_side.py``).
* Queries, seeded too (their checksum is printed), ``--queries`` of each kind, every query
  distinct within its kind, drawn from residents' words in seeds/taxonomy.json: a need as a
  resident names it ("food bank", "befriending", "skint": need names and their synonyms),
  several words (a need and who it is for, or two ways of saying it), a sentence ("i need
  help with my shopping", or one of the taxonomy's intent phrases), a misspelling (one
  typing slip in a need's word), a need with a postcode, and a postcode alone.
* Each query is run twice on each side: cold (the first time that query is seen, in a process
  already warmed on other queries: the engine with its per-process searcher, FTS5 with its
  connection) and warm (the same query again, after every other query has run once). Both
  sides run the queries interleaved: query i on the engine then on FTS5, query i+1 the other
  way round. The very first search after opening (engine: index opened; FTS5: connection
  opened) is printed on its own.
* The engine is ``search_index.search`` (facets, the 20 hits with highlighting, open-now text).
  FTS5 runs twice, as two more sides of the interleaving: doing the same work (a top 20 with
  the total and snippets, and the results page's facets over every match and its 20 rows with
  distance and open-now text: ``bench/fts5_page.py``), and the answer alone (the top 20, the
  total and snippets). See ``bench/fts5_side.py`` for stop words, misspellings and postcodes.
* Printed: p50/p95/p99 wall-clock milliseconds per kind, cold and warm, for the engine and
  FTS5 doing the same work, the engine/FTS5 ratio of the p95s (and of the CPU-time p95s,
  which the machine's load disturbs less), FTS5's answer alone (p95 and the ratio to it),
  each side's average number of results, and the load average before and after.
  Targets (ratios from one run, against FTS5 doing the same work): p95 at most 1.5x FTS5 at
  10,000 services, below 1x at 100,000, for every kind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fts5_side import Fts5Searcher, build_fts, is_current  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402
from synthetic import reuse_or_build_directory  # noqa: E402  (bench/api_bench.py)

from directory.db import make_engine  # noqa: E402
from search_index import search  # noqa: E402
from search_index.api import DEFAULT_RADIUS_KM, SearchRequest  # noqa: E402
from search_index.context import build_context  # noqa: E402
from search_index.schema import build_schema  # noqa: E402
from search_index.store import IndexStore  # noqa: E402
from search_index.sync import IndexSync  # noqa: E402

NOW = datetime(2025, 11, 18, 10, 30, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday morning
KINDS = ("need", "several_words", "sentence", "misspelling", "need_postcode", "postcode")
#: The sides of the interleaving: the engine, FTS5 doing the same work, FTS5's answer alone.
SIDES = ("engine", "fts5", "fts5_answer")
RADIUS_KM = DEFAULT_RADIUS_KM["postcode"]
SENTENCES = (
    "i need help with {x}",
    "i need help with my {x}",
    "where can i find {x}",
    "is there any {x} near me",
    "my mum needs {x}",
    "looking for {x} for my dad",
    "can someone help me with {x} please",
    "who can i talk to about {x}",
)
VOWELS = "aeiou"


# Residents' queries ---------------------------------------------------------------------------


def need_sayings(data: dict) -> list[str]:
    """How residents name a need: the taxonomy's need names of up to three words and every
    synonym (everyday words and common misspellings the vocabulary already knows)."""
    out = [n["name"].lower() for n in data["needs"] if len(n["name"].split()) <= 3]
    out += [s.lower() for n in data["needs"] for s in n["synonyms"]]
    return sorted(dict.fromkeys(s for s in out if s.strip()))


def misspell(saying: str, rng: random.Random) -> str | None:
    """One typing slip in the longest word (a letter dropped, two swapped, a vowel changed
    or a letter doubled), or None when no word is long enough to misspell."""
    words = saying.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 5 or not word.isalpha():
        return None
    at = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("drop", "swap", "vowel", "double"))
    if slip == "drop":
        typo = word[:at] + word[at + 1 :]
    elif slip == "swap":
        typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif slip == "vowel" and any(c in VOWELS for c in word[1:]):
        at = rng.choice([i for i, c in enumerate(word) if c in VOWELS and i])
        typo = word[:at] + rng.choice(VOWELS.replace(word[at], "")) + word[at + 1 :]
    else:
        typo = word[:at] + word[at] + word[at:]
    if typo == word:
        return None
    words[longest] = typo
    return " ".join(words)


def resident_queries(data: dict, per_kind: int, seed: int) -> list[tuple[str, str, str]]:
    """``per_kind`` distinct (kind, text, postcode) queries of each kind, shuffled together."""
    rng = random.Random(f"{seed}:queries")
    sayings = need_sayings(data)
    groups = sorted({s.lower() for g in data["groups"] for s in [g["name"], *g["synonyms"]]})
    phrases = sorted({p.lower() for n in data["needs"] for p in n["phrases"]})
    postcodes = sorted(set(data["postcodes"]))

    def several() -> str:
        if rng.random() < 0.5:
            return f"{rng.choice(sayings)} {rng.choice(groups)}"
        need = rng.choice([n for n in data["needs"] if len(n["synonyms"]) > 1])
        return " ".join(rng.sample(need["synonyms"], 2)).lower()

    def sentence() -> str:
        if rng.random() < 0.5:
            return rng.choice(phrases)
        return rng.choice(SENTENCES).format(x=rng.choice(sayings))

    makers = {
        "need": lambda: (rng.choice(sayings), ""),
        "several_words": lambda: (several(), ""),
        "sentence": lambda: (sentence(), ""),
        "misspelling": lambda: (misspell(rng.choice(sayings), rng) or "", ""),
        "need_postcode": lambda: (rng.choice(sayings), rng.choice(postcodes)),
        "postcode": lambda: ("", rng.choice(postcodes)),
    }
    out = []
    for kind, make in makers.items():
        seen: set[tuple[str, str]] = set()
        for _attempt in range(per_kind * 50):
            text, postcode = make()
            if (text or postcode) and (text, postcode) not in seen and len(seen) < per_kind:
                seen.add((text, postcode))
                out.append((kind, text, postcode))
    rng.shuffle(out)
    return out


# Running both sides ---------------------------------------------------------------------------


class EngineSide:
    """The engine as a worker runs it: ``search_index.search`` with one searcher per process."""

    def __init__(self, store: IndexStore, session) -> None:
        self.searcher = store.searcher()
        self.session = session
        #: The engine's own split of the last search (place, plan, match, facets, rank, hits).
        self.laps: dict[str, float] = {}

    def search(self, text: str, postcode: str) -> int:
        request = SearchRequest(text=text, place=postcode, now=NOW)
        results = search(request, index=self.searcher, session=self.session)
        self.laps = results.timings
        return results.total


def timed(run, *args) -> tuple[float, float, int]:
    """Wall-clock and CPU milliseconds, and the total found (FTS5's search also returns its
    rows). Both sides run in this process, so CPU time counts SQLite's work too; it is
    what the machine's load disturbs least."""
    started, started_cpu = time.perf_counter(), time.process_time()
    total = run(*args)
    ms, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
    return ms, cpu, total[0] if isinstance(total, tuple) else total


def interleaved(
    engine: EngineSide, fts: Fts5Searcher, answer: Fts5Searcher, queries, flip: int
) -> dict:
    """One pass over ``queries``, each on the three sides in turn, the order rotated from one
    query to the next (engine first, then FTS5 first, then FTS5's answer alone first), so a
    busy moment falls on all of them. Returns {side: {kind: [(ms, cpu ms, total), ...]}}
    and, under "laps", the engine's own split of each search."""
    out: dict[str, dict[str, list]] = {side: {} for side in SIDES} | {"laps": {}}
    for i, (kind, text, postcode) in enumerate(queries):
        sides = [
            ("engine", engine.search, (text, postcode)),
            ("fts5", fts.search, (text, postcode, RADIUS_KM, NOW)),
            ("fts5_answer", answer.search, (text, postcode, RADIUS_KM, NOW)),
        ]
        turn = (i + flip) % len(sides)
        sides = sides[turn:] + sides[:turn]
        for side, run, args in sides:
            out[side].setdefault(kind, []).append(timed(run, *args))
        out["laps"].setdefault(kind, []).append(engine.laps)
    return out


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summary(runs: list[tuple[float, float, int]]) -> dict[str, float]:
    ms = [m for m, _c, _t in runs]
    return {
        "p50": statistics.median(ms),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "cpu95": percentile([c for _m, c, _t in runs], 95),
        "hits": statistics.mean(t for _m, _c, t in runs),
    }


def first_searches(
    store: IndexStore, fts_path: Path, gazetteer, session, vocabulary
) -> tuple[float, float]:
    """The first search after opening each side (the engine's index, FTS5's file, doing the
    same work)."""
    from search_index.engine import _spellers

    _spellers.clear()
    started = time.perf_counter()
    EngineSide(store, session).search("food bank", "")
    engine_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    fts = Fts5Searcher(fts_path, gazetteer, gazetteer.authorities_containing, vocabulary)
    fts.search("food bank", "", RADIUS_KM, NOW)
    fts.close()
    return engine_ms, (time.perf_counter() - started) * 1000


def bench_size(size: int, args: argparse.Namespace, workdir: Path) -> dict:
    print(f"\n=== {size:,} services (load average {os.getloadavg()[0]:.2f}) ===", flush=True)
    db_path = workdir / f"directory_{size}.sqlite"
    data = reuse_or_build_directory(db_path, size, args.seed)
    engine = make_engine(f"sqlite:///{db_path}")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    store = IndexStore(workdir / f"index_{size}", build_schema)
    sync = IndexSync(store, factory, procs=2, parallel_min_services=0)
    fresh = not (args.reuse and store.current_generation() is not None)
    if fresh:
        report = sync.rebuild(procs=2)
        print(f"rebuild: {report.documents:,} documents in {report.seconds:.1f} s, "
              f"{report.size_bytes / 1e6:.0f} MB", flush=True)  # fmt: skip
    fts_path = workdir / f"fts_{size}.sqlite"
    if fresh or not is_current(fts_path):
        fts_path.unlink(missing_ok=True)
        seconds = build_fts(fts_path, factory, sync.iter_all_documents)
        print(f"FTS5 load: {seconds:.1f} s, {fts_path.stat().st_size / 1e6:.0f} MB", flush=True)
    from directory.places.gazetteer import get_gazetteer

    gazetteer = get_gazetteer()
    queries = resident_queries(data, args.queries, args.seed)
    warmup = resident_queries(data, 5, args.seed + 1)
    query_sum = hashlib.sha256(json.dumps(queries).encode()).hexdigest()[:16]
    with factory() as session:
        vocabulary = build_context(session).vocabulary
        first = first_searches(store, fts_path, gazetteer, session, vocabulary)
        side = EngineSide(store, session)
        authorities = gazetteer.authorities_containing
        fts = Fts5Searcher(fts_path, gazetteer, authorities, vocabulary)
        answer = Fts5Searcher(fts_path, gazetteer, authorities)
        interleaved(side, fts, answer, [q for q in warmup if q not in queries], 0)
        load_before = os.getloadavg()
        cold = interleaved(side, fts, answer, queries, 0)
        warm = interleaved(side, fts, answer, queries, 1)
        load_after = os.getloadavg()
        documents = side.searcher.doc_count()
        fts.close()
        answer.close()
    engine.dispose()
    return {
        "size": size,
        "documents": documents,
        "checksum": data["checksum"][:16],
        "queries": query_sum,
        "per_kind": args.queries,
        "first": first,
        "load": (load_before, load_after),
        "figures": {
            (phase, side_name, kind): summary(runs)
            for phase, result in (("cold", cold), ("warm", warm))
            for side_name, kinds in result.items()
            if side_name != "laps"
            for kind, runs in kinds.items()
        },
        "laps": {
            kind: {
                name: statistics.median(lap.get(name, 0.0) for lap in laps)
                for name in ("place", "plan", "match", "facets", "rank", "hits")
            }
            for kind, laps in warm["laps"].items()
        },
    }


def print_result(r: dict) -> None:
    """The table for one size: p50/p95/p99 per kind, cold and warm, ratios, targets."""
    size, figures = r["size"], r["figures"]
    target = 1.5 if size <= 10_000 else 1.0
    (b1, b5, b15), (a1, a5, a15) = r["load"]
    print(f"\n{size:,} services, {r['documents']:,} documents; data checksum {r['checksum']}, "
          f"queries checksum {r['queries']}; {r['per_kind']} queries per kind")  # fmt: skip
    print(f"  load average (1, 5, 15 min): {b1:.2f} {b5:.2f} {b15:.2f} before, "
          f"{a1:.2f} {a5:.2f} {a15:.2f} after")  # fmt: skip
    print(f"  first search after opening: engine {r['first'][0]:.0f} ms, FTS5 {r['first'][1]:.0f}")
    print("  milliseconds, wall clock: p50 / p95 / p99; FTS5 = FTS5 doing the same work "
          "(facets, rows); ratio = engine p95 / FTS5 p95 [the same for CPU time];\n"
          "  answer = FTS5's answer alone (top 20, total, snippets): its p95 and the engine's "
          "ratio to it; hits = average results (engine | FTS5)")  # fmt: skip
    met = []
    for phase in ("cold", "warm"):
        print(f"  {phase:<15}{'engine':>22}{'FTS5':>22}{'ratio':>8}{'[CPU]':>9}"
              f"{'answer':>14}{'hits':>15}")  # fmt: skip
        for kind in KINDS:
            e, f = figures[(phase, "engine", kind)], figures[(phase, "fts5", kind)]
            a = figures[(phase, "fts5_answer", kind)]
            ratio = e["p95"] / max(f["p95"], 0.001)
            ok = ratio <= target if size <= 10_000 else ratio < target
            met.append(ok)
            cells = "".join(f"{s['p50']:>8.1f}{s['p95']:>7.1f}{s['p99']:>7.1f}" for s in (e, f))
            cpu = e["cpu95"] / max(f["cpu95"], 0.001)
            plain = e["p95"] / max(a["p95"], 0.001)
            hits = f"{e['hits']:>8.0f} |{f['hits']:>6.0f}"
            print(f"  {kind:<15}{cells}{ratio:>7.2f}x{' ' if ok else '!'}[{cpu:>5.2f}x]"
                  f"{a['p95']:>7.1f}{plain:>6.2f}x{hits}")  # fmt: skip
    print("  the engine's own split, warm p50 ms: place / plan / match / facets / rank / hits")
    for kind in KINDS:
        print(f"  {kind:<15}" + "".join(f"{ms:>7.2f}" for ms in r["laps"][kind].values()))
    comparison = "at most" if size <= 10_000 else "below"
    print(f"  target p95 ratio {comparison} {target}x (against FTS5 doing the same work): met "
          f"for {sum(met)} of {len(met)} (kind, phase) pairs; '!' marks a miss")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100, help="queries per kind")
    parser.add_argument("--seed", type=int, default=20251118)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the files here; a synthetic directory already there is "
                        "used again")  # fmt: skip
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir: also use the index and the FTS5 file already "
                        "there (for comparing engine changes)")  # fmt: skip
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="search_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"Working in {workdir}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    results = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, args, workdir))
            print_result(results[-1])
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if len(results) > 1:
        print("\nSummary")
        for result in results:
            print_result(result)


if __name__ == "__main__":
    main()
