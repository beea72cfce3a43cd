"""What a search runs with besides the request: its ``Context`` and the caches per searcher.

``build_context`` gathers the vocabulary, the gazetteer, the home point and area and the
relevance features (``Options``, the semantic extra's model) from the database and the app's
config; ``view_for`` gives a searcher's cached ``IndexView`` and ``speller_for`` the spelling
dictionary of an index generation and vocabulary generation. Kept apart from
``search_index.selection`` (which documents a request selects) and ``search_index.results``
(ranking and paging them) because these live longer than one search: made once, then reused
by every search on the same searcher, index and vocabulary. ``search_index.engine`` names
everything here too.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whoosh.searching import Searcher

from directory.config import as_bool
from search_index.bulk import read_spelling
from search_index.lru import LRU
from search_index.query import Options
from search_index.schema import NATIONAL
from search_index.view import IndexView
from search_index.vocabulary import Speller, Vocabulary, load_vocabulary

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

    from directory.places.gazetteer import Gazetteer
    from search_index.semantic import Embedder

# The logger keeps the name it had when this code was in search_index.engine.
log = logging.getLogger("search_index.engine")


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


#: The attribute a searcher's ``IndexView`` is kept in. Not a ``WeakKeyDictionary`` keyed by
#: searcher: the view holds its searcher, so such an entry never went and every searcher (one
#: per edit on a busy site) stayed in memory with its caches, about 7 MB each at 10,000
#: services (the soak's workers grew 14 MB a second). On the searcher, the pair is freed
#: together when the store lets go of the searcher.
VIEW_ATTRIBUTE = "_directory_index_view"
#: Spelling dictionaries: one per index generation and vocabulary generation, the last few.
_spellers: LRU[tuple[str, object], Speller] = LRU(4)
_lock = threading.Lock()


def view_for(searcher: Searcher) -> IndexView:
    """The cached ``IndexView`` of a searcher (made on first use, kept on the searcher)."""
    view = getattr(searcher, VIEW_ATTRIBUTE, None)
    if view is None:
        made = IndexView(searcher)
        with _lock:
            view = getattr(searcher, VIEW_ATTRIBUTE, None)
            if view is None:
                view = made
                setattr(searcher, VIEW_ATTRIBUTE, view)
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
