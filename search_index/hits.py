"""One result row (``Hit``) from a document's stored fields: distance, highlighting, open now.

``make_hit`` is called only for the page shown (``search_index.results.run_search``). The
summary's highlighting and the "Open now until 5pm" text are the costly parts, so both are
kept across searches: the highlighted summary per summary and query words, the open status
per schedules and minute. Kept apart from the selecting and ranking of documents, which never
read stored fields. ``search_index.engine`` names everything here too.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from search_index import geo
from search_index.analysis import highlight
from search_index.api import Hit
from search_index.lru import LRU
from search_index.query import TextPlan


def _open_status_text(schedules: list[dict[str, Any]] | None, now: datetime) -> str | None:
    """ "Open now until 5pm" for a hit. Working it out takes about 0.25 ms, so answers are
    kept per schedule and minute: popular listings are shown again and again."""
    if not schedules:
        return None
    minute = now.replace(second=0, microsecond=0)
    # ``repr`` is a third of the cost of ``json.dumps(sort_keys=True)`` as a key; the same
    # schedules written in another key order only make a second entry.
    return _open_statuses.get_or_make(
        (repr(schedules), minute), lambda: _open_status_at(schedules, minute)
    )


_open_statuses: LRU[tuple[str, datetime], str | None] = LRU(4096)


def _open_status_at(schedules: list[dict[str, Any]], minute: datetime) -> str | None:
    from directory.listings.opening import open_status

    return open_status(schedules, minute).text or None


@lru_cache(maxsize=4096)
def _highlighted(summary: str, stems: frozenset[str]) -> str:
    """A summary with the query's words marked: a popular listing shown for the same words
    again (the same query, or "food bank" then "food bank CH65 0AA") is not marked again."""
    return highlight(summary, set(stems))


#: A row's parts of a hit that do not depend on the search, kept per searcher like the rows
#: (``ranking.stored_row``): reading 20 fields from a row and converting them was a fifth of
#: a postcode search's hits.
_parts: WeakKeyDictionary[Any, LRU[int, tuple]] = WeakKeyDictionary()
_parts_lock = threading.Lock()


def hit_parts(row: dict[str, Any]) -> tuple:
    """(the fields before the summary, the summary, the fields after the covering flag up to
    the score, latitude, longitude, the schedules and their cache key) of a stored row."""
    checked = row.get("checked")
    lat, lon = row.get("lat"), row.get("lon")
    schedules = row.get("schedules") or None
    return (
        (
            row.get("service_id", ""),
            row.get("sal_id"),
            row.get("location_id"),
            row.get("name", ""),
            row.get("organisation_name", ""),
            row.get("organisation_id"),
        ),
        row.get("summary", ""),
        (
            row.get("location_name"),
            row.get("location_kind"),
            row.get("postcode"),
            lat,
            lon,
            tuple(row.get("modes") or ()),
            bool(row.get("free")),
            tuple(row.get("needs") or ()),
            date.fromisoformat(checked) if checked else None,
            bool(row.get("demo")),
        ),
        lat,
        lon,
        schedules,
        repr(schedules) if schedules else None,
    )


def cached_parts(searcher: Any, docnum: int, rows: dict[int, dict[str, Any]]) -> tuple:
    """``hit_parts`` of a searcher's document, kept like its row (``ranking.stored_row``,
    read only when the parts are not kept; ``rows`` holds rows already read)."""
    from search_index.ranking import ROWS_PER_SEARCHER, stored_row

    def make() -> tuple:
        return hit_parts(rows.get(docnum) or stored_row(searcher, docnum))

    try:
        cache = _parts.get(searcher)
    except TypeError:  # a searcher that cannot be weakly referenced: no cache
        return make()
    if cache is None:
        with _parts_lock:
            cache = _parts.setdefault(searcher, LRU(ROWS_PER_SEARCHER))
    return cache.get_or_make(docnum, make)


def make_hit(
    row: dict[str, Any] | None,
    docnum: int,
    score: float,
    scope: geo.GeoScope,
    plan: TextPlan,
    now: datetime,
    near: bool | None = None,
    *,
    parts: tuple | None = None,
    stems: frozenset[str] | None = None,
) -> Hit:
    """One result row from a document's stored ``row`` (read only for the page shown).
    ``near``: whether it is a venue within the radius (looked up when not given);
    ``parts``: the row's ``hit_parts`` when kept (then ``row`` is not read); ``stems``:
    ``plan.highlight`` as a frozenset, made once per search."""
    head, summary, middle, lat, lon, schedules, key = parts or hit_parts(row or {})
    distance = None
    if near is None:
        near = scope.place is not None and scope.distance_of(docnum) is not None
    if scope.place is not None and lat is not None and near:
        distance = round(geo.geodesic_km(scope.place.latitude, scope.place.longitude, lat, lon), 2)
    if stems is None:
        stems = frozenset(plan.highlight)
    opening = None
    if schedules:
        minute = now.replace(second=0, microsecond=0)
        opening = _open_statuses.get_or_make(
            (key, minute), lambda: _open_status_at(schedules, minute)
        )
    return Hit(
        *head,
        _highlighted(summary, stems),
        distance,
        scope.covers(docnum),
        *middle,
        round(score, 6),
        opening,
    )
