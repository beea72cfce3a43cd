"""A council's listing about domestic abuse carries none of our curated terms: the need
inferred from its own words still gives its page the quick exit."""

from __future__ import annotations

from pathlib import Path

from directory.inference.services import infer_services
from directory.listings.importer import import_path, import_services

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SERVICE_ID = "5d0c7f5e-4b7a-4f57-9a53-0c8f5f8f0a01"


def _import(session, description: str) -> None:
    import_path(session, SEEDS / "taxonomy.json")
    import_services(
        session,
        [
            {
                "id": SERVICE_ID,
                "name": "The Willow Project",
                "status": "active",
                "description": description,
            }
        ],
    )
    infer_services(session, [SERVICE_ID], semantic=False)
    session.commit()


def test_an_inferred_domestic_abuse_need_offers_the_quick_exit(client, session):
    _import(session, "<p>Confidential support for women experiencing domestic abuse.</p>")
    page = client.get(f"/services/{SERVICE_ID}", follow_redirects=True).get_data(as_text=True)
    assert "govuk-exit-this-page" in page


def test_a_listing_about_something_else_has_no_quick_exit(client, session):
    _import(session, "<p>A friendly knitting group that meets on Tuesdays.</p>")
    page = client.get(f"/services/{SERVICE_ID}", follow_redirects=True).get_data(as_text=True)
    assert "govuk-exit-this-page" not in page
