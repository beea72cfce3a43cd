"""``match_all`` (every match, unpaged: the ORUK API and matching) on directories shaped like
councils' feeds, where many services have no venue at all."""

from __future__ import annotations

from sqlalchemy import select

from directory.db import db
from directory.models import Service
from search_index import SearchRequest
from search_index.documents import build_memory_index
from search_index.engine import build_context, match_documents
from tests.factories import make_service, make_taxonomy


def test_services_without_any_venue_are_matched_without_error(fresh_app):
    """An index whose every document is an area document has no service-at-location column;
    reading it gave None and every text search through the API answered 500."""
    with fresh_app.app_context():
        session = db.session
        make_taxonomy(session)
        for name in ("Memory Cafe", "Memory Lane History Society"):
            make_service(session, name, places=(), needs=(), client_groups=())
        session.commit()
        index = build_memory_index(session)
        with index.searcher() as searcher:
            found = match_documents(
                searcher, SearchRequest(text="memory"), build_context(session, app=fresh_app)
            )
        ids = set(session.scalars(select(Service.id)))
    assert len(found.matches) == 2
    assert all(m.service_at_location_id is None for m in found.matches)
    assert {m.service_id for m in found.matches} == ids


def test_a_new_site_with_no_listings_searches_without_error(fresh_app):
    from search_index import search

    with fresh_app.app_context():
        make_taxonomy(db.session)
        db.session.commit()
        for request in (
            SearchRequest(text="memory cafe"),
            SearchRequest(text="food", place="CH1 2HJ", free_only=True, open_now=True),
            SearchRequest(),
        ):
            results = search(request)
            assert results.total == 0 and results.hits == []
        assert match_documents_all(SearchRequest(text="memory")) == []


def match_documents_all(request: SearchRequest) -> list:
    from search_index import match_all

    return match_all(request).matches
