"""Which documents a request selects: the place, the text plan, the filters, on bitsets.

``select_documents`` resolves the place (the ``place`` field, or one taken out of the text:
a postcode, "in Blacon", a leading "Blacon ...", unless the whole text names a listing),
turns time words into a filter on sessions (``search_index.when``), builds the text plan
(words, needs, spelling, the semantic extra; ``search_index.query``) and intersects the
cached bitsets of the place, the words and the filters. It is shared by the results page
(``search_index.results.run_search``), every match (``match_documents``) and the API's keys
(``search_index.keys``); scoring, ranking, facets and stored fields come after, elsewhere.
``search_index.engine`` names everything here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from whoosh.searching import Searcher

from search_index import geo
from search_index.analysis import clean_text, fold_text, query_words
from search_index.api import MAX_RADIUS_KM, SearchRequest
from search_index.context import Context, need_taxonomies, speller_for, view_for
from search_index.facets import filter_bits
from search_index.query import TextPlan, build_text_plan
from search_index.schema import match_bits
from search_index.view import IndexView
from search_index.when import take_time_words, when_bits

LONDON = ZoneInfo("Europe/London")
#: Below this many results for all the words, fall back to results with some of them.
MIN_AND_RESULTS = 3


def ignored_message(ignored: list[str]) -> str:
    """ "No listing mentions 'zebra' or 'grooming', so we left them out of the search." """
    words = [f"'{w[:30]}'" for w in dict.fromkeys(ignored)][:5]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    them = "it" if len(words) == 1 else "them"
    return f"No listing mentions {listed}, so we left {them} out of the search."


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
