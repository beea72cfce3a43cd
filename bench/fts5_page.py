"""The results page's work on the FTS5 side of ``bench/search_bench.py``.

Finding and ranking (``bench/fts5_side.py``) is not all a search does: the engine also
counts the facets a results page shows (needs as a tree, who it is for, areas, ages, free,
how it is delivered, open now) over every match, and makes the 20 shown rows (their stored
fields, the distance and "Open now until 5pm"). An FTS5-based directory showing the same
page would do the same, so "FTS5 doing the same work" (issue 14, scope 6) does it too, the
way such a product would with SQLite:

* the matches' ids in a temporary table (the FTS5 MATCH written there once, its row count
  the total, in place of a ``count(*)``);
* the keyword facets from each match's values kept as one text ("need:debt area:E06000050
  ..."), joined by SQLite (``group_concat``) and counted by ``collections.Counter``: about
  three times faster than a ``GROUP BY`` over a (document, field, value) table (2.8x at
  10,000 services, measured), so FTS5 is not held back by the slower way; one count of the
  documents whose weekly hours hold the minute for "open now";
* labels from the same taxonomy (worked out once per connection, as the engine does per
  searcher), the need trees drawn by the engine's own ``term_tree``, areas in its order;
* the shown rows read as JSON from the document table, their distance (the haversine the
  radius test already worked out) and their open-now text from the same ``open_status``,
  kept per schedules and minute in a cache of the engine's size.

The benchmark also runs FTS5 without this (the answer alone: ids, total, snippets), and
prints both, so the cost of the page is visible on its own.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from search_index.api import FacetValue, Hit
from search_index.facets import DELIVERY_LABELS, term_tree
from search_index.lru import LRU
from search_index.schema import AGE_BANDS, MINUTES_PER_WEEK, NATIONAL, parse_hours

#: The keyword fields counted as facets (the engine's fields of the same names).
FACET_FIELDS = ("need", "group", "area", "mode", "flag", "age_band")


def facet_text(doc: dict[str, Any]) -> str:
    """An indexed document's facet values as one text: "need:debt need:money area:E06..."."""
    out = []
    for field in FACET_FIELDS:
        value = doc.get(field) or ""
        out.extend(f"{field}:{v}" for v in dict.fromkeys(str(value).split()))
    return " ".join(out)


def hour_rows(doc: dict[str, Any], rowid: int) -> list[tuple[int, int, int]]:
    """(document, opens, closes) in minutes of the week, from the document's hours."""
    hours = doc.get("hours") or b""
    if isinstance(hours, str):
        hours = hours.encode("ascii", "ignore")
    return [(rowid, opens, closes) for opens, closes in parse_hours(hours)]


def row_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc.get("row") or {}, default=str, separators=(",", ":"))


class PageWork:
    """Facets and shown rows for one FTS5 connection (labels kept for the connection)."""

    def __init__(self, conn: sqlite3.Connection, vocabulary, gazetteer) -> None:
        self.conn = conn
        self.vocab = vocabulary
        self.gazetteer = gazetteer
        self.labels = {key: term.label for key, term in vocabulary.terms.items()}
        self.area_labels: dict[str, str] = {}
        self.open_texts: LRU[tuple[str, datetime], str | None] = LRU(4096)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS matched (id INTEGER PRIMARY KEY)")

    # The matches ------------------------------------------------------------------------

    def match_into_table(self, match: str) -> int:
        """Every document matching ``match`` into ``temp.matched``; returns how many."""
        self.conn.execute("DELETE FROM temp.matched")
        cursor = self.conn.execute(
            "INSERT INTO temp.matched SELECT rowid FROM fts WHERE fts MATCH ?", (match,)
        )
        return cursor.rowcount

    def ids_into_table(self, ids: Iterable[int]) -> None:
        self.conn.execute("DELETE FROM temp.matched")
        self.conn.executemany("INSERT INTO temp.matched VALUES (?)", ((d,) for d in ids))

    # Facets -----------------------------------------------------------------------------

    def facets(self, now: datetime) -> dict[str, list[FacetValue]]:
        """The engine's facets (no filter chosen) over ``temp.matched``."""
        counts: dict[str, dict[str, int]] = {field: {} for field in FACET_FIELDS}
        (joined,) = self.conn.execute(
            "SELECT group_concat(f.facets, ' ') FROM temp.matched m "
            "CROSS JOIN doc_facets f ON f.id = m.id"
        ).fetchone()
        for key, n in Counter((joined or "").split()).items():
            field, _, value = key.partition(":")
            counts[field][value] = n
        minute = now.weekday() * 1440 + now.hour * 60 + now.minute
        (open_now,) = self.conn.execute(
            "SELECT count(DISTINCT h.doc) FROM temp.matched m "
            "CROSS JOIN doc_hours h ON h.doc = m.id "
            "WHERE (h.opens <= ? AND h.closes > ?) OR (h.opens <= ? AND h.closes > ?)",
            (minute, minute, minute + MINUTES_PER_WEEK, minute + MINUTES_PER_WEEK),
        ).fetchone()
        flags, modes, ages = counts["flag"], counts["mode"], counts["age_band"]
        return {
            "need": self.tree(counts["need"]),
            "client_group": self.tree(counts["group"]),
            "area": self.areas(counts["area"]),
            "age": [
                FacetValue(key, label, ages.get(key, 0), False)
                for key, (label, _lo, _hi) in AGE_BANDS.items()
            ],
            "free": [FacetValue("free", "Free", flags.get("free", 0), False)],
            "delivery": [
                FacetValue(key, label, modes.get(key, 0), False)
                for key, label in DELIVERY_LABELS.items()
            ],
            "open": [FacetValue("open_now", "Open now", open_now, False)],
        }

    def tree(self, found: dict[str, int]) -> list[FacetValue]:
        """Terms with results as a tree: the engine's own ``term_tree``."""
        labels = self.labels
        return term_tree(found, set(), self.vocab, lambda key: labels.get(key, key))

    def areas(self, found: dict[str, int]) -> list[FacetValue]:
        """Areas with results, most first, then by label (``_area_facet``)."""
        out = []
        for code, n in found.items():
            if code == NATIONAL:
                continue
            label = self.area_labels.get(code)
            if label is None:
                authority = self.gazetteer.local_authority(code) if self.gazetteer else None
                label = authority.name if authority else self.vocab.area_names.get(code, code)
                self.area_labels[code] = label
            out.append((-n, label, code))
        return [FacetValue(code, label, -n, False) for n, label, code in sorted(out)]

    # Shown rows -------------------------------------------------------------------------

    def hits(
        self,
        rows: list[tuple[int, str]],
        order: list[int],
        distances: dict[int, float | None] | None,
        snippets: dict[int, str],
        now: datetime,
    ) -> list[Hit]:
        """The shown rows, in ``order``, from their stored JSON."""
        by_id = dict(rows)
        out = []
        for doc in order:
            row = json.loads(by_id[doc])
            km = distances.get(doc) if distances else None
            checked = row.get("checked")
            out.append(
                Hit(
                    service_id=row.get("service_id", ""),
                    service_at_location_id=row.get("sal_id"),
                    location_id=row.get("location_id"),
                    name=row.get("name", ""),
                    organisation_name=row.get("organisation_name", ""),
                    organisation_id=row.get("organisation_id"),
                    summary_html=snippets.get(doc) or html.escape(row.get("summary", "")),
                    distance_km=None if km is None else round(km, 2),
                    covers_area=distances is not None and km is None,
                    location_name=row.get("location_name"),
                    location_kind=row.get("location_kind"),
                    postcode=row.get("postcode"),
                    latitude=row.get("lat"),
                    longitude=row.get("lon"),
                    delivery_modes=tuple(row.get("modes") or ()),
                    is_free=bool(row.get("free")),
                    needs=tuple(row.get("needs") or ()),
                    last_checked=date.fromisoformat(checked) if checked else None,
                    is_demonstration=bool(row.get("demo")),
                    score=0.0,
                    open_status_text=self.open_text(row.get("schedules"), now),
                )
            )
        return out

    def open_text(self, schedules: list[dict[str, Any]] | None, now: datetime) -> str | None:
        if not schedules:
            return None
        minute = now.replace(second=0, microsecond=0)

        def make() -> str | None:
            from directory.listings.opening import open_status

            return open_status(schedules, minute).text or None

        return self.open_texts.get_or_make((repr(schedules), minute), make)
