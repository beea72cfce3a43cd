"""Run the untagged held-out sets through the engine and FTS5.

Two sets (``SETS``): ``untagged`` (this folder: ``listings.json``, ``cases.py``) and
``untagged2`` (``../untagged2``: an ORUK 1.0 feed ``listings.json`` and an Outpost page
``outpost_page.json``, ``cases.py``), written by different people at different times so a
tuned-on set can be checked against a fresh one.

Used by ``tests/search_index/test_relevance_untagged.py`` (the issue 11 targets) and by
``bench/untagged_eval.py`` (the tables). Both must measure the same thing, so the loading,
the baseline and the scoring live here once.

* **Engine.** A fresh SQLite database gets the curated taxonomy (``seeds/taxonomy.json``) and
  then the listings, both through the project's importer, so the vocabulary is present but
  no listing carries a term: "curated terms hidden". An in-memory index is built and every
  case goes through ``search_index.engine.run_search`` at a fixed time, as the other
  relevance tests do. With ``inference=True`` need inference runs between import and
  indexing, if ``directory.inference.infer_services(session)`` exists; without it, the
  terms the importer's own ``post_import`` inferred are deleted before indexing.
* **FTS5 baseline.** The same listings in an in-memory SQLite FTS5 table of name,
  organisation name and description (HTML read as text; field names in any case, the
  British ``organisation`` too, as feeds write them); the words of both boxes, lower
  case, punctuation and English stop words removed, joined with OR and ranked by ``bm25()``.
  No synonyms; no stemming beyond the ``porter`` tokenizer where that one is used.

Scores: a right answer in the top 3, precision at 5 (right answers in the top five over the
number possible, at most five) and reciprocal rank within the top ``TOP``. A service shown
at several places counts once, at its best position.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import json
import re
import shutil
import sqlite3
import statistics
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from tests.search_index.untagged.cases import CASES, UntaggedCase

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
LISTINGS = HERE / "listings.json"
TAXONOMY = ROOT / "seeds" / "taxonomy.json"
#: The fixed "now" of the other relevance tests (a Tuesday morning).
NOW = datetime(2025, 11, 25, 11, 0)
#: How many results are read per query.
TOP = 10
FTS_TOKENIZERS = {"FTS5 unicode61": "unicode61", "FTS5 porter": "porter unicode61"}
INFERENCE_MODULE = "directory.inference.services"

#: A common English stop-word list (articles, pronouns, auxiliaries, prepositions,
#: conjunctions, contraction fragments). Need words are never in it.
_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could d did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just ll m me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own re s same she should so some such t than that
    the their theirs them themselves then there these they this those through to too under
    until up ve very was we were what when where which while who whom why will with would
    you your yours yourself yourselves won wont don didn doesn isn aren wasn weren couldn
    shouldn wouldn hasn haven hadn cant im ive id youre theyre thats
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class HeldOutSet:
    """One held-out set: its feed files (imported in this order) and its cases module."""

    name: str
    files: tuple[Path, ...]
    cases_module: str

    @property
    def cases(self) -> tuple[UntaggedCase, ...]:
        return tuple(importlib.import_module(self.cases_module).CASES)


SETS = {
    "untagged": HeldOutSet("untagged", (LISTINGS,), "tests.search_index.untagged.cases"),
    "untagged2": HeldOutSet(
        "untagged2",
        (
            HERE.parent / "untagged2" / "listings.json",
            HERE.parent / "untagged2" / "outpost_page.json",
        ),
        "tests.search_index.untagged2.cases",
    ),
}
FIRST = SETS["untagged"]


def feed_records(path: Path) -> list[dict[str, Any]]:
    """A file's service records: a bare list, or the records of a page (``content``...)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        for key in ("content", "contents", "items", "data", "results"):
            if isinstance(data.get(key), list):
                return data[key]
    return data


def load_listings(held: HeldOutSet = FIRST) -> list[dict[str, Any]]:
    """The listings as the feeds give them, every file of the set in order."""
    return [record for path in held.files for record in feed_records(path)]


def field_value(record: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` present in ``record``, matched in any case (.NET feeds write
    ``Id`` and ``Name``)."""
    lowered = {str(k).lower(): v for k, v in record.items()}
    return next((lowered[n] for n in names if lowered.get(n) is not None), None)


def listing_id(record: dict[str, Any]) -> str:
    return str(field_value(record, "id"))


def listing_name(record: dict[str, Any]) -> str:
    """The name, or the organisation's when the feed leaves it empty (as the importer does)."""
    return field_value(record, "name") or organisation_name(record)


def organisation_name(record: dict[str, Any]) -> str:
    org = field_value(record, "organization", "organisation")
    return (field_value(org, "name") if isinstance(org, dict) else None) or ""


# --- scoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """One case's answer: listing ids (feed ids) best first, at most ``TOP``."""

    case: UntaggedCase
    ids: tuple[str, ...]

    @property
    def first_right(self) -> int | None:
        """1-based position of the first right answer, or None when none is in the top."""
        right = set(self.case.right)
        return next((n for n, i in enumerate(self.ids, start=1) if i in right), None)

    @property
    def right_in_top3(self) -> bool:
        return self.first_right is not None and self.first_right <= 3

    @property
    def precision5(self) -> float:
        found = len(set(self.ids[:5]) & set(self.case.right))
        return found / min(5, len(self.case.right))

    @property
    def reciprocal_rank(self) -> float:
        return 1 / self.first_right if self.first_right else 0.0


def summary(results: Sequence[Ranked]) -> dict[str, float]:
    """The three figures docs/search.md and the issue use."""
    return {
        "right answer in top 3": statistics.fmean(r.right_in_top3 for r in results),
        "precision@5": statistics.fmean(r.precision5 for r in results),
        "MRR": statistics.fmean(r.reciprocal_rank for r in results),
    }


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))[:TOP]


# --- the FTS5 baseline -------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str | None) -> str:
    """HTML as the words a reader sees: tags become spaces, entities characters."""
    parser = _Text()
    parser.feed(re.sub(r"<[^>]*>", lambda m: m.group(0) + " ", markup or ""))
    parser.close()
    return " ".join(html.unescape(" ".join(parser.parts)).split())


def fts_words(*texts: str | None) -> list[str]:
    """Lower case, punctuation removed, stop words dropped, each word once."""
    words = re.sub(r"[\W_]+", " ", " ".join(t or "" for t in texts).lower()).split()
    return list(dict.fromkeys(w for w in words if w not in STOP_WORDS))


def fts_rankings(
    listings: Sequence[dict[str, Any]], cases: Sequence[UntaggedCase], tokenizer: str
) -> list[Ranked]:
    """Every case through an FTS5 OR query ranked by ``bm25()`` (both boxes' words: a plain
    text search has no separate "where")."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(lid UNINDEXED, name, organisation, "
            f"description, tokenize='{tokenizer}')"
        )
        conn.executemany(
            "INSERT INTO doc VALUES (?, ?, ?, ?)",
            [
                (
                    listing_id(s),
                    field_value(s, "name") or "",
                    organisation_name(s),
                    plain_text(field_value(s, "description")),
                )
                for s in listings
            ],
        )
        results = []
        for case in cases:
            words = fts_words(case.text, case.place)
            ids: list[str] = []
            if words:
                match = " OR ".join(f'"{w}"' for w in words)
                rows = conn.execute(
                    "SELECT lid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc) LIMIT ?",
                    (match, TOP),
                )
                ids = [row[0] for row in rows]
            results.append(Ranked(case, _unique(ids)))
        return results
    finally:
        conn.close()


# --- the engine --------------------------------------------------------------------------


def inference_function() -> Any | None:
    """``directory.inference.services.infer_services`` when the inference package is here.

    Only a missing module or function counts as "not available": an error inside the
    module is raised, so a broken inference is never reported as a missing one."""
    if importlib.util.find_spec(INFERENCE_MODULE) is None:
        return None
    return getattr(importlib.import_module(INFERENCE_MODULE), "infer_services", None)


@dataclass
class LoadedEngine:
    """The engine over one set's untagged listings, ready to run cases."""

    searcher: Any
    context: Any
    #: stored service id -> the feed's listing id
    feed_ids: dict[str, str]
    inference: str
    import_errors: list[str] = field(default_factory=list)
    #: every service id in the database, to check the mapping above covers them all
    stored_ids: set[str] = field(default_factory=set)
    #: the set's own cases, run when ``run`` is given none
    cases: tuple[UntaggedCase, ...] = field(default_factory=lambda: tuple(CASES))
    #: curated need or client-group links on services after the import (must be none)
    curated_links: int = 0

    def run(self, cases: Sequence[UntaggedCase] | None = None) -> list[Ranked]:
        from search_index import SearchRequest
        from search_index.engine import run_search

        results = []
        for case in self.cases if cases is None else cases:
            request = SearchRequest(text=case.text, place=case.place or "", now=NOW, per_page=TOP)
            hits = run_search(self.searcher, request, self.context).hits
            ids = (self.feed_ids.get(h.service_id, h.service_id) for h in hits)
            results.append(Ranked(case, _unique(ids)))
        return results


def _feed_ids(path: Path, stored: set[str]) -> dict[str, str]:
    """Stored service id -> feed id for one file. An ORUK 3.0 record keeps its id (made a
    UUID by ``canonical_id``); a record converted from another shape gets a UUID made from
    the feed (the file's path, as ``import_path`` names it) and its id."""
    from directory.listings.records import canonical_id
    from directory.listings.shapes.common import Context

    context = Context(namespace=str(path.resolve()), source_name=path.stem)
    ids = {}
    for record in feed_records(path):
        raw = listing_id(record)
        kept = canonical_id(raw)[0]
        derived = context.ident("", "service", raw)
        ids[derived if derived in stored and kept not in stored else kept] = raw
    return ids


def _curated_links(session: Any) -> int:
    from sqlalchemy import func, or_, select

    from directory.models import Attribute

    return session.scalar(
        select(func.count())
        .select_from(Attribute)
        .where(Attribute.link_entity == "service")
        .where(
            or_(Attribute.link_type.in_(("need", "client_group")), Attribute.link_type.is_(None))
        )
    )


@contextmanager
def loaded_engine(
    folder: Path,
    *,
    template: Path | None = None,
    inference: bool = False,
    embedder: Any = None,
    held: HeldOutSet = FIRST,
) -> Iterator[LoadedEngine]:
    """Import the taxonomy and a set's listings into a new SQLite database in ``folder`` and
    yield the engine over them. ``template`` is an already migrated database file to copy
    (the tests' fixture); without one the migrations are run here.

    The importer infers needs after every import (``post_import``), so without ``inference``
    the inferred terms are deleted again before indexing: "off" means the engine on the
    listings' own words and nothing else."""
    from sqlalchemy import delete, select

    from directory import create_app
    from directory import migrate as migrations
    from directory.db import db
    from directory.listings.importer import import_path
    from directory.models import InferredTerm, Service
    from search_index.documents import build_memory_index
    from search_index.engine import build_context

    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "untagged.sqlite"
    url = f"sqlite:///{database}"
    if template is not None:
        shutil.copy(template, database)
    else:
        migrations.upgrade(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "untagged-relevance",
            "DATABASE_URL": url,
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "SEARCH_SEMANTIC": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            errors = []
            for path in (TAXONOMY, *held.files):
                report = import_path(session, path)
                errors += [f"{p.record_type} {p.record_id}: {p.message}" for p in report.errors]
            curated = _curated_links(session)
            status = "inference: off"
            if inference:
                infer = inference_function()
                if infer is None:
                    status = "inference: not available"
                else:
                    infer(session)
                    session.commit()
                    status = "inference: on"
            else:
                session.execute(delete(InferredTerm))
                session.commit()
            index = build_memory_index(session)
            context = build_context(session, app=app, embedder=embedder)
            stored = set(session.scalars(select(Service.id)))
            feed_ids = {k: v for path in held.files for k, v in _feed_ids(path, stored).items()}
            searcher = index.searcher()
            try:
                yield LoadedEngine(
                    searcher, context, feed_ids, status, errors, stored, held.cases, curated
                )
            finally:
                searcher.close()
    finally:
        app.extensions["database"].engine.dispose()
