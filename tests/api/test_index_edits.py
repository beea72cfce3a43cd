"""API searches after an edit to a listing with no venue (phone or online only).

The edit is written to the live index by the same-request update (Whoosh's own writer), as a
small segment holding only that service's area document. Such a segment has no
service-at-location column, and the engine once read its missing key: every API search whose
matches included the edited service answered 500 until a full rebuild.
"""

from __future__ import annotations

from directory.db import db
from directory.models import Service
from search_index import SearchRequest, match_all, search
from tests.factories import CHESHIRE_WEST, make_service


def _names(client, path: str, **params: object) -> list[str]:
    response = client.get(f"/api{path}", query_string={"per_page": 50, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [item.get("service", item)["name"] for item in response.get_json()["contents"]]


def test_editing_a_phone_or_online_only_service_keeps_api_searches_working(api_app):
    client = api_app.test_client()
    with api_app.app_context():
        areas = (CHESHIRE_WEST,)
        phone = make_service(db.session, "Cheshire Befriending Line", places=(),
                             service_areas=areas, delivery_modes=["phone"])  # fmt: skip
        online = make_service(db.session, "Befriending Online Chat", places=(),
                              service_areas=areas, delivery_modes=["online"])  # fmt: skip
        make_service(db.session, "Hoole Befriending Club", places=("hoole",))
        db.session.commit()
        edited = {phone.id: "Cheshire Befriending Phone Line", online.id: "Befriending Web Chat"}
    # The first search builds the index from the database (one bulk-written segment).
    assert len(_names(client, "/services", search="befriending")) == 3
    for service_id, new_name in edited.items():
        with api_app.app_context():
            db.session.get(Service, service_id).name = new_name
            db.session.commit()  # the same-request update writes an area-only segment
        names = _names(client, "/services", search="befriending")
        assert new_name in names and len(names) == 3
        assert _names(client, "/service_at_locations", search="befriending") == [
            "Hoole Befriending Club"
        ]
        # Postcode searches with and without text, the public page and match_all too.
        assert _names(client, "/services", postcode="CH2 3HH", proximity=20_000)
        assert _names(client, "/services", search="befriending", postcode="CH2 3HH",
                      proximity=20_000) == ["Hoole Befriending Club"]  # fmt: skip
        assert client.get("/search", query_string={"q": "befriending"}).status_code == 200
        with api_app.test_request_context():
            assert new_name in {h.name for h in search(SearchRequest(text="befriending")).hits}
            matches = match_all(SearchRequest(text="befriending")).matches
            assert {m.service_id for m in matches} >= {service_id}
            assert all(m.service_at_location_id is None for m in matches if m.covers_area)
