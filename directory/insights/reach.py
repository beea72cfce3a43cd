"""Who can help people in an area with a need: the offers and public listings "within reach"
of an outcode, for unmet need (people asked, nobody offers or lists) and for searches
against the listings that serve them.

Needs are compared at the top of the need taxonomy (:class:`Needs`): an offer of "Food" covers
a request for "Food banks", and a request mapped to "Debt advice" counts under "Money".

* An **offer** reaches an outcode when it is ACTIVE now and its postcode is in that outcode,
  or the outcode's centre lies within its radius, or its areas name the outcode or the local
  authority the outcode lies in (by ONS code or by name).
* A **listing** reaches an outcode when the public search for that need near the outcode
  finds it (:func:`search_index.match_all`: venues within the default radius for an outcode,
  and services whose service area covers it): exactly what a resident there would be shown.

Both are counted as the directory and the offers stand today, not as they stood when people
asked: a service listed since then counts as covering the area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer, OfferStatus
from directory.places.place import distance_km
from directory.public.guided import plain_label
from directory.public.search_params import TermIndex, load_terms

NOT_KNOWN = ""


@dataclass
class Needs:
    """Term ids rolled up to the top-level need they sit under, and named in everyday words.
    Client-group terms and ids no longer in the taxonomy are dropped."""

    terms: TermIndex

    @classmethod
    def load(cls, session: Session) -> Needs:
        return cls(load_terms(session))

    def top(self, term_id: object) -> str | None:
        if not isinstance(term_id, str):
            return None
        term = self.terms.by_id.get(term_id)
        if term is None:
            return None
        if self.terms.need_taxonomies and term.taxonomy_id not in self.terms.need_taxonomies:
            return None
        chain = self.terms.ancestors(term_id)
        return chain[-1] if chain else term_id

    def tops(self, term_ids: object) -> set[str]:
        if not isinstance(term_ids, list | tuple | set):
            return set()
        return {top for t in list(term_ids)[:100] if (top := self.top(t)) is not None}

    def label(self, term_id: str) -> str:
        if term_id == NOT_KNOWN:
            return "Need not given"
        term = self.terms.by_id.get(term_id)
        return plain_label(term) if term else "Need no longer listed"


@dataclass(frozen=True)
class _Offer:
    needs: frozenset[str]
    outcode: str | None
    point: tuple[float, float] | None
    radius_km: float
    areas: frozenset[str]


@dataclass
class Reach:
    """Counts of offers and listings within reach of (outcode, top-level need), cached for
    one report. ``geo``: the gazetteer (None: only an offer's own outcode counts, and no
    listing can be placed)."""

    session: Session
    needs: Needs
    geo: Any = None
    listings_available: bool = True
    _offers: list[_Offer] | None = None
    _points: dict[str, Any] = field(default_factory=dict)
    _listings: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def _active_offers(self) -> list[_Offer]:
        if self._offers is None:
            rows = self.session.execute(
                select(
                    HelpOffer.needs,
                    HelpOffer.outcode,
                    HelpOffer.latitude,
                    HelpOffer.longitude,
                    HelpOffer.radius_km,
                    HelpOffer.areas,
                ).where(HelpOffer.status == OfferStatus.ACTIVE)
            )
            self._offers = [
                _Offer(
                    frozenset(self.needs.tops(needs)),
                    outcode,
                    (lat, lon) if lat is not None and lon is not None else None,
                    float(radius or 0),
                    frozenset(str(a).strip().lower() for a in (areas or []) if a),
                )
                for needs, outcode, lat, lon, radius, areas in rows
            ]
        return self._offers

    def place(self, outcode: str) -> Any:
        if outcode not in self._points:
            self._points[outcode] = self.geo.outcode(outcode) if self.geo is not None else None
        return self._points[outcode]

    def _area_names(self, place: Any) -> set[str]:
        names = {place.name.lower()}
        if place.la_code:
            names.add(place.la_code.lower())
            authority = self.geo.local_authority(place.la_code)
            if authority is not None:
                names |= {authority.name.lower(), authority.upper_tier_code.lower()}
                names.add(authority.upper_tier_name.lower())
        return names

    def offers(self, outcode: str, need: str) -> int:
        """ACTIVE offers of ``need`` (top-level id) that reach ``outcode``."""
        place = self.place(outcode)
        names = self._area_names(place) if place is not None else {outcode.lower()}
        count = 0
        for offer in self._active_offers():
            if need not in offer.needs:
                continue
            near = (
                place is not None
                and offer.point is not None
                and offer.radius_km > 0
                and distance_km(offer.point, place.point) <= offer.radius_km
            )
            if offer.outcode == outcode or offer.areas & names or near:
                count += 1
        return count

    def listings(self, outcode: str, need: str) -> int | None:
        """Public listings a resident of ``outcode`` finds for ``need``; None when the search
        index or the gazetteer cannot answer (shown as "not known", never as 0)."""
        key = (outcode, need)
        if key not in self._listings:
            self._listings[key] = self._count_listings(outcode, need)
        return self._listings[key]

    def _count_listings(self, outcode: str, need: str) -> int | None:
        if not self.listings_available or self.place(outcode) is None:
            return None
        from search_index import SearchRequest, match_all
        from search_index.store import IndexUnavailable

        try:
            found = match_all(
                SearchRequest(place=outcode, need_ids=(need,)), session=self.session, widen=False
            )
        except (IndexUnavailable, OSError):
            self.listings_available = False
            return None
        if found.place is None:
            return None
        return len({m.service_id for m in found.matches})


def default_gazetteer() -> Any:
    """The app's gazetteer, or None while it is not built."""
    from flask import current_app, has_app_context

    from directory.places.gazetteer import GazetteerError, get_gazetteer

    try:
        path = current_app.config.get("GAZETTEER_PATH") if has_app_context() else None
        return get_gazetteer(path)
    except GazetteerError:
        return None
