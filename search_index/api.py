"""The search contract: what a caller asks for and what comes back.

Views, the API, the benchmark and the tests all code against these frozen dataclasses rather
than against Whoosh, so the engine underneath can change without touching them. ``search()``
is the one entry point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from directory.places.gazetteer import Place

#: Radius used when the request gives none, by the kind of place typed. A full postcode is a
#: point a resident can walk from; an outcode or a town is the centre of a wider area, so we
#: look a little further to avoid hiding help on the far side of it.
DEFAULT_RADIUS_KM: dict[str, float] = {"postcode": 8.0, "outcode": 10.0, "town": 10.0}
#: Fallback when the kind of place is not one of the above.
FALLBACK_RADIUS_KM = 8.0
#: Requests asking for more are clamped: beyond this a "near you" search means nothing.
MAX_RADIUS_KM = 80.0
MAX_PER_PAGE = 100
SORTS = ("best", "distance")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search as a resident or link worker asked for it.

    ``text`` is the free-text box and ``place`` the "where" box (postcode, outcode or town).
    ``radius_km`` None means the default for the kind of place (see ``DEFAULT_RADIUS_KM``).
    ``open_day`` is 0 for Monday; ``open_time`` alone means "open at that time on any day",
    with ``open_day`` it means "open then". ``open_now`` uses ``now`` (default: the current
    time in Europe/London). ``include_covering`` adds services whose service area covers the
    place but which have no venue nearby (helplines, online, outreach).
    """

    text: str = ""
    place: str = ""
    radius_km: float | None = None
    need_ids: tuple[str, ...] = ()
    client_group_ids: tuple[str, ...] = ()
    age: int | None = None
    free_only: bool = False
    delivery_modes: tuple[str, ...] = ()
    area_codes: tuple[str, ...] = ()
    open_day: int | None = None
    open_time: time | None = None
    open_now: bool = False
    include_covering: bool = True
    sort: str = "best"
    page: int = 1
    per_page: int = 20
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One choice in a facet with how many results it would give alongside the other filters.

    ``depth`` and ``parent_key`` let the need facet be drawn as a tree.
    """

    key: str
    label: str
    count: int
    selected: bool
    depth: int = 0
    parent_key: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One result row: everything a results page shows, read only for the page displayed.

    A service offered at several places gives one hit per place. ``covers_area`` is True for
    a service found because its service area covers the searched place rather than because a
    venue is near it; such hits have ``distance_km`` None rather than a made-up distance.
    ``summary_html`` is already escaped, with ``<mark>`` around matched words.
    """

    service_id: str
    service_at_location_id: str | None
    location_id: str | None
    name: str
    organisation_name: str
    organisation_id: str | None
    summary_html: str
    distance_km: float | None
    covers_area: bool
    location_name: str | None
    location_kind: str | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    delivery_modes: tuple[str, ...]
    is_free: bool
    needs: tuple[str, ...]
    last_checked: date | None
    is_demonstration: bool
    score: float
    open_status_text: str | None


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to a ``SearchRequest``.

    ``suggestion`` is corrected query text for "Did you mean"; ``place_message`` explains in
    plain English why a place was not understood and what to try (with ``place_alternatives``
    to offer as links). ``timings`` are milliseconds per stage, for logs and the benchmark.
    """

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None
    place: Place | None = None
    place_message: str | None = None
    place_alternatives: list[Place] = field(default_factory=list)
    page: int = 1
    pages: int = 0
    messages: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    """One matching document as ``match_all`` gives it: keys, not display fields.

    A service offered at several places matches once per place (``service_at_location_id``)
    and may also match once for the area it covers (``service_at_location_id`` None).
    ``distance_km`` is the flat-earth distance used for the radius test and ranking (within
    0.5% of the geodesic distance up to 80 km), None for area matches.
    """

    service_id: str
    service_at_location_id: str | None
    distance_km: float | None
    covers_area: bool
    score: float


@dataclass(frozen=True, slots=True)
class Matches:
    """Every match of a request, best first, with what was understood of it."""

    matches: list[Match]
    place: Place | None = None
    place_message: str | None = None
    suggestion: str | None = None


def search(
    request: SearchRequest, *, index: Any = None, session: Session | None = None
) -> SearchResults:
    """Run ``request`` and return one page of results with facets.

    With no ``index`` it uses the current Flask app's store (and ``db.session`` when no
    session is given); tests, the CLI and the benchmark pass an open Whoosh index (or a
    searcher) and a session instead. Never raises for anything a user can type; raises
    ``search_index.store.IndexUnavailable`` when there is no usable index, so the page can
    say search is unavailable.
    """
    from search_index.engine import search_index

    return search_index(request, index=index, session=session)


def match_all(
    request: SearchRequest,
    *,
    index: Any = None,
    session: Session | None = None,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> Matches:
    """Every document ``request`` selects, ranked, without paging, facets or display fields.

    For callers that combine the index with filters of their own and page the result
    themselves: the ORUK API (``search``, ``postcode`` + ``proximity``) and matching. The
    request's ``page`` and ``per_page`` are ignored. ``max_radius_km`` lifts the public site's
    radius cap for callers that accept wider radii (the API takes up to 1,000 km).
    ``widen=False`` turns off the public site's fallback to listings matching only some of
    the words when fewer than three match them all. ``time_words=True`` reads "today",
    "at the weekend" or "tuesday evening" in the text as a filter on sessions, as the public
    site does (``search_index.when``).
    """
    from search_index.engine import match_index

    return match_index(
        request,
        index=index,
        session=session,
        max_radius_km=max_radius_km,
        widen=widen,
        time_words=time_words,
    )
