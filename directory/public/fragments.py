"""Rendered pieces of pages kept for reuse, keyed by everything they are made from.

A results page renders twenty result cards, a header and a footer that are mostly the same
from one page to the next; rendering them through Jinja macros was most of a page's CPU
(docs/search-pages.md, "Throughput"). Templates wrap such a piece in a call block::

    {% call fragment("card", *row.card_key) %} ...markup... {% endcall %}

The first page renders the body and keeps it; later pages with the same key get the kept
markup. **The key is the content**: every value the body reads (for a card: the listing's
name, organisation, summary as highlighted, distance, place, open status, last checked date,
and the site's language), never just an id. So an edit to a listing, a new index generation
or another language gives a new key and a freshly rendered piece on the next page, with no
invalidation to get wrong; pieces no page asks for any more age out of the bounded cache.
Anything that belongs to one visitor (the CSRF token, what is on their list) stays outside
the fragments.

One cache per app (:data:`DEFAULT_SIZE` pieces, least recently used dropped first), so each
gunicorn worker keeps its own. The site has one language; were another added, it would join
the keys of every piece that holds words.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Blueprint, Flask
from markupsafe import Markup

from search_index.lru import LRU

#: Pieces kept per process: twenty cards a page, a few thousand distinct listings in use.
#: A card is about 1.5 kB, so 4,000 pieces are about 6 MB per worker.
DEFAULT_SIZE = 4000


class FragmentCache:
    """Rendered markup by key, at most ``size`` pieces. Called from templates as a call
    block: ``caller`` renders the body when the key is not kept."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.pieces: LRU[tuple[Hashable, ...], Markup] = LRU(size)
        self.hits = 0
        self.misses = 0

    def __call__(self, *key: Hashable, caller: Callable[[], str]) -> Markup:
        found = self.pieces.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        made = Markup(caller())
        self.pieces.put(key, made)
        return made

    def __len__(self) -> int:
        return len(self.pieces)


def install(bp: Blueprint) -> None:
    """Give every template of the app the blueprint is registered on a ``fragment`` global
    backed by one :class:`FragmentCache` (also at ``app.extensions["fragments"]``)."""

    def register(state) -> None:  # type: ignore[no-untyped-def]
        app: Flask = state.app
        cache = FragmentCache()
        app.extensions["fragments"] = cache
        app.jinja_env.globals["fragment"] = cache

    bp.record_once(register)
