"""Organisation, place, list and information pages over realistic listings."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from html import unescape

import pytest

from directory.listings.opening import LONDON
from directory.models import ListingStatus
from tests.public.conftest import PublicData, page


class TestOrganisationPage:
    def test_lists_public_services_only(self, client, data: PublicData):
        org = data.service("Blacon Food Bank").organization
        text = page(client, f"/organisations/{org.id}")
        assert org.name in text
        assert "Blacon Friendship Café" in text
        assert "Chester Befriending Scheme 10" in text
        for hidden in data.directory.hidden.values():
            assert hidden.name not in text

    def test_slug_redirect_and_404s(self, client, data: PublicData):
        org = data.service("Blacon Food Bank").organization
        response = client.get(f"/organisations/{org.id}/wrong")
        assert response.status_code == 301
        assert response.headers["Location"].endswith(
            f"/organisations/{org.id}/cheshire-community-action"
        )
        assert client.get(f"/organisations/{uuid.uuid4()}").status_code == 404
        assert client.get("/organisations/xyz").status_code == 404


class TestPlacePages:
    def test_place_shows_services_sessions_and_how_to_get_there(self, client, data: PublicData):
        service = data.service("Blacon Friendship Café")
        location = service.service_at_locations[0].location
        text = page(client, f"/places/{location.id}")
        assert "Community hub" in text
        assert "What happens here" in text
        assert "Blacon Friendship Café" in text
        assert "Western Avenue" in text and "CH1 5BE" in text
        today = datetime.now(LONDON).date()
        upcoming = [today + timedelta(days=n) for n in range(14)]
        next_monday = today + timedelta(days=7 - today.weekday())
        tuesdays = [d for d in upcoming if d.weekday() == 1 and d < next_monday + timedelta(7)]
        for tuesday in tuesdays:
            if tuesday == today and datetime.now(LONDON).hour >= 12:
                continue
            assert f"Tuesday {tuesday.day} {tuesday:%B}" in text
        assert "Sessions this week" in text and "Sessions next week" in text

    def test_venue_without_public_service_is_404(self, client, data: PublicData):
        hidden = data.directory.hidden[ListingStatus.DRAFT]
        location = hidden.service_at_locations[0].location
        assert client.get(f"/places/{location.id}", follow_redirects=True).status_code == 404

    def test_lets_talk_site_with_nothing_listed_still_has_a_page(self, client, data):
        text = page(client, f"/places/{data.empty_lets_talk.id}")
        assert "Tarporley Let's Talk" in text
        assert "No services are listed here yet." in text

    def test_hub_and_lets_talk_lists(self, client, data: PublicData):
        hubs = page(client, "/hubs")
        assert "Blacon Community Hub" in hubs and "Northwich Memorial Court" in hubs
        assert "Ellesmere Port Library" not in hubs
        talk = page(client, "/lets-talk")
        assert "Ellesmere Port Library" in talk and "Tarporley Let's Talk" in talk
        assert "Blacon Community Hub" not in talk

    def test_icalendar_feed(self, client, data: PublicData):
        service = data.service("Blacon Friendship Café")
        location = service.service_at_locations[0].location
        response = client.get(f"/places/{location.id}/sessions.ics")
        assert response.status_code == 200
        assert response.mimetype == "text/calendar"
        assert "blacon-community-hub-sessions.ics" in response.headers["Content-Disposition"]
        body = response.data.decode()
        assert body.startswith("BEGIN:VCALENDAR")
        assert "SUMMARY:Blacon Friendship Café" in body
        assert body.count("BEGIN:VEVENT") >= 11
        assert "RRULE" not in body.split("END:VTIMEZONE")[1]
        assert client.get(f"/places/{uuid.uuid4()}/sessions.ics").status_code == 404


class TestOtherPages:
    @pytest.mark.parametrize(
        ("url", "heading"),
        [
            ("/", "Find help in your community"),
            ("/cover-your-tracks", "How to cover your tracks online"),
            ("/accessibility", "Accessibility statement for Find help in your community"),
            ("/cookies", "Cookies"),
            ("/privacy", "Privacy notice"),
        ],
    )
    def test_page_renders_with_its_heading(self, client, url, heading):
        html = client.get(url).data.decode()
        assert re.search(rf"<h1[^>]*>\s*{re.escape(heading)}\s*</h1>", unescape(html)), url

    def test_home_search_form_is_a_get_form(self, client):
        html = client.get("/?q=food&where=CH1").data.decode()
        form = re.search(r"<form[^>]*app-search-form[^>]*>", html).group(0)
        assert 'method="get"' in form
        assert 'action="/search"' in form or "search" in form
        assert 'name="q"' in html and 'name="where"' in html
        assert 'value="food"' in html and 'value="CH1"' in html
        assert "csrf_token" not in html

    def test_cover_your_tracks_offers_the_quick_exit(self, client):
        html = client.get("/cover-your-tracks").data.decode()
        assert "govuk-exit-this-page" in html
        assert 'href="https://www.bbc.co.uk/weather"' in html

    def test_service_name_in_header_without_the_crown(self, client):
        html = client.get("/").data.decode()
        header = html.split("<header")[1].split("</header>")[0]
        assert '<span class="app-header__logo-text">Find help in your community</span>' in header
        assert "govuk-logo" not in html and "govuk-header__logotype" not in html

    def test_footer_links_on_every_page(self, client):
        html = client.get("/").data.decode()
        footer = html.split("<footer")[1]
        for href in ("/accessibility", "/cookies", "/privacy", "/cover-your-tracks"):
            assert f'href="{href}"' in footer
        # GOV.UK's own footer claims (the licence logo, "© Crown copyright" as the site's
        # copyright) belong to GOV.UK; the only Crown copyright line is the OS data attribution.
        assert "govuk-footer__licence-logo" not in footer
        assert "govuk-footer__copyright-logo" not in footer
        assert footer.count("Crown copyright") == 1
        assert "contains OS data © Crown copyright" in footer
        assert "GOV.UK" not in html


def test_closed_service_has_no_sessions_on_its_place(client, data: PublicData):
    """Upton Village Hall also hosts the bereavement group and baby massage (as other records
    of the same place): their sessions show, the closed repair café's do not."""
    location = data.closed.service_at_locations[0].location
    html = client.get(f"/places/{location.id}", follow_redirects=True).get_data(as_text=True)
    listed, sessions = html.split('id="sessions"', 1)
    assert "Upton Repair Café" in listed and "Temporarily closed" in listed
    assert "Upton Repair Café" not in sessions
    feed = client.get(f"/places/{location.id}/sessions.ics").data.decode()
    assert "SUMMARY:Upton Baby Massage" in feed
    assert "Upton Repair Café" not in feed
