"""What the results page shows, worked out in Python so templates only lay it out: rows,
heading, messages, filters, paging, the map's points and, when nothing was found, what to try
instead. (The home page's panels are in :mod:`directory.public.home_page`.)

Builders take a ``Session`` and the cleaned :class:`SearchParams` and call
:func:`search_index.search`; they run inside a request (they build links with ``url_for`` and
read the home area from the app's config).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, request, url_for
from sqlalchemy.orm import Session

from directory.models import LocationKind
from directory.public import guided
from directory.public.home_page import NearbyPlace, gazetteer, home_location, nearest_place
from directory.public.pages import STALE_AFTER, london_now
from directory.public.search_forms import FilterGroup, filter_groups
from directory.public.search_params import (
    KM_PER_MILE,
    SearchParams,
    TermIndex,
    page_links,
    term_ids,
    to_request,
)
from directory.public.timing import measure
from directory.public.views import listing_slug
from search_index import Hit, SearchRequest, SearchResults, search
from search_index.api import DEFAULT_RADIUS_KM, FALLBACK_RADIUS_KM
from search_index.lru import LRU
from search_index.vocabulary import Vocabulary, load_vocabulary

#: Radii offered when a search near a place finds little: miles, as people in the UK think.
WIDER_MILES = (5, 10, 20, 40)
MODE_WORDS = {"in_person": "in person", "phone": "by phone", "online": "online"}


def km_to_miles_text(km: float | None) -> str:
    """``0.4 miles away``, ``1 mile away``, ``12 miles away``: distances as UK readers expect."""
    if km is None:
        return ""
    miles = km / KM_PER_MILE
    if miles < 0.1:
        return "Less than 0.1 miles away"
    shown = f"{miles:.1f}".removesuffix(".0") if miles < 10 else str(round(miles))
    return f"{shown} {'mile' if shown == '1' else 'miles'} away"


@dataclass
class ResultRow:
    """``stale``: not checked for over a year, said in the list as on the service page, so a
    link worker does not hand over an old number without checking it."""

    hit: Hit
    url: str
    distance: str
    place: str
    modes: str
    stale: bool = False

    @property
    def card_key(self) -> tuple:
        """Every value the result card above its button shows (templates/search/result.html
        keeps the card rendered under this key): an edit to any of them renders it anew."""
        hit = self.hit
        return (
            hit.service_id,
            hit.location_id,
            self.url,
            hit.name,
            hit.organisation_name,
            hit.is_demonstration,
            hit.is_free,
            hit.summary_html,
            self.distance,
            self.place,
            hit.open_status_text,
            self.modes,
            hit.last_checked,
            self.stale,
        )

    @property
    def anchor(self) -> str:
        """The result's id on the page, one per service and place (a service held at two
        places is two results), so "Add to my list" can bring the visitor back to it."""
        return f"result-{self.hit.service_id}-{self.hit.location_id or 'area'}"


@dataclass
class ResultsPage:
    params: SearchParams
    results: SearchResults
    rows: list[ResultRow]
    heading: str
    urgency: guided.Urgency
    filters: list[FilterGroup] = field(default_factory=list)
    chosen: list[tuple[str, str]] = field(default_factory=list)
    pagination: dict | None = None
    place_name: str | None = None
    suggestion_url: str | None = None
    alternatives: list[tuple[str, str | None]] = field(default_factory=list)
    sort_links: list[tuple[str, str, bool]] = field(default_factory=list)
    wider: list[tuple[int, str]] = field(default_factory=list)
    map_points: list[dict] = field(default_factory=list)
    remote: list[ResultRow] = field(default_factory=list)
    lets_talk: NearbyPlace | None = None


def build_results_page(session: Session, params: SearchParams, terms: TermIndex) -> ResultsPage:
    """Run the search and work out everything the results (or zero results) page shows."""
    vocab = load_vocabulary(session)
    with measure("search"):
        results = search(to_request(params, terms), session=session)
    urgency = guided.urgency_for(
        terms, text=params.q, needs=params.needs, urgent=params.urgent, vocab=vocab
    )
    place_name = results.place.name if results.place else None
    if place_name is None and params.areas:
        place_name = area_name(params.areas[0], vocab)
    page = ResultsPage(
        params=params,
        results=results,
        rows=[_row(hit) for hit in results.hits],
        heading=_heading(params, results, terms, place_name),
        urgency=urgency,
        filters=filter_groups(results, params, terms),
        chosen=_chosen(params, terms),
        pagination=page_links(params, results.page, results.pages, url_for("public.search")),
        place_name=place_name,
    )
    if results.suggestion:
        page.suggestion_url = url_for("public.search") + params.query(q=results.suggestion)
    page.alternatives = _alternatives(params, results)
    if results.place is not None:
        page.sort_links = [
            (label, url_for("public.search") + params.query(sort=key), params.sort == key)
            for key, label in (("best", "Best match"), ("distance", "Nearest first"))
        ]
        page.wider = _wider(params, results)
    page.map_points = [
        {"lat": r.hit.latitude, "lng": r.hit.longitude, "name": r.hit.name, "url": r.url}
        for r in page.rows
        if r.hit.latitude is not None and r.hit.longitude is not None
    ]
    if not results.total:
        if results.place or params.areas or params.needs:
            page.remote = _remote_rows(session, params, terms, results.place is not None)
        point = results.place.point if results.place else home_location()
        page.lets_talk = nearest_place(session, point, LocationKind.LETS_TALK)
    return page


#: Service page addresses by (script root, service id, name): making the readable part of
#: the address (python-slugify) and building the URL took a fifth of a millisecond per row.
_SERVICE_URLS: LRU[tuple[str, str, str], str] = LRU(20_000)


def service_url_of(hit: Hit) -> str:
    """The address of the service page of a result (the name is in the key: a renamed listing
    gets its new address on the next page)."""
    key = (request.script_root, hit.service_id, hit.name)
    return _SERVICE_URLS.get_or_make(
        key,
        lambda: url_for("public.service", service_id=hit.service_id, slug=listing_slug(hit.name)),
    )


def _row(hit: Hit) -> ResultRow:
    if hit.distance_km is not None:
        distance = km_to_miles_text(hit.distance_km)
    else:
        distance = "Covers your area" if hit.covers_area else ""
    modes = [MODE_WORDS[m] for m in MODE_WORDS if m in hit.delivery_modes]
    modes_text = ", ".join(modes)
    return ResultRow(
        hit=hit,
        url=service_url_of(hit),
        distance=distance,
        place=", ".join(p for p in (hit.location_name, hit.postcode) if p),
        modes=modes_text[:1].upper() + modes_text[1:],
        stale=hit.last_checked is not None and london_now().date() - hit.last_checked > STALE_AFTER,
    )


def _heading(
    params: SearchParams, results: SearchResults, terms: TermIndex, place_name: str | None
) -> str:
    """``14 results for 'food' near Chester``: the count first, so a screen reader user
    hears it as soon as the page's heading is read."""
    total = results.total
    text = "No results" if not total else f"{total:,} {'result' if total == 1 else 'results'}"
    if params.q:
        text += f" for \u2018{params.q}\u2019"
    elif params.needs:
        labels = [_plain_label(terms, term_id) for term_id in term_ids(params.needs, terms)]
        if labels:
            text += " for " + (", ".join(labels[:-1]) + " and " if len(labels) > 1 else "")
            text += labels[-1]
    if results.place is not None:
        text += f" near {place_name}"
    elif place_name:
        text += f" in {place_name}"
    return text


def _plain_label(terms: TermIndex, term_id: str) -> str:
    """A need in the everyday words the filters and the guided questions use, so the heading
    says "Money, debt and benefits" where the person chose "Money, debt and benefits"."""
    term = terms.by_id.get(term_id)
    return guided.plain_label(term) if term else terms.label(term_id)


def _chosen(params: SearchParams, terms: TermIndex) -> list[tuple[str, str]]:
    """Each filter in use, with a link to the same search without it."""
    base = url_for("public.search")
    out = []
    for name, values in (("needs", params.needs), ("groups", params.groups)):
        for value in values:
            if (term := terms.find(value)) is not None:
                rest = tuple(v for v in values if v != value)
                out.append((guided.plain_label(term), base + params.query(**{name: rest})))
    for value in params.areas:
        rest = tuple(v for v in params.areas if v != value)
        out.append((area_name(value, None) or value, base + params.query(areas=rest)))
    if params.age:
        out.append((guided.age_label(params.age), base + params.query(age="")))
    if params.free:
        out.append(("Free", base + params.query(free=False)))
    for mode in params.modes:
        rest = tuple(m for m in params.modes if m != mode)
        out.append((MODE_WORDS[mode].capitalize(), base + params.query(modes=rest)))
    if params.open_now:
        out.append(("Open now", base + params.query(open_now=False)))
    if params.day:
        out.append((f"Open on {params.day.capitalize()}", base + params.query(day="")))
    return out


def _alternatives(params: SearchParams, results: SearchResults) -> list[tuple[str, str | None]]:
    """Other places the person may have meant, as links: by name when the name alone finds
    that place ("Chester"), else by name and area ("Newport, Isle of Wight", "Ellesmere,
    Shropshire" beside Ellesmere Port), which the resolver understands."""
    geo = gazetteer()
    shown = results.place.name if results.place else None
    out: list[tuple[str, str | None]] = []
    for place in results.place_alternatives[:5]:
        label = geo.describe(place) if geo else place.name
        by_name = geo.town(place.name, home_location())[:1] if geo else []
        where = place.name if by_name == [place] else label
        url = url_for("public.search") + params.query(where=where) if where != shown else None
        if (label, url) not in out:
            out.append((label, url))
    return out


def _wider(params: SearchParams, results: SearchResults) -> list[tuple[int, str]]:
    kind = results.place.kind if results.place else None
    current = params.radius or DEFAULT_RADIUS_KM.get(kind or "", FALLBACK_RADIUS_KM) / KM_PER_MILE
    return [
        (miles, url_for("public.search") + params.query(radius=miles))
        for miles in WIDER_MILES
        if miles > current + 0.5
    ][:3]


def _remote_rows(
    session: Session, params: SearchParams, terms: TermIndex, has_place: bool
) -> list[ResultRow]:
    """For a search that found nothing: phone and online services that cover the place (or
    the areas chosen), for the same needs: first with the same words, then without them.

    Dropping the words is only done when needs keep the answer on the subject: "zebra
    grooming" near Chester would otherwise offer a grief line and dial-a-ride under a heading
    that reads as if they were help with it."""
    base = to_request(params, terms, per_page=5)
    texts = [params.q] if params.q else []
    if params.needs or not params.q:
        texts.append("")
    for text in texts:
        request_ = SearchRequest(
            text=text,
            place=base.place,
            need_ids=base.need_ids,
            area_codes=base.area_codes,
            delivery_modes=("phone", "online"),
            per_page=5,
        )
        with measure("search"):
            found = search(request_, session=session)
        hits = [h for h in found.hits if (h.covers_area if has_place else h.location_id is None)]
        if hits:
            return [_row(hit) for hit in hits]
    return []


def home_area_code(vocab: Vocabulary) -> str | None:
    """The ONS code of the home area: ``HOME_AREA_CODE`` if set, else the local authority
    whose name is ``HOME_AREA_NAME`` among the service areas listings use."""
    config = current_app.config
    if config.get("HOME_AREA_CODE"):
        return str(config["HOME_AREA_CODE"]).upper()
    wanted = str(config.get("HOME_AREA_NAME") or "").strip().lower()
    for code, name in sorted(vocab.area_names.items()):
        if name.strip().lower() == wanted:
            return code
    return None


def area_name(code: str, vocab: Vocabulary | None) -> str | None:
    geo = gazetteer()
    authority = geo.local_authority(code) if geo else None
    if authority is not None:
        return authority.name
    return vocab.area_names.get(code) if vocab else None
