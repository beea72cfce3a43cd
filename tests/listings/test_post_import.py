"""After an import: needs are inferred for listings that carry none, duplicates within the
feed and against the directory are flagged (and search shows one card for them), and place
names in the feed's addresses resolve at once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from directory.db import db
from directory.inference.models import InferredTerm
from directory.listings.duplicates.models import DuplicateFlag
from directory.listings.feed_import import ImportOptions, run_import
from directory.places.gazetteer import get_gazetteer
from directory.places.listing_places import load_entries
from search_index.api import SearchRequest, match_all
from search_index.sync import get_sync
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _service(ident: str, name: str, description: str, **extra) -> dict:
    return {"id": ident, "name": name, "description": description, "status": "active", **extra}


def _venue(ident: str, line: str, town: str, postcode: str) -> dict:
    return {
        "id": f"{ident}-sal",
        "location": {
            "id": f"{ident}-loc",
            "name": "Village Hall",
            "addresses": [
                {
                    "id": f"{ident}-addr",
                    "address_1": "1 Heath Road",
                    "address_2": line,
                    "city": town,
                    "postal_code": postcode,
                    "country": "GB",
                }
            ],
        },
    }


FEED = [
    _service("101", "Forget Me Not Cafe", "<p>A friendly <b>memory cafe</b> for people living "
             "with dementia and the people who care for them.</p>",
             service_at_locations=[_venue("101", "Upton", "Chester", "CH2 1EE")],
             contacts=[{"id": "c101", "phones": [{"id": "p101", "number": "01632 960123"}]}]),
    _service("102", "Forget-Me-Not Café (Upton)", "Memory cafe in Upton, monthly.",
             service_at_locations=[_venue("102", "Upton", "Chester", "CH2 1EE")],
             contacts=[{"id": "c102", "phones": [{"id": "p102", "number": "(01632) 960 123"}]}]),
    _service("103", "Tuesday Knit and Natter", "Knitting and a natter over tea.",
             service_at_locations=[_venue("103", "Upton", "Chester", "CH2 1EE")]),
]  # fmt: skip


def test_an_import_infers_needs_flags_duplicates_and_learns_place_names(
    feed_app,
    tmp_path,
    import_gazetteer,  # noqa: F811
):
    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(FEED))
    with feed_app.app_context():
        session = db.session
        run_import(session, str(SEEDS / "taxonomy.json"), ImportOptions())
        get_sync(feed_app).ready_store()
        report = run_import(session, str(feed), ImportOptions(feed="council"))
        inferred = session.scalars(select(InferredTerm)).all()
        flags = session.scalars(select(DuplicateFlag)).all()
        places = {entry.place.name for entry in load_entries(session)}
        found = match_all(SearchRequest(text="dementia")).matches
        gazetteer = get_gazetteer(import_gazetteer)
        lines = report.lines()
    assert report.inferred and any("inferred" in line.lower() for line in report.inferred)
    assert {row.service_id for row in inferred} >= {m.service_id for m in found}
    assert len(flags) == 1 and report.duplicates
    assert any("possible duplicate" in line for line in lines)
    assert "Upton" in places
    assert gazetteer is not None
    # The two cafés are one real service: search shows one of them.
    assert len({m.service_id for m in found}) == 1
