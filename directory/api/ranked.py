"""``search``, and ``postcode`` with ``proximity``, answered by the search index.

The index ranks every public listing the text matches (with the same synonyms, intent phrases
and typo tolerance as the public site) or every venue within the distance, best first; SQL
then keeps those that pass the API's other filters (:mod:`directory.api.filters`), and the
page is cut from that ranked list. So a consumer searching "lonely" gets befriending services
as a resident would, not only listings containing the word.
"""

from __future__ import annotations

from directory.api.errors import Unavailable
from directory.api.filters import MAX_PROXIMITY_METRES, ServiceFilters
from search_index import Matches, SearchRequest, match_all
from search_index.store import IndexUnavailable


def index_matches(filters: ServiceFilters) -> Matches:
    """Every index match for the request's text and distance, best (or nearest) first.

    With a distance and no text the list is nearest first; with text it is by relevance
    blended with distance, as on the public site. Every word must count (directly, through a
    synonym or need, or as a corrected typo): unlike the public site, the API never widens
    to listings matching only some of the words, since it has no way to say it did.

    ``proximity`` may be up to 1,000 km, beyond the public site's 80 km cap. Raises
    ``Unavailable`` (a 503) when there is no usable index, which the store rebuilds on its
    own.
    """
    near = filters.place is not None and filters.proximity is not None
    request = SearchRequest(
        text=filters.search or "",
        place=filters.place.postcode if near and filters.place else "",
        radius_km=filters.proximity / 1000 if near and filters.proximity else None,
        include_covering=False,
        sort="best" if filters.search else "distance",
    )
    try:
        return match_all(request, max_radius_km=MAX_PROXIMITY_METRES / 1000, widen=False)
    except IndexUnavailable:
        raise Unavailable(
            "Searching is not available at the moment; try again in a minute.",
            parameter="search" if filters.search else "proximity",
        ) from None


def ranked_service_ids(matches: Matches) -> list[str]:
    """Service ids in rank order, each once (a service matching at several places counts
    at its best one)."""
    return list(dict.fromkeys(m.service_id for m in matches.matches))


def ranked_service_at_location_ids(matches: Matches) -> list[str]:
    """Service-at-location ids in rank order; area matches (no place) are left out."""
    return list(
        dict.fromkeys(m.service_at_location_id for m in matches.matches if m.service_at_location_id)
    )
