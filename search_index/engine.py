"""Running one search on an open index: place, text, filters, facets, ranking, one page.

Everything that decides *which* documents match is done on cached bitsets: the place (cells,
then an exact radius test on the coordinate columns), the words and needs of the query, the
filters and the facet counts. Every match is then scored and ranked with numpy
(``ranking.text_scores``, ``ranking.rank``), and stored fields are read for the page shown.
At 100,000 services a search takes 5 to 15 ms (docs/index-operations.md, "Benchmark").
"""

from __future__ import annotations

import logging
import math
import threading
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

import numpy as np
from whoosh.searching import Searcher

from directory.config import as_bool
from search_index import geo, ranking
from search_index.analysis import clean_text, fold_text, highlight, query_words
from search_index.api import (
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    Hit,
    Match,
    Matches,
    SearchRequest,
    SearchResults,
)
from search_index.bulk import read_spelling
from search_index.facets import build_facets, filter_bits
from search_index.lru import LRU
from search_index.query import Options, TextPlan, build_text_plan
from search_index.schema import NATIONAL, match_bits
from search_index.store import IndexUnavailable
from search_index.view import IndexView
from search_index.vocabulary import Speller, Vocabulary, load_vocabulary
from search_index.when import take_time_words, when_bits

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

    from directory.places.gazetteer import Gazetteer
    from search_index.semantic import Embedder

log = logging.getLogger(__name__)
T = TypeVar("T")
LONDON = ZoneInfo("Europe/London")
#: Below this many results for all the words, fall back to results with some of them.
MIN_AND_RESULTS = 3


@dataclass(slots=True)
class Context:
    """What a search needs besides the index: the vocabulary, the gazetteer, the home area
    (to choose between towns of the same name) and which relevance features are on."""

    vocabulary: Vocabulary
    gazetteer: Gazetteer | None = None
    home: tuple[float, float] | None = None
    options: Options = field(default_factory=Options)
    #: The semantic extra's model, when it is switched on and installed.
    embedder: Embedder | None = None
    #: ONS code of the area the directory serves: with no place given, its help ranks first.
    home_area: str | None = None


def build_context(
    session: Session | None = None,
    *,
    app: Flask | None = None,
    vocabulary: Vocabulary | None = None,
    options: Options | None = None,
    embedder: Embedder | None = None,
) -> Context:
    """A context from the database (vocabulary), the app's config (gazetteer, home area,
    ``SEARCH_SEMANTIC`` for the semantic extra; or pass ``embedder``)."""
    from directory.places.gazetteer import GazetteerError, get_gazetteer

    if vocabulary is None:
        vocabulary = load_vocabulary(session) if session is not None else Vocabulary.build([])
    try:
        gazetteer = get_gazetteer(app.config.get("GAZETTEER_PATH") if app else None)
    except GazetteerError:
        log.warning("search: no gazetteer, so place searches are unavailable")
        gazetteer = None
    home = None
    if app is not None and app.config.get("HOME_LATITUDE") is not None:
        home = (float(app.config["HOME_LATITUDE"]), float(app.config["HOME_LONGITUDE"]))
    if embedder is None and app is not None and as_bool(app.config.get("SEARCH_SEMANTIC")):
        from search_index.semantic import default_embedder

        embedder = default_embedder()
    home_area = (app.config.get("HOME_AREA_CODE") or None) if app is not None else None
    return Context(vocabulary, gazetteer, home, options or Options(), embedder, home_area)


def ignored_message(ignored: list[str]) -> str:
    """ "No listing mentions 'zebra' or 'grooming', so we left them out of the search." """
    words = [f"'{w[:30]}'" for w in dict.fromkeys(ignored)][:5]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    them = "it" if len(words) == 1 else "them"
    return f"No listing mentions {listed}, so we left {them} out of the search."


def home_bits(view: IndexView, context: Context) -> int | None:
    """Documents in or covering the home area (or the whole country), if one is set."""
    if not context.home_area:
        return None
    return view.any_bits("area", {context.home_area.upper(), NATIONAL})


def need_taxonomies(view: IndexView, vocab: Vocabulary) -> frozenset[str]:
    """The taxonomies whose terms listings carry as needs (not client groups): the semantic
    extra matches against their sayings only, which measured better than all terms."""
    return frozenset(
        vocab.terms[t].taxonomy_id or "" for t in view.field_values("need") if t in vocab.terms
    )


_views: WeakKeyDictionary[Searcher, IndexView] = WeakKeyDictionary()
#: Spelling dictionaries: one per index generation and vocabulary generation, the last few.
_spellers: LRU[tuple[str, object], Speller] = LRU(4)
_lock = threading.Lock()


def view_for(searcher: Searcher) -> IndexView:
    """The cached ``IndexView`` of a searcher (made on first use)."""
    view = _views.get(searcher)
    if view is None:
        view = IndexView(searcher)
        with _lock:
            _views[searcher] = view
    return view


def speller_for(view: IndexView, vocab: Vocabulary) -> Speller:
    """The spelling dictionary the index was built with (``search_index.bulk``) plus the
    taxonomy's words: one per index generation (the folder: same-request updates never
    change ``SPELLING``) and vocabulary generation. They used to be keyed by the vocabulary
    object, which was reloaded every minute, so they piled up (3 to 16 of them)."""
    storage = getattr(getattr(view.searcher, "_ix", None), "storage", None)
    generation = vocab.generation or id(vocab)
    key = (str(getattr(storage, "folder", id(view))), generation)
    return _spellers.get_or_make(key, lambda: Speller(read_spelling(storage), vocab.words))


def _clamp(request: SearchRequest) -> tuple[int, int]:
    per_page = request.per_page if isinstance(request.per_page, int) else 20
    page = request.page if isinstance(request.page, int) else 1
    return max(1, page), min(max(1, per_page), MAX_PER_PAGE)


def local_now(request: SearchRequest) -> datetime:
    """``request.now`` in Europe/London (naive times are taken as London time)."""
    now = request.now or datetime.now(LONDON)
    return now.replace(tzinfo=LONDON) if now.tzinfo is None else now.astimezone(LONDON)


def _text_match(
    view: IndexView, plan: TextPlan, scope: geo.GeoScope, wanted: int, widen: bool = True
) -> tuple[int, int, str | None]:
    """(documents matching, documents matching every clause, a message), on bitsets. When
    fewer than ``MIN_AND_RESULTS`` match every clause within the place and filters (and
    ``widen``), the wider query's matches are added (they rank below; see
    ``ranking.text_scores``)."""
    strict = match_bits(plan.and_query, view, scope.bits)
    found = (strict & scope.bits & wanted).bit_count()
    if not widen or plan.or_query is None or found >= MIN_AND_RESULTS:
        return strict, strict, None
    wide = match_bits(plan.or_query, view, scope.bits) | strict
    if (wide & scope.bits & wanted).bit_count() == found:
        return strict, strict, None
    if found:
        return wide, strict, "Also showing related services."
    message = "No services matched everything you asked for, so these are the closest matches."
    return wide, strict, message


def _names_a_listing(view: IndexView, whole: str, rest: str) -> bool:
    """Whether a place name that started the text is part of a listing's name: every real
    word of the whole text is in one listing's names. Only for a leading name ("blacon lunch
    club"), never a postcode or a place after "in"/"near"."""
    words = [w for w in query_words(whole) if not w.soft]
    if not words or not fold_text(whole).rstrip().endswith(fold_text(rest).strip()):
        return False
    bits = view.live
    for word in words:
        bits &= view.term_bits("name", word.stem)
        if not bits:
            return False
    return True


@dataclass(slots=True)
class Selection:
    """Which documents a request selects, before facets, ranking and paging: shared by the
    results page (``run_search``) and callers that want every match (``match_all``)."""

    view: IndexView
    plan: TextPlan
    scope: geo.GeoScope
    answer: geo.PlaceAnswer | None
    filters: dict[str, int]
    #: Documents matching the text and place, before the filters.
    base: int
    #: Documents matching every clause of the text (0 when there is no text).
    strict: int
    #: ``base`` with every filter applied: the results.
    final: int
    now: datetime
    messages: list[str]


def select_documents(
    searcher: Searcher,
    request: SearchRequest,
    context: Context,
    lap: Callable[[str], None] = lambda _name: None,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = True,
) -> Selection:
    """The place, the text plan, the filters and the matching documents of ``request``.
    ``widen=False`` keeps to documents matching every clause of the text, never widening to
    some of them (for the API, whose consumers expect every word to count).
    ``time_words``: "today", "at the weekend", "tuesday evening" in the text become a filter
    on the listings' sessions (``search_index.when``) instead of words to find."""
    now = local_now(request)
    view = view_for(searcher)
    messages: list[str] = []

    text = clean_text(request.text if isinstance(request.text, str) else "")
    when = None
    if time_words:
        text, when = take_time_words(text, now)
    place_text = clean_text(request.place if isinstance(request.place, str) else "", 100)
    if place_text:
        answer: geo.PlaceAnswer | None = geo.resolve_place(
            context.gazetteer, request.place, context.home
        )
    else:
        whole = text
        text, answer = geo.try_place_in_text(context.gazetteer, text, context.home)
        if answer is not None and _names_a_listing(view, whole, text):
            # "Blacon Lunch Club" is a listing's name, not "lunch club" in Blacon: a listing
            # with no venue there would be lost to the place filter.
            text, answer = whole, None
    place = answer.place if answer else None
    radius = geo.radius_for(answer.kind if answer else None, request.radius_km, max_radius_km)
    scope = geo.geo_scope(view, place, radius, answer, request.include_covering)
    lap("place")

    speller = speller_for(view, context.vocabulary) if context.options.typos and text else None
    sayings = None
    if context.embedder is not None and context.options.semantic and text:
        from search_index.semantic import for_vocabulary

        taxonomies = need_taxonomies(view, context.vocabulary)
        sayings = for_vocabulary(context.vocabulary, context.embedder, taxonomies)
    plan = build_text_plan(text, view, context.vocabulary, speller, context.options, sayings)
    lap("plan")

    filters = filter_bits(view, request, now)
    if when is not None and when.filters:
        filters["when"] = when_bits(view, when)
        messages.append(when.message)
    wanted = view.live
    for bits in filters.values():
        wanted &= bits
    base, strict = view.live, 0
    if plan.has_text:
        base, strict, notice = _text_match(view, plan, scope, wanted, widen)
        if notice:
            messages.append(notice)
    if plan.ignored:
        messages.append(ignored_message(plan.ignored))
    base &= scope.bits
    base = geo.drop_duplicate_area_docs(view, base, scope)
    lap("match")
    return Selection(view, plan, scope, answer, filters, base, strict, base & wanted, now, messages)


def run_search(searcher: Searcher, request: SearchRequest, context: Context) -> SearchResults:
    """Run ``request`` on ``searcher`` (see the module docstring for the steps)."""
    started = clock.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round((clock.perf_counter() - started) * 1000 - sum(timings.values()), 3)

    page, per_page = _clamp(request)
    chosen = select_documents(searcher, request, context, lap)
    view, plan, scope, now, final = chosen.view, chosen.plan, chosen.scope, chosen.now, chosen.final
    facets = build_facets(
        view, context.vocabulary, chosen.base, chosen.filters, request, now, context.gazetteer
    )
    lap("facets")

    scores = None
    if plan.has_text:
        scores = ranking.text_scores(searcher, view, plan, chosen.strict, final)
    total = final.bit_count()
    pages = max(1, math.ceil(total / per_page)) if total else 0
    page = min(page, max(pages, 1))
    wanted_top = page * per_page
    extra = ranking.RERANK_EXTRA if plan.pairs and request.sort != "distance" else 0
    home = home_bits(view, context)
    ranked = ranking.rank(view, final, scores, scope, request.sort, now, wanted_top + extra, home)
    rows: dict[int, dict] = {}
    if extra:
        ranked = ranking.rerank_together(searcher, ranked, plan.pairs, rows)
    shown = ranked[(page - 1) * per_page : wanted_top]
    lap("rank")

    shown_ids = np.array(sorted(d for d, _s in shown), dtype=np.int64)
    near = dict(
        zip(shown_ids.tolist(), (~np.isnan(scope.distances(shown_ids))).tolist(), strict=True)
    )
    results = [
        make_hit(rows.get(d) or ranking.stored_row(searcher, d), d, s, scope, plan, now, near[d])
        for d, s in shown
    ]
    lap("hits")
    timings["total"] = round((clock.perf_counter() - started) * 1000, 3)
    answer = chosen.answer
    return SearchResults(
        request=request,
        total=total,
        hits=results,
        facets=facets,
        suggestion=plan.suggestion,
        place=scope.place,
        place_message=answer.message if answer else None,
        place_alternatives=list(answer.alternatives) if answer else [],
        page=page,
        pages=pages,
        messages=chosen.messages,
        timings=timings,
    )


def match_documents(
    searcher: Searcher,
    request: SearchRequest,
    context: Context,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> Matches:
    """Every document ``request`` selects, best first (or nearest first with
    ``sort="distance"``), without facets or stored fields: for callers that page or filter
    the results themselves, such as the ORUK API (whose ``search`` is plain text, so time
    words stay words unless ``time_words``). Keys come from the index's columns."""
    chosen = select_documents(
        searcher,
        request,
        context,
        max_radius_km=max_radius_km,
        widen=widen,
        time_words=time_words,
    )
    view, plan, scope, now, final = chosen.view, chosen.plan, chosen.scope, chosen.now, chosen.final
    scores = None
    if plan.has_text:
        scores = ranking.text_scores(searcher, view, plan, chosen.strict, final)
    ranked = ranking.rank(
        view, final, scores, scope, request.sort, now, final.bit_count(), home_bits(view, context)
    )
    # A segment whose documents are all area documents (services with no venue) has no
    # ``sal_key`` column at all, so its values read as None, not b"".
    service_keys, sal_keys = view.column("service_key"), view.column("sal_key")
    docnums = np.array([docnum for docnum, _score in ranked], dtype=np.int64)
    order = np.argsort(docnums)
    distances = np.empty(len(docnums))
    distances[order] = scope.distances(docnums[order])
    matches = [
        Match(
            service_id=(service_keys[docnum] or b"").decode("utf-8"),
            service_at_location_id=(sal_keys[docnum] or b"").decode("utf-8") or None,
            distance_km=None if math.isnan(km) else km,
            covers_area=scope.covers(docnum),
            score=score,
        )
        for (docnum, score), km in zip(ranked, distances.tolist(), strict=True)
    ]
    answer = chosen.answer
    return Matches(
        matches=matches,
        place=scope.place,
        place_message=answer.message if answer else None,
        suggestion=plan.suggestion,
    )


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


def search_index(
    request: SearchRequest, *, index: Any = None, session: Session | None = None
) -> SearchResults:
    """``search_index.search``: find the searcher and context, then ``run_search``."""
    return run_guarded(
        index, session, lambda searcher, context: run_search(searcher, request, context)
    )


def run_guarded(index: Any, session: Session | None, run: Callable[[Searcher, Context], T]) -> T:
    """``run(searcher, context)`` on ``index`` or, with none, the app's store. On the app's
    store an error is shown to the index's checks first (``IndexSync.search_failed``): when
    its files are damaged the answer is ``IndexRepairing`` (a 503 while it is rebuilt in
    the background), not the error (a 500, and the same again for every search)."""
    searcher, context = _searcher_and_context(index, session)
    if index is not None:
        return run(searcher, context)
    try:
        return run(searcher, context)
    except IndexUnavailable:
        raise
    except Exception as exc:
        from flask import current_app

        from search_index.sync import get_sync

        get_sync(current_app._get_current_object()).search_failed(exc)
        raise


def _searcher_and_context(index: Any, session: Session | None) -> tuple[Searcher, Context]:
    """The searcher (the app's store when no index is given) and the search context."""
    from flask import current_app, has_app_context

    app = current_app._get_current_object() if has_app_context() else None
    if index is None:
        from search_index.store import get_store

        if app is None:
            raise RuntimeError("search() needs an index, or a Flask app context to find one")
        searcher = get_store(app).searcher()
    else:
        searcher = _searcher_for(index)
    if session is None and app is not None:
        from directory.db import db

        session = db.session
    return searcher, build_context(session, app=app)


def match_index(
    request: SearchRequest,
    *,
    index: Any = None,
    session: Session | None = None,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> Matches:
    """``search_index.match_all``: like ``search_index`` but every match, unpaged."""
    return run_guarded(
        index,
        session,
        lambda searcher, context: match_documents(
            searcher, request, context, max_radius_km, widen, time_words
        ),
    )


_local = threading.local()


def _searcher_for(index: Any) -> Searcher:
    """A searcher for a Whoosh index, kept per thread and reopened when the index changed
    (with ``store.reopen``, not ``Searcher.refresh()``, which brings deleted documents back)."""
    if isinstance(index, Searcher):
        return index
    cache: WeakKeyDictionary = getattr(_local, "searchers", None) or WeakKeyDictionary()
    _local.searchers = cache
    searcher = cache.get(index)
    if searcher is None:
        searcher = index.searcher()
    elif not searcher.up_to_date():
        from search_index.store import reopen

        searcher = reopen(searcher)
    cache[index] = searcher
    return searcher
