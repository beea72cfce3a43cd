"""``search``, and ``postcode`` with ``proximity``, answered by the search index.

The index ranks every public listing the text matches (with the same synonyms, intent phrases
and typo tolerance as the public site) or every venue within the distance, best first. So a
consumer searching "lonely" gets befriending services as a resident would, not only listings
containing the word.

The cost of a request grows with its answer, never with the directory. The index holds
public listings only, so with no other filter its ranked list *is* the answer: the total is
its length and SQL reads the page's rows alone (``id IN (<the page's ids>)``, with the public
rule, so a listing hidden a moment ago and not yet out of this process's index is skipped).
The API's other filters (organisation, taxonomy, ages, schedules, modified dates, service
areas) have no exact twin in the index (its need fields hold inferred needs and only two
taxonomies, its ages are whole years, rounded, while the API compares the stored numbers), so
SQL answers them, on whichever side is smaller:

* A taxonomy filter is read from its own side first (:func:`narrowed`): the ids linked to
  the term or its descendants, in one query answered from the attribute table's
  ``(taxonomy_term_id, link_entity, link_id)`` index alone, asked for at most one more than
  the ranked list holds. If they are no more, the ranked list keeps those alone, in its
  order, and the filter is answered: with no other filter the total is that list's length
  and only the page is checked, as above. If the term's services outnumber the matches, the
  list is walked as below, having read at most as many rows again.
* Ages are read from their own side next, the other way round: the ids the ages rule out
  (``directory.api.filters.age_side``: an exact complement of the SQL filter, from the
  partial ``(minimum_age, id)`` and ``(maximum_age, id)`` indexes alone), counted first and
  read only if they are at most ``AGE_REACH`` times the ranked ids
  (``directory.api.queries``); the ranked list drops them.
* Any other filter (and a side that was the larger) is checked by SQL on page-sized chunks
  of the ranked ids, walking down the list until the page is full, then counting the rest
  of the list in larger chunks (one row each). So a common word with a schedule filter
  still reads a row for every match.

Either way the page and the total are the same (tests/api/test_filter_side.py). docs/api.md,
"Search and proximity".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from directory.api.errors import Unavailable
from directory.api.filters import MAX_PROXIMITY_METRES, ServiceFilters
from search_index import SearchRequest
from search_index.keys import KeyList, match_keys
from search_index.store import IndexRepairing, IndexUnavailable

#: Ranked ids counted per SQL query once the page is full (one row per query). With 1,000,
#: PostgreSQL (default costs) planned a scan of the whole service table for a chunk with a
#: taxonomy filter at 100,000 services (40 ms for 1,000 ids; 500 take about 9 ms by index).
COUNT_CHUNK = 500
#: The fewest ranked ids checked per SQL query while filling a page.
MIN_CHUNK = 20


def among(session: Session, column: Any, ids: Sequence[str]) -> ColumnElement[bool]:
    """``column IN (ids)``; on PostgreSQL ``column = ANY(<one array parameter>)``.

    An ``IN`` list is one bind parameter per id, and on PostgreSQL each costs the client a
    ``::VARCHAR`` cast rendered by SQLAlchemy and a placeholder parsed by psycopg: about
    3 ms of CPU for 1,000 ids, most of a filtered search's client time. As one array the
    statement is the same whatever the number of ids, so it is compiled once and psycopg
    prepares it once. SQLite has no arrays and no such cost."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(column.type)))
    return column.in_(ids)


def ranked_ids(filters: ServiceFilters, level: str) -> Sequence[str]:
    """Every public service (``level="service"``) or service at a location
    (``"service_at_location"``; area matches left out) the index matches for the request's
    text and distance, best (or nearest) first, each once.

    With a distance and no text the list is nearest first; with text it is by relevance
    blended with distance, as on the public site. Every word must count (directly, through a
    synonym or need, or as a corrected typo): unlike the public site, the API never widens
    to listings matching only some of the words, since it has no way to say it did.

    ``proximity`` may be up to 1,000 km, beyond the public site's 80 km cap. Raises
    ``Unavailable`` (a 503, with ``Retry-After`` while the index is being repaired in the
    background) when there is no usable index.
    """
    near = filters.place is not None and filters.proximity is not None
    request = SearchRequest(
        text=filters.search or "",
        place=filters.place.postcode if near and filters.place else "",
        radius_km=filters.proximity / 1000 if near and filters.proximity else None,
        include_covering=False,
        sort="best" if filters.search else "distance",
    )
    parameter = "search" if filters.search else "proximity"
    try:
        keys = match_keys(
            request, level=level, max_radius_km=MAX_PROXIMITY_METRES / 1000, widen=False
        )
    except IndexRepairing as exc:
        raise Unavailable(
            "Searching is being repaired; try again in a minute.",
            parameter=parameter,
            retry_after=exc.retry_after,
        ) from None
    except IndexUnavailable:
        raise Unavailable(
            "Searching is not available at the moment; try again in a minute.",
            parameter=parameter,
        ) from None
    return keys.ids


def narrowed(
    session: Session,
    ranked: Sequence[str],
    side: Select | CompoundSelect,
    *,
    keep: bool = True,
    reach: int = 1,
) -> Sequence[str] | None:
    """``ranked`` (the index's order kept) without the ids ``side`` does not select
    (``keep``), or without those it selects (``keep=False``), when ``side`` selects no more
    than ``reach`` times as many ids as ``ranked`` holds; ``None`` when it selects more.

    ``side`` is one filter read from its own side (``directory.api.filters.taxonomy_side``:
    the ids a term keeps; ``age_side``: the ids the ages rule out), asked for at most
    ``reach * len(ranked) + 1`` ids: so the query reads no more rows than the smaller of the
    two sides (times ``reach``), and when the filter is the larger side the ranked list is
    walked as before. With ``reach`` above 1 the side's ids are counted first, in the
    database (from an index alone, a tenth of a microsecond each), so a side found too
    large costs the count alone. The ids come as one string (:func:`side_keys`) and the
    ranked keys are compared with them undecoded (``search_index.keys.KeyList.only``)."""
    if not ranked:
        return None
    limit = reach * len(ranked) + 1
    bounded = side.limit(limit)
    if reach > 1:
        counted = select(func.count()).select_from(bounded.subquery())
        if (session.scalar(counted) or 0) >= limit:
            return None
    found = side_keys(session, bounded)
    if len(found) >= limit:  # an id may come twice
        return None
    keys = set(found)
    if isinstance(ranked, KeyList):
        return ranked.only(keys) if keep else ranked.without(keys)
    return [record_id for record_id in ranked if (record_id.encode() in keys) == keep]


#: Joins the ids of :func:`side_keys`; ids are UUIDs, and one holding it is read by rows.
SEPARATOR = ","


def side_keys(session: Session, query: Select | CompoundSelect) -> list[bytes]:
    """The ids ``query`` selects (its first column), UTF-8 encoded, in a list.

    They come as one string joined by the database (``string_agg``, SQLite's
    ``group_concat``) with their count, and are split here: for 50,000 ids that cost the app
    13 ms of CPU, against 39 ms for 50,000 rows (each a row object, then a string to encode).
    If the parts are not as many as the ids (an id holding the separator), the ids are read
    again as rows."""
    selected = query.subquery()
    column = next(iter(selected.c))
    postgresql = session.get_bind().dialect.name == "postgresql"
    joined = (func.string_agg if postgresql else func.group_concat)(column, literal(SEPARATOR))
    count, text = session.execute(select(func.count(), joined).select_from(selected)).one()
    parts = text.encode("utf-8").split(SEPARATOR.encode()) if text is not None else []
    if len(parts) == count:
        return parts
    return [record_id.encode("utf-8") for record_id in session.scalars(query)]


@dataclass(frozen=True)
class RankedSlice:
    """The ids of one page, in the index's order, and how many ids pass in all."""

    ids: list[str]
    total: int
    #: The page's rows by id, when ``allowed`` selects rows rather than ids (empty if not).
    rows: dict[str, Any] = field(default_factory=dict)


def ranked_slice(
    session: Session,
    ranked: Sequence[str],
    allowed: Callable[[list[str]], Select],
    *,
    counted: Callable[[list[str]], Select] | None = None,
    exact: bool,
    offset: int,
    limit: int,
) -> RankedSlice:
    """The ids of ``ranked[offset:offset + limit]`` once the filters are applied, reading
    rows of those ids only. ``allowed(ids)`` selects those of ``ids`` that the public rule
    and every SQL filter allow: their ids, or (``exact`` False) their rows, which come back
    in ``rows`` so that the page is read by the query that checks it.

    ``exact`` False: ``allowed`` is the public rule alone, which the index already applies,
    so the index's list is trusted for the total and for everything before the page; only
    the page's ids are checked (and replaced from further down the list if the index was a
    moment behind). ``exact`` True: filters the index cannot apply, so the list is walked
    from the top in page-sized chunks until the page is full, and the rest counted with
    ``counted(ids)`` (the SQL filters without the public rule, which the index applies:
    a third of the work per id).
    """

    def passing(ids: list[str]) -> dict[str, Any]:
        found = session.scalars(allowed(ids)) if ids else ()
        return {row if isinstance(row, str) else row.id: row for row in found}

    if not exact:
        page, dropped, position, rows = [], 0, offset, {}
        while len(page) < limit and position < len(ranked):
            candidates = ranked[position : position + limit - len(page)]
            position += len(candidates)
            ok = passing(candidates)
            for record_id in candidates:
                if record_id in ok:
                    page.append(record_id)
                    rows[record_id] = ok[record_id]
                else:
                    dropped += 1
        return RankedSlice(page, len(ranked) - dropped, rows)
    kept: list[str] = []
    position = 0
    chunk = max(limit, MIN_CHUNK)
    while len(kept) < offset + limit and position < len(ranked):
        candidates = ranked[position : position + chunk]
        position += len(candidates)
        ok = passing(candidates)
        kept.extend(record_id for record_id in candidates if record_id in ok)
        chunk = min(2 * chunk, COUNT_CHUNK)  # few pass: take bigger steps down the list
    total = len(kept)
    for start in range(position, len(ranked), COUNT_CHUNK):
        part = (counted or allowed)(ranked[start : start + COUNT_CHUNK]).subquery()
        total += session.scalar(select(func.count()).select_from(part)) or 0
    return RankedSlice(kept[offset : offset + limit], total)
