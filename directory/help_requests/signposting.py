"""Self-signposting: the services that match someone's needs near their postcode right now,
shown before they ask anyone to contact them.

One search (:func:`search_index.search`, as the results page runs it) for the confirmed needs
around the postcode, services covering the area included; each service once, at its nearest
place; at most :data:`MAX_SHOWN`. What each row shows (phone, when) comes from the same
builder as My list, so the details match what the person later prints or emails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm import Session

from directory.help_requests.needs import GENERAL_ADVICE
from directory.mylist.services import Entry, build_list
from directory.mylist.session_list import Item
from directory.public import guided
from directory.public.search_params import TermIndex
from search_index import Hit, SearchRequest, search
from search_index.store import IndexUnavailable

MAX_SHOWN = 10


@dataclass
class Suggestion:
    """One service to contact: the search hit (where, how far, what) and the list entry
    (phones, times) for it."""

    hit: Hit
    entry: Entry

    @property
    def anchor(self) -> str:
        return f"service-{self.hit.service_id}"

    @property
    def where(self) -> str:
        return ", ".join(p for p in (self.hit.location_name, self.hit.postcode) if p)


@dataclass
class Signposts:
    suggestions: list[Suggestion] = field(default_factory=list)
    #: The search could not run (no index): the page says so and offers the contact route.
    unavailable: bool = False
    #: The needs searched for were the general advice need, as none could be named.
    general: bool = False
    show_exit: bool = False


def search_needs(terms: TermIndex, needs: list[str]) -> tuple[list[str], bool]:
    """The need ids to search for, and whether they are the general advice fallback."""
    known = [n for n in needs if n in terms.by_id]
    if known:
        return known, False
    general = terms.by_code.get(GENERAL_ADVICE)
    return ([general.id] if general else []), True


def find_signposts(
    session: Session, terms: TermIndex, needs: list[str], postcode: str | None
) -> Signposts:
    """Up to :data:`MAX_SHOWN` public services for ``needs`` near ``postcode``."""
    need_ids, general = search_needs(terms, needs)
    request = SearchRequest(need_ids=tuple(need_ids), place=postcode or "", per_page=MAX_SHOWN * 3)
    try:
        results = search(request, session=session)
    except (IndexUnavailable, OSError):
        current_app.logger.exception("ask for help: the search index is unavailable")
        return Signposts(unavailable=True, general=general)
    hits: list[Hit] = []
    seen: set[str] = set()
    for hit in results.hits:
        if hit.service_id not in seen:
            seen.add(hit.service_id)
            hits.append(hit)
        if len(hits) == MAX_SHOWN:
            break
    listing = build_list(session, [Item(h.service_id, h.name, "") for h in hits])
    entries = {entry.service_id: entry for entry in listing.listed}
    suggestions = [
        Suggestion(hit, entries[hit.service_id]) for hit in hits if hit.service_id in entries
    ]
    safety = guided.urgency_for(terms, needs=needs).safety
    return Signposts(suggestions, general=general, show_exit=safety or listing.show_exit)
