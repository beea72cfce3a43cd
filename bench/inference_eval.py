"""Measure need inference against the seed data's curated terms, hidden, and the dev set.

    .venv/bin/python bench/inference_eval.py [--semantic] [--markdown] [--worst N]

1. Seeds a throwaway SQLite database with the project's own seeding (the importer), reads each
   listing's curated need and client-group terms aside and deletes them, so inference sees
   listings that carry no term, as a real council feed's would.
2. Loads ``tests/inference/dev_listings.json`` (hand-written, real-shaped, hand-labelled
   listings; some with a feed's own taxonomy terms) as listings of the same database.
3. Runs each method alone and combined, and prints precision and recall, overall and per
   need and client group, on the seeds (also on each half: the first half, by a hash of the
   id, was the one looked at while tuning) and on the dev set, with the worst false positives
   and misses (hierarchy-aware: a parent of the curated term is not wrong).
4. Prints a calibration table: the terms kept, by confidence band, and the share right on each
   half and on the dev set (does a confidence of 0.8 mean right four times in five?).

Two ways of scoring:

* **strict**: an inferred term is right only if it is the curated term itself;
* **hierarchy-aware** (ancestor closure, as in Kiritchenko et al.'s hierarchical precision
  and recall): both sides are extended with their ancestors and compared as sets, so an
  inferred parent of a curated term is right at the parent level and only there (inferring
  "Money and benefits" for a listing curated as "Debt advice" gives 1 of 1 right and finds 1
  of 2), and a wrong child of a right parent still earns the parent.

On the dev set, a term listed as ``acceptable`` is not counted as wrong, and recall counts only
the required terms.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, select  # noqa: E402

from directory import create_app  # noqa: E402
from directory import migrate as migrations  # noqa: E402
from directory.db import db  # noqa: E402
from directory.inference import CROSSWALK, SEMANTIC, VOCABULARY  # noqa: E402
from directory.inference.candidates import Candidate  # noqa: E402
from directory.inference.services import (  # noqa: E402
    SEMANTIC_THRESHOLD,
    THRESHOLD,
    Inferrer,
    combine,
    infer_services,
)
from directory.inference.terms import CuratedTerms  # noqa: E402
from directory.inference.text import load_listing_texts  # noqa: E402
from directory.listings.models import Service  # noqa: E402
from directory.seeding import seed_database  # noqa: E402
from directory.taxonomy.models import Attribute  # noqa: E402
from tests.inference.conftest import add_source_term  # noqa: E402

DEV_FILE = ROOT / "tests" / "inference" / "dev_listings.json"
DEV_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:inference-dev-set")
CONFIGS: dict[str, tuple[str, ...]] = {
    "vocabulary": (VOCABULARY,),
    "crosswalk": (CROSSWALK,),
    "semantic": (SEMANTIC,),
    "vocabulary + crosswalk": (VOCABULARY, CROSSWALK),
    "vocabulary + crosswalk + semantic": (VOCABULARY, CROSSWALK, SEMANTIC),
}


@dataclass
class Case:
    service_id: str
    name: str
    expected: set[str]
    acceptable: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)
    half: int = 0


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Score:
    strict: Tally = field(default_factory=Tally)
    hier: Tally = field(default_factory=Tally)
    per_term: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    false_positives: Counter = field(default_factory=Counter)
    misses: Counter = field(default_factory=Counter)
    forbidden: int = 0
    predicted: int = 0


def half_of(service_id: str) -> int:
    return int(hashlib.sha1(service_id.encode()).hexdigest(), 16) % 2


def score(cases: Iterable[Case], predicted: dict[str, set[str]], curated: CuratedTerms) -> Score:
    out = Score()
    for case in cases:
        pred = predicted.get(case.service_id, set())
        right = case.expected | case.acceptable
        out.predicted += len(pred)
        out.strict.add(len(pred & right), len(pred - right), len(case.expected - pred))
        hp, hright, hexp = (curated.closure(x) for x in (pred, right, case.expected))
        out.hier.add(len(hp & hright), len(hp - hright), len(hexp - hp))
        out.forbidden += len(pred & case.forbidden)
        for term in pred | case.expected:
            out.per_term[term].add(
                int(term in pred and term in right),
                int(term in pred and term not in right),
                int(term in case.expected and term not in pred),
            )
        for term in pred - hright:
            out.false_positives[(term, case.name)] += 1
        for term in case.expected - hp:
            out.misses[(term, case.name)] += 1
    return out


def seed_cases(session) -> list[Case]:
    """Every seed listing's curated terms, read aside; the links themselves deleted."""
    gold: dict[str, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Attribute.link_id, Attribute.taxonomy_term_id).where(
            Attribute.link_entity == "service", Attribute.link_type.in_(("need", "client_group"))
        )
    )
    for service_id, term_id in rows:
        gold[service_id].add(term_id)
    session.execute(
        delete(Attribute).where(
            Attribute.link_entity == "service", Attribute.link_type.in_(("need", "client_group"))
        )
    )
    names = dict(session.execute(select(Service.id, Service.name)).all())
    session.commit()
    return [Case(sid, names.get(sid, sid), terms, half=half_of(sid)) for sid, terms in gold.items()]


def dev_cases(session, curated: CuratedTerms) -> list[Case]:
    """The dev listings, saved as listings (with their feed terms) of the same database."""
    by_code = {code: term_id for term_id, code in curated.code.items()}
    cases = []
    for item in json.loads(DEV_FILE.read_text(encoding="utf-8"))["listings"]:
        sid = str(uuid.uuid5(DEV_NAMESPACE, item["id"]))
        session.add(
            Service(
                id=sid,
                name=item["name"],
                alternate_name=item.get("alternate_name"),
                description=item.get("description"),
                eligibility_description=item.get("eligibility_description"),
            )
        )
        for term in item.get("source_terms", []):
            add_source_term(session, sid, term["vocabulary"], term["code"], term["label"])
        codes = {
            key: {by_code[c] for c in item.get(key, [])}
            for key in ("needs", "client_groups", "acceptable", "not")
        }
        cases.append(
            Case(
                sid,
                item["name"],
                codes["needs"] | codes["client_groups"],
                codes["acceptable"],
                codes["not"],
            )
        )
    session.commit()
    return cases


def predictions(
    found: dict[str, list[Candidate]], methods: tuple[str, ...], curated: CuratedTerms
) -> dict[str, set[str]]:
    threshold = SEMANTIC_THRESHOLD if SEMANTIC in methods else THRESHOLD
    return {
        sid: set(combine([c for c in cands if c.method in methods], curated, threshold))
        for sid, cands in found.items()
    }


#: Confidence bands of the calibration table.
BANDS = (0.68, 0.75, 0.8, 0.9, 1.01)


def calibration(
    cases: list[Case],
    found: dict[str, list[Candidate]],
    methods: tuple[str, ...],
    curated: CuratedTerms,
) -> str:
    """Per confidence band, how many kept terms are right (the curated term, one above it, or
    an acceptable one): whether a confidence means what it says."""
    threshold = SEMANTIC_THRESHOLD if SEMANTIC in methods else THRESHOLD
    right, kept = Counter(), Counter()
    for case in cases:
        ok = curated.closure(case.expected | case.acceptable)
        cands = [c for c in found.get(case.service_id, []) if c.method in methods]
        for term_id, decision in combine(cands, curated, threshold).items():
            band = max(b for b in BANDS if b <= max(decision.confidence, BANDS[0]))
            kept[band] += 1
            right[band] += term_id in ok
    return ", ".join(
        f"{low:.2f}-{min(high, 1.0):.2f}: {right[low]}/{kept[low]}"
        + (f" ({right[low] / kept[low]:.2f})" if kept[low] else "")
        for low, high in itertools.pairwise(BANDS)
    )


def print_scores(title: str, results: dict[str, Score]) -> None:
    print(f"\n{title}")
    print(f"{'configuration':36s} {'strict P':>8s} {'strict R':>8s} {'hier P':>8s} "
          f"{'hier R':>8s} {'terms':>6s}")  # fmt: skip
    for name, s in results.items():
        print(f"{name:36s} {s.strict.precision:8.3f} {s.strict.recall:8.3f} "
              f"{s.hier.precision:8.3f} {s.hier.recall:8.3f} {s.predicted:6d}"
              + (f"  forbidden: {s.forbidden}" if s.forbidden else ""))  # fmt: skip


def per_term_table(s: Score, curated: CuratedTerms, markdown: bool) -> list[str]:
    rows = []
    for kind, heading in (("need", "Need"), ("client_group", "Client group")):
        terms = sorted(
            (t for t in curated.terms if curated.kind[t] == kind),
            key=lambda t: [curated.label(a) for a in reversed(curated.ancestors(t))],
        )
        if markdown:
            rows += [f"| {heading} | curated | inferred | right | precision | recall |",
                     "|---|---|---|---|---|---|"]  # fmt: skip
        counted = {t for t, tally in s.per_term.items() if tally.tp + tally.fn + tally.fp}
        shown = curated.closure(counted)  # a parent heads its children's rows
        for term in terms:
            tally = s.per_term.get(term, Tally())
            curated_n = tally.tp + tally.fn
            inferred_n = tally.tp + tally.fp
            if term not in shown:
                continue
            depth = len(curated.ancestors(term)) - 1
            label = ("&nbsp;&nbsp;" if markdown else "  ") * depth + curated.label(term)
            p = f"{tally.precision:.2f}" if inferred_n else "-"
            r = f"{tally.recall:.2f}" if curated_n else "-"
            if markdown:
                rows.append(f"| {label} | {curated_n} | {inferred_n} | {tally.tp} | {p} | {r} |")
            else:
                rows.append(f"{label:48s} curated {curated_n:3d} inferred {inferred_n:3d} "
                            f"right {tally.tp:3d}  P {p:>4s}  R {r:>4s}")  # fmt: skip
        rows.append("")
    return rows


def worst(s: Score, curated: CuratedTerms, n: int) -> list[str]:
    """The terms most often wrongly inferred (neither the curated term, one above it, nor an
    acceptable one) and most often missed (nor anything below it inferred), with examples."""
    lines = []
    for title, counts in (("Worst wrong terms", s.false_positives), ("Worst misses", s.misses)):
        by_term: dict[str, list[str]] = defaultdict(list)
        for (term, name), times in counts.items():
            by_term[term].extend([name] * times)
        ranked = sorted(by_term.items(), key=lambda kv: (-len(kv[1]), curated.label(kv[0])))
        lines.append(f"{title} (term: times, e.g. listings):")
        lines += [f"  {curated.label(t)}: {len(names)}, e.g. {'; '.join(names[:3])}"
                  for t, names in ranked[:n]]  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semantic", action="store_true", help="also run the sentence model")
    parser.add_argument("--markdown", action="store_true", help="per-need tables as Markdown")
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument(
        "--config",
        default="vocabulary + crosswalk",
        choices=list(CONFIGS),
        help="the configuration whose per-need tables and errors are printed",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'eval.sqlite'}"
        migrations.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "eval", "DATABASE_URL": url,
                          "SEARCH_INDEX_DIR": str(Path(tmp) / "index")})  # fmt: skip
        with app.app_context():
            run(db.session, args)


def run(session, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    seed_database(session)
    session.commit()
    seeds = seed_cases(session)
    took = time.perf_counter() - started
    print(f"Seeded {len(seeds)} listings with curated terms in {took:.1f} s; hidden from now on.")
    inferrer = Inferrer(session, semantic=args.semantic)
    curated = inferrer.curated
    dev = dev_cases(session, curated)
    if args.semantic and inferrer.semantic is None:
        print("The semantic extra is not installed: measured without it.")
    found: dict[str, list[Candidate]] = {}
    timing: dict[str, float] = {}
    for cases in (seeds, dev):
        texts = load_listing_texts(session, [c.service_id for c in cases])
        found.update(inferrer.candidates(texts, timing))
    configs = {k: v for k, v in CONFIGS.items() if SEMANTIC not in v or inferrer.semantic}
    halves = {0: [c for c in seeds if c.half == 0], 1: [c for c in seeds if c.half == 1]}
    for title, cases in (
        (f"Seed listings ({len(seeds)}), curated terms hidden", seeds),
        (f"  tuning half ({len(halves[0])})", halves[0]),
        (f"  other half ({len(halves[1])})", halves[1]),
        (f"Dev set ({len(dev)} hand-labelled real-shaped listings)", dev),
    ):
        results = {
            name: score(cases, predictions(found, methods, curated), curated)
            for name, methods in configs.items()
        }
        print_scores(title, results)
    best = args.config if args.config in configs else "vocabulary + crosswalk"
    chosen = predictions(found, configs[best], curated)
    print(f"\nCalibration, {best}: terms kept, by confidence, and the share right "
          "(hierarchy-aware: the term is the curated one or above it)")  # fmt: skip
    for title, cases in (("tuning half", halves[0]), ("other half", halves[1]), ("dev set", dev)):
        print(f"  {title}: " + calibration(cases, found, configs[best], curated))
    for title, cases in (("seed listings", seeds), ("dev set", dev)):
        s = score(cases, chosen, curated)
        print(f"\nPer need and client group, {best}, {title} (strict):")
        for line in per_term_table(s, curated, args.markdown):
            print(line)
        for line in worst(s, curated, args.worst):
            print(line)
    print(
        "\nTime per listing (ms): "
        + ", ".join(
            f"{k} {v * 1000 / max(1, len(seeds) + len(dev)):.1f}" for k, v in timing.items()
        )
    )
    started = time.perf_counter()
    report = infer_services(session, semantic=args.semantic)
    session.commit()
    again = infer_services(session, semantic=args.semantic)
    print(
        f"infer_services over all {len(report.listings)} listings: "
        f"{time.perf_counter() - started:.1f} s for two runs; first {report.summary()}; "
        f"second run: {again.added} added, {again.updated} updated, {again.removed} removed"
    )


if __name__ == "__main__":
    main()
