"""Search: the index of public listings and the one entry point, ``search()``.

``search(SearchRequest(text="lonely", place="CH65 0AA"))`` returns ``SearchResults``; see
``search_index.api`` for the contract and docs/search.md for how it works.
"""

from search_index.api import (
    FacetValue,
    Hit,
    Match,
    Matches,
    SearchRequest,
    SearchResults,
    match_all,
    search,
)

__all__ = [
    "FacetValue",
    "Hit",
    "Match",
    "Matches",
    "SearchRequest",
    "SearchResults",
    "match_all",
    "search",
]
