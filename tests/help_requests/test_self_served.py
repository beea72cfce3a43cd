"""Self-signposting: the services that match the need near the postcode, before anyone is
asked to contact the person; My list from there; and "This is what I needed", which records a
visit with no personal data and no request."""

from __future__ import annotations

import re

from sqlalchemy import inspect, select

from directory.db import db
from directory.help_requests.journey import SESSION_KEY
from directory.help_requests.models import HelpRequest, SelfServed
from directory.help_requests.signposting import MAX_SHOWN
from directory.inference.models import InferredTerm
from directory.models import Service
from directory.public.search_params import load_terms
from tests.help_requests.conftest import location, post, text_of, walk


def cards(html: str) -> list[str]:
    body = html.split('class="app-card-list"', 1)[1].split("</ol>", 1)[0]
    return body.split('class="app-card-list__item"')[1:]


def test_services_for_the_need_near_the_postcode_each_with_its_details(app, client):
    html = walk(client, details="I feel lonely and isolated", until="services").get_data(
        as_text=True
    )
    page = text_of(html)
    found = cards(html)
    assert 1 <= len(found) <= MAX_SHOWN
    assert f"{len(found)} services for Feeling lonely or cut off near CH1 2HJ" in page
    ids = re.findall(r'name="service_id" value="([^"]+)"', html)
    assert len(ids) == len(found) == len(set(ids))  # each service once, with its button
    with app.app_context():
        terms = load_terms(db.session)
        loneliness = terms.subtree(["loneliness"])
        for service_id in ids:
            service = db.session.get(Service, service_id)
            needs = {a.taxonomy_term_id for a in service.attributes if a.link_type == "need"}
            needs |= set(  # or inferred from its own words (directory.inference)
                db.session.scalars(
                    select(InferredTerm.taxonomy_term_id).where(
                        InferredTerm.service_id == service_id, InferredTerm.link_type == "need"
                    )
                )
            )
            assert needs & loneliness, service.name
    for card in found:
        assert "Add to my list" in card
        assert re.search(r'href="/services/[^"]+"', card)
    assert any(
        "miles away" in text_of(card) or "Covers your area" in text_of(card) for card in found
    )
    assert any('href="tel:' in card for card in found)
    assert any("Every " in text_of(card) or "Opens" in text_of(card) for card in found)
    assert "This is what I needed" in page and "I still want someone to contact me" in page


def test_a_service_added_to_my_list_from_here_brings_the_person_back(client):
    html = walk(client, until="services").get_data(as_text=True)
    service_id = re.search(r'name="service_id" value="([^"]+)"', html).group(1)
    back = re.search(r'name="next" value="([^"]+)"', html).group(1)
    response = client.post("/my-list/add", data={"service_id": service_id, "next": back})
    assert location(response).startswith("/ask-for-help/services")
    page = client.get("/ask-for-help/services").get_data(as_text=True)
    assert "Remove from my list" in page
    with client.session_transaction() as cookie:
        assert [item[0] for item in cookie["mylist"]] == [service_id]


def test_this_is_what_i_needed_records_a_visit_and_nothing_about_the_person(app, client):
    html = walk(client, details="I can't get to the shops for food", until="services")
    shown = len(cards(html.get_data(as_text=True)))
    response = post(client, "/ask-for-help/self-served")
    assert location(response) == "/ask-for-help/thank-you"
    page = text_of(client.get("/ask-for-help/thank-you").data)
    assert "We are glad you found what you needed" in page and "My list" in page
    with app.app_context():
        assert db.session.query(HelpRequest).count() == 0
        [visit] = db.session.scalars(select(SelfServed)).all()
        terms = load_terms(db.session)
        assert [terms.by_id[n].code for n in visit.needs] == ["food"]
        assert visit.outcode == "CH1"
        assert visit.services_shown == shown
        columns = {c.key for c in inspect(SelfServed).mapper.column_attrs}
        assert columns == {"id", "at", "needs", "outcode", "services_shown"}
    with client.session_transaction() as cookie:
        assert SESSION_KEY not in cookie
    # The answers are gone: a second click records nothing more.
    post(client, "/ask-for-help/self-served")
    with app.app_context():
        assert db.session.query(SelfServed).count() == 1


def test_no_need_named_shows_general_advice(client):
    html = walk(client, details="qwertyuiop", confirm=["none"], until="services")
    page = text_of(html.data)
    assert re.search(r"\d+ services for general advice near CH1 2HJ", page)
    assert "These give general advice" in page
    assert "Chester Community Hub Drop-in" in page


def test_a_place_with_nothing_near_says_so_and_offers_the_contact_route(app, client):
    """A Cornish postcode: the seed directory lists nothing there."""
    html = walk(client, need=["dementia"], details="", postcode="TR18 2AE", until="services")
    page = text_of(html.data)
    assert "We could not find services for Dementia and memory problems near TR18 2AE" in page
    assert "This is what I needed" not in page
    assert "I still want someone to contact me" in page
    assert 'href="/ask-for-help/contact"' in html.get_data(as_text=True)
