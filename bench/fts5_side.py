"""The SQLite FTS5 side of ``bench/search_bench.py``: the same documents, doing the same work.

What "the same work" means here, query by query (docs/index-operations.md, "Benchmark"):

* the words: the engine's own query tokeniser (``search_index.analysis.query_words``:
  folded, lower-cased, its stop words removed, at most 12); the engine's filler words
  ("help", "need", "mum": ``SOFT_WORDS``) are not required, as in the engine (required only
  when nothing else is left);
* all the remaining words required (AND, the engine's semantics); when fewer than
  ``MIN_AND_RESULTS`` listings match, widened to any of the words, each also as a prefix of
  its first four letters (``"befr*"``). That widening is FTS5's only answer to misspellings:
  it has no spelling correction, and the engine has (a close word from its dictionary);
* ranking by bm25 with column weights (name 4, organisation 1.5, description 1, needs and their
  synonyms 3: the engine's section weights), a top 20 and the total count, and the 20 shown
  rows read with a snippet of the description (the engine highlights the summary);
* a postcode: the gazetteer's point for it (the engine's too), the default radius for a
  postcode, a bounding box on the indexed ``lat``/``lon`` columns then the exact distance in
  Python, plus the area documents covering the postcode's local authorities (as the engine's
  ``include_covering``); with words, the words' matches are kept to that scope and their
  bm25 is blended with distance; without, nearest first.

With a ``PageWork`` (``bench/fts5_page.py``) it also does the rest of a results page's work,
as the engine does on every search: the facets over every match and the 20 shown rows with
their distance and open-now text. Without one it gives the answer alone (ids, total,
snippets); the benchmark runs both and prints both. Neither does need expansion beyond the
synonyms written into each document's needs column.
"""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

from fts5_page import PageWork, facet_text, hour_rows, row_json

from search_index.analysis import SOFT_WORDS, query_words
from search_index.geo import haversine_km as haversine
from search_index.schema import SECTION_WEIGHTS

#: As the engine: below this many listings matching every word, widen to some of them.
MIN_AND_RESULTS = 3
PREFIX_CHARS = 4
EARTH_RADIUS_KM = 6371.0088
WEIGHTS = "4.0, 1.5, 1.0, 3.0"  # name, organisation, description, needs_text
NEED_SECTIONS = ("need", "parent_need", "synonym", "inferred_need")
#: Bumped when the file's tables change, so ``--reuse`` loads an older file again.
FORMAT = 3


def is_current(path: Path) -> bool:
    """Whether ``path`` is an FTS5 file of this ``FORMAT`` (else it is loaded again)."""
    if not path.exists():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT
    finally:
        conn.close()


def build_fts(path: Path, session_factory, iter_documents) -> float:
    """Load the documents into an FTS5 file at ``path`` (written beside it, then renamed, so
    an interrupted load never leaves a file that ``--reuse`` would take). Returns seconds."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    conn = sqlite3.connect(partial)
    conn.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(name, organisation, description, needs_text,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE doc (id INTEGER PRIMARY KEY, doc_id TEXT, service_id TEXT, name TEXT,
            organisation TEXT, summary TEXT, postcode TEXT, lat REAL, lon REAL, row TEXT);
        CREATE TABLE doc_area (area TEXT, doc INTEGER);
        CREATE TABLE doc_facets (id INTEGER PRIMARY KEY, facets TEXT);
        CREATE TABLE doc_hours (doc INTEGER, opens INTEGER, closes INTEGER);
        """
    )
    started = time.perf_counter()
    batches: tuple[list, list, list, list, list] = ([], [], [], [], [])
    with session_factory() as session:
        for rowid, doc in enumerate(iter_documents(session), start=1):
            row = doc["row"]
            texts = dict(zip(SECTION_WEIGHTS, (text for _w, text in doc["all"]), strict=True))
            needs = ". ".join(texts[k] for k in NEED_SECTIONS if texts[k])
            batches[0].append(
                (rowid, texts["name"], texts["organisation"], texts["description"], needs)
            )
            batches[1].append(
                (rowid, doc["doc_id"], doc["service_id"], texts["name"], texts["organisation"],
                 row.get("summary", ""), row.get("postcode"), row.get("lat"), row.get("lon"),
                 row_json(doc))
            )  # fmt: skip
            batches[3].append((rowid, facet_text(doc)))
            batches[4].extend(hour_rows(doc, rowid))
            if doc.get("kind") == "area":
                batches[2].extend((area, rowid) for area in doc.get("area", "").split())
            if len(batches[1]) >= 5000:
                _flush(conn, *batches)
        _flush(conn, *batches)
    conn.executescript(
        """
        CREATE INDEX doc_lat ON doc (lat, lon);
        CREATE INDEX doc_area_area ON doc_area (area, doc);
        CREATE INDEX doc_hours_doc ON doc_hours (doc, opens, closes);
        INSERT INTO fts(fts) VALUES ('optimize');
        """
    )
    conn.execute(f"PRAGMA user_version = {FORMAT}")
    conn.commit()
    conn.close()
    partial.rename(path)
    return time.perf_counter() - started


def _flush(
    conn: sqlite3.Connection, fts: list, doc: list, area: list, facet: list, hours: list
) -> None:
    conn.executemany(
        "INSERT INTO fts(rowid, name, organisation, description, needs_text) VALUES (?,?,?,?,?)",
        fts,
    )
    conn.executemany("INSERT INTO doc VALUES (?,?,?,?,?,?,?,?,?,?)", doc)
    conn.executemany("INSERT INTO doc_area VALUES (?,?)", area)
    conn.executemany("INSERT INTO doc_facets VALUES (?,?)", facet)
    conn.executemany("INSERT INTO doc_hours VALUES (?,?,?)", hours)
    for batch in (fts, doc, area, facet, hours):
        batch.clear()


def match_words(text: str) -> list[str]:
    """The query's words as FTS5 sees them: folded, stop words out, filler words only when
    nothing else is left (the engine's rule)."""
    words = [w.folded for w in query_words(text) if w.folded.isalnum()]
    real = [w for w in words if w not in SOFT_WORDS]
    return list(dict.fromkeys(real or words))


def strict_query(words: list[str]) -> str:
    return " AND ".join(f'"{w}"' for w in words)


def wide_query(words: list[str]) -> str:
    """Any of the words, or a word starting with the first letters of one: FTS5's stand-in
    for spelling correction."""
    parts = [f'"{w}"' for w in words]
    parts += [f'"{w[:PREFIX_CHARS]}"*' for w in words if len(w) > PREFIX_CHARS]
    return " OR ".join(parts)


class Fts5Searcher:
    """One read-only connection, kept for the process like the engine's searcher. With
    ``vocabulary`` it does a results page's whole work (``PageWork``), else the answer alone."""

    def __init__(self, path: Path, gazetteer, authorities_of, vocabulary=None) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.conn.execute("CREATE TEMP TABLE scope (id INTEGER PRIMARY KEY)")
        self.gazetteer = gazetteer
        self.authorities_of = authorities_of
        self.page = PageWork(self.conn, vocabulary, gazetteer) if vocabulary else None
        #: The last search's facets and hits (with ``PageWork``).
        self.facets: dict | None = None
        self.hits: list = []

    def close(self) -> None:
        self.conn.close()

    def search(
        self, text: str, postcode: str, radius_km: float, now=None
    ) -> tuple[int, list[tuple]]:
        """(total, the 20 rows shown) for words, a postcode, or both."""
        scope: dict[int, float | None] | None = None
        if postcode:
            scope = self.place_scope(postcode, radius_km)
        words = match_words(text)
        if not words:
            if scope is None:
                return 0, []
            ranked = sorted(scope, key=lambda d: (scope[d] is None, scope[d] or 0.0, d))
            if self.page:
                self.page.ids_into_table(scope)
            return len(ranked), self.rows(ranked[:20], None, scope, now)
        total, top, match = self.ranked(strict_query(words), scope, radius_km)
        if total < MIN_AND_RESULTS:
            total, top, match = self.ranked(wide_query(words), scope, radius_km)
        return total, self.rows(top, match, scope, now)

    def ranked(
        self, match: str, scope: dict[int, float | None] | None, radius_km: float
    ) -> tuple[int, list[int], str]:
        """(total, top 20 ids) for a MATCH expression, kept to ``scope`` when there is one.
        With ``PageWork`` every match's id goes to ``temp.matched`` (for the facets) and the
        total is how many went there, instead of a ``count(*)``."""
        conn = self.conn
        rank = f"bm25(fts, {WEIGHTS})"
        if scope is None:
            top = conn.execute(
                f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY {rank} LIMIT 20", (match,)
            ).fetchall()
            if self.page:
                return self.page.match_into_table(match), [r[0] for r in top], match
            total = conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,))
            return total.fetchone()[0], [r[0] for r in top], match
        conn.execute("DELETE FROM temp.scope")
        conn.executemany("INSERT INTO temp.scope VALUES (?)", ((d,) for d in scope))
        rows = conn.execute(
            f"SELECT rowid, {rank} FROM fts WHERE fts MATCH ? "
            "AND +rowid IN (SELECT id FROM temp.scope)",
            (match,),
        ).fetchall()
        if self.page:
            self.page.ids_into_table(d for d, _score in rows)
        # bm25 is negative (lower is better); nearer listings gain, as in the engine's blend.
        scored = sorted(
            (score * (1.0 + 1.0 / (1.0 + (scope[d] if scope[d] is not None else radius_km))), d)
            for d, score in rows
        )
        return len(rows), [d for _s, d in scored[:20]], match

    def place_scope(self, postcode: str, radius_km: float) -> dict[int, float | None]:
        """Venue documents within ``radius_km`` of the postcode (with their distances) and
        area documents covering it (distance None)."""
        place = self.gazetteer.postcode(postcode)
        if place is None:
            return {}
        lat, lon = place.latitude, place.longitude
        dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
        dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * max(math.cos(math.radians(lat)), 0.01)))
        scope: dict[int, float | None] = {}
        for doc, a, b in self.conn.execute(
            "SELECT id, lat, lon FROM doc WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            (lat - dlat, lat + dlat, lon - dlon, lon + dlon),
        ):
            km = haversine(lat, lon, a, b)
            if km <= radius_km:
                scope[doc] = km
        codes = [*self.authorities_of(place), "national"]
        marks = ",".join("?" * len(codes))
        for (doc,) in self.conn.execute(f"SELECT doc FROM doc_area WHERE area IN ({marks})", codes):
            scope.setdefault(doc, None)
        return scope

    def rows(
        self, ids: list[int], match: str | None, scope: dict | None = None, now=None
    ) -> list[tuple]:
        """The shown rows; with words, a snippet of the description around them. With
        ``PageWork`` also the facets and the hits (``self.facets``, ``self.hits``)."""
        if self.page:
            self.facets = self.page.facets(now)
        if not ids:
            self.hits = []
            return []
        marks = ",".join("?" * len(ids))
        extra = ", row" if self.page else ""
        rows = self.conn.execute(
            f"SELECT id, doc_id, service_id, name, organisation, summary, postcode{extra} "
            f"FROM doc WHERE id IN ({marks})",
            ids,
        ).fetchall()
        snippets: dict[int, str] = {}
        if match is not None:
            snippets = dict(
                self.conn.execute(
                    "SELECT rowid, snippet(fts, 2, '<mark>', '</mark>', '...', 40) FROM fts "
                    f"WHERE fts MATCH ? AND rowid IN ({marks})",
                    (match, *ids),
                ).fetchall()
            )
        if self.page:
            stored = [(r[0], r[-1]) for r in rows]
            self.hits = self.page.hits(stored, ids, scope, snippets, now)
        return rows
