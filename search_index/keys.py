"""Every match of a request as ranked keys only: for callers that page through the index's
order themselves and read their own rows for the page (the ORUK API).

``match_all`` builds a ``Match`` object per matching document (distance, area flag, score):
at 100,000 services a common word matches 15,000 documents and that alone cost tens of
milliseconds. Here the ranking stays in numpy and the keys are picked from a cached array
of the key column in one indexing step, then de-duplicated in rank order, so the cost is a
few microseconds per match and nothing else grows with the directory.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from itertools import filterfalse
from typing import TYPE_CHECKING, Any, overload

from search_index import ranking
from search_index.api import MAX_RADIUS_KM, SearchRequest

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from whoosh.searching import Searcher

    from search_index.engine import Context

#: Which key a ranked list holds: the service, or the service at a location (area
#: documents, which have none, are left out).
LEVELS = {"service": "service_key", "service_at_location": "sal_key"}


class KeyList(Sequence[str]):
    """Keys as the index holds them (``bytes``), decoded only when read: a page reads
    twenty of fifteen thousand, and decoding them all cost more than the ranking."""

    __slots__ = ("_keys",)

    def __init__(self, keys: list[bytes]) -> None:
        self._keys = keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [key.decode("utf-8") for key in self._keys[index]]
        return self._keys[index].decode("utf-8")

    def only(self, keys: Container[bytes]) -> KeyList:
        """The keys that are in ``keys`` (a set of keys as the index holds them: UTF-8
        ``bytes``), in this list's order, none of them decoded.

        Each key is looked up as it is, its hash worked out already when the ranked keys
        were de-duplicated, so the whole list is filtered in C: decoding 52,000 keys to
        compare them as text cost about 7 ms, this about 1."""
        return KeyList(list(filter(keys.__contains__, self._keys)))

    def without(self, keys: Container[bytes]) -> KeyList:
        """The keys that are not in ``keys``, in this list's order (as :meth:`only`)."""
        return KeyList(list(filterfalse(keys.__contains__, self._keys)))


@dataclass(frozen=True, slots=True)
class RankedKeys:
    """The keys of every match, best (or nearest) first, each once."""

    ids: KeyList
    #: How many documents matched (a service may match at several places).
    documents: int


def rank_keys(
    searcher: Searcher,
    request: SearchRequest,
    context: Context,
    level: str = "service",
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> RankedKeys:
    """The ranked, de-duplicated keys of ``level`` for every document ``request`` selects
    (the same selection and order as ``engine.match_documents``)."""
    from search_index.engine import home_bits, select_documents

    column = LEVELS[level]
    chosen = select_documents(
        searcher, request, context, max_radius_km=max_radius_km, widen=widen,
        time_words=time_words,
    )  # fmt: skip
    view, plan, final = chosen.view, chosen.plan, chosen.final
    scores = None
    if plan.has_text:
        scores = ranking.text_scores(searcher, view, plan, chosen.strict, final)
    docnums, _blended = ranking.rank_arrays(
        view, final, scores, chosen.scope, request.sort, chosen.now, final.bit_count(),
        home_bits(view, context),
    )  # fmt: skip
    unique = dict.fromkeys(view.keys(column)[docnums].tolist())
    unique.pop(b"", None)  # area documents have no service-at-location key
    return RankedKeys(ids=KeyList(list(unique)), documents=len(docnums))


def match_keys(
    request: SearchRequest,
    *,
    level: str = "service",
    index: Any = None,
    session: Session | None = None,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> RankedKeys:
    """``rank_keys`` on the app's store (or ``index``), like ``search_index.match_all``."""
    from search_index.engine import run_guarded

    return run_guarded(
        index,
        session,
        lambda searcher, context: rank_keys(
            searcher, request, context, level, max_radius_km, widen, time_words
        ),
    )
