"""One result row (``Hit``) from a document's stored fields: distance, highlighting, open now.

``make_hit`` is called only for the page shown (``search_index.results.run_search``). The
summary's highlighting and the "Open now until 5pm" text are the costly parts, so both are
kept across searches: the highlighted summary per summary and query words, the open status
per schedules and minute. Kept apart from the selecting and ranking of documents, which never
read stored fields. ``search_index.engine`` names everything here too.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

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


def make_hit(
    row: dict[str, Any],
    docnum: int,
    score: float,
    scope: geo.GeoScope,
    plan: TextPlan,
    now: datetime,
    near: bool | None = None,
) -> Hit:
    """One result row from a document's stored ``row`` (read only for the page shown).
    ``near``: whether it is a venue within the radius (looked up when not given)."""
    lat, lon = row.get("lat"), row.get("lon")
    distance = None
    if near is None:
        near = scope.place is not None and scope.distance_of(docnum) is not None
    if scope.place is not None and lat is not None and near:
        distance = round(geo.geodesic_km(scope.place.latitude, scope.place.longitude, lat, lon), 2)
    checked = row.get("checked")
    return Hit(
        service_id=row.get("service_id", ""),
        service_at_location_id=row.get("sal_id"),
        location_id=row.get("location_id"),
        name=row.get("name", ""),
        organisation_name=row.get("organisation_name", ""),
        organisation_id=row.get("organisation_id"),
        summary_html=_highlighted(row.get("summary", ""), frozenset(plan.highlight)),
        distance_km=distance,
        covers_area=scope.covers(docnum),
        location_name=row.get("location_name"),
        location_kind=row.get("location_kind"),
        postcode=row.get("postcode"),
        latitude=lat,
        longitude=lon,
        delivery_modes=tuple(row.get("modes") or ()),
        is_free=bool(row.get("free")),
        needs=tuple(row.get("needs") or ()),
        last_checked=date.fromisoformat(checked) if checked else None,
        is_demonstration=bool(row.get("demo")),
        score=round(score, 6),
        open_status_text=_open_status_text(row.get("schedules"), now),
    )
