"""The service page and its report form over realistic listings: the right facts, the
safety features, shareable URLs and the real 404 page."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import date, timedelta

import pytest

from directory.models import ListingStatus
from tests.public.conftest import PublicData, json_ld, page, text_of


class TestServicePage:
    def test_shows_what_who_cost_how_contact_when_where(self, client, data: PublicData):
        service = data.service("Blacon Friendship Café")
        text = page(client, f"/services/{service.id}")
        assert "<h1" in client.get(f"/services/{service.id}", follow_redirects=True).data.decode()
        for expected in (
            "Cheshire Community Action",
            "Blacon Friendship Café",
            "a friendly, free session run by volunteers",
            "Ages 50 and over",
            "Older people",
            "People in Cheshire West and Chester",
            "Anyone living in Cheshire West and Chester.",
            "Free",
            "Drop in, or phone first if it is your first visit.",
            "You can use this service in person.",
            "Call 01632 960000",
            "Weekdays 9am to 5pm",
            "Every Tuesday, 10am to midday",
            "Blacon Community Hub",
            "Western Avenue",
            "CH1 5BE",
            "Get directions to Blacon Community Hub",
            "Step-free access",
            "English",
            "Last checked 1 September 2025",
            "Report a problem with this page",
        ):
            assert expected in text, expected

    def test_click_to_call_mailto_and_directions_links(self, client, data: PublicData):
        service = data.refuge
        html = client.get(f"/services/{service.id}", follow_redirects=True).data.decode()
        assert 'href="tel:03001234567"' in html
        assert f'href="mailto:{service.email}"' in html
        assert (
            "https://www.google.com/maps/dir/?api=1&amp;destination=Chester+Town+Hall%2C+CH1+2HJ"
            in html
        )

    def test_one_h1_and_headings_in_order(self, client, data: PublicData):
        html = client.get(f"/services/{data.demo.id}", follow_redirects=True).data.decode()
        levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
        assert levels.count(1) == 1
        # Only notification banner titles come before the h1, as the Design System places them.
        before_h1 = html[: html.index("<h1")]
        assert len(re.findall(r"<h[2-6]", before_h1)) == before_h1.count(
            "govuk-notification-banner__title"
        )
        after = levels[levels.index(1) :]
        for higher, lower in itertools.pairwise(after):
            assert lower <= higher + 1, levels

    def test_slug_is_added_and_a_wrong_one_redirects(self, client, data: PublicData):
        service = data.service("Hoole Knit and Natter")
        canonical = f"/services/{service.id}/hoole-knit-and-natter"
        for url in (
            f"/services/{service.id}",
            f"/services/{service.id}/old-name",
            f"/services/{service.id.upper()}/hoole-knit-and-natter",
        ):
            response = client.get(url)
            assert response.status_code == 301, url
            assert response.headers["Location"].endswith(canonical)
        assert client.get(canonical).status_code == 200

    @pytest.mark.parametrize("suffix", ["not-a-uuid", str(uuid.uuid4()), "1234"])
    def test_unknown_or_malformed_id_is_the_real_404_page(self, client, data, suffix):
        response = client.get(f"/services/{suffix}")
        assert response.status_code == 404
        assert "Page not found" in text_of(response.data)
        assert 'class="govuk-template__body' in response.data.decode()

    @pytest.mark.parametrize(
        "status", [ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.CLOSED]
    )
    def test_listing_not_public_is_404(self, client, data: PublicData, status):
        hidden = data.directory.hidden[status]
        assert client.get(f"/services/{hidden.id}", follow_redirects=True).status_code == 404
        assert client.get(f"/services/{hidden.id}/report").status_code == 404

    def test_demonstration_alert_cost_and_alternate_name(self, client, data: PublicData):
        text = page(client, f"/services/{data.demo.id}")
        assert "Demonstration listing: not a real service" in text
        assert "No lunch club on Tuesday 30 December" in text
        assert "£3.50 per lunch" in text
        assert "Also known as Hoole Lunch" in text
        assert "You can contact this service yourself." in text

    def test_weekly_table_when_open_on_several_days(self, client, data: PublicData):
        html = client.get(f"/services/{data.demo.id}", follow_redirects=True).data.decode()
        text = text_of(html.encode())
        assert "Monday, Wednesday and Friday, midday to 2pm" in text
        assert "Opening times for each day" in text
        assert re.search(r"Tuesday\s*</th>\s*<td[^>]*>Closed", html)

    def test_temporarily_closed_is_prominent(self, client, data: PublicData):
        html = client.get(f"/services/{data.closed.id}", follow_redirects=True).data.decode()
        banner = html.index("govuk-notification-banner")
        assert banner < html.index("<h1")
        assert "This service is temporarily closed." in text_of(html.encode())
        assert "You need to be referred by a professional" in text_of(html.encode())

    def test_stale_listing_says_check_with_the_service(self, client, session, data: PublicData):
        service = data.service("Hoole Community Pantry")
        service.assured_date = date.today() - timedelta(days=30)
        session.commit()
        fresh = page(client, f"/services/{service.id}")
        assert "over a year ago" not in fresh
        service.assured_date = date.today() - timedelta(days=400)
        session.commit()
        stale = page(client, f"/services/{service.id}")
        assert "over a year ago. Check with the service before you go" in stale

    def test_json_ld_describes_the_service(self, client, data: PublicData):
        service = data.demo
        html = client.get(f"/services/{service.id}", follow_redirects=True).data
        ld = json_ld(html)
        assert ld["@context"] == "https://schema.org"
        assert ld["@type"] == "Service"
        assert ld["name"] == service.name
        assert ld["@id"].endswith(f"/services/{service.id}/hoole-demonstration-lunch-club")
        assert ld["provider"] == {
            "@type": "Organization",
            "name": "Cheshire Community Action",
            "url": "https://cheshire-community-action.example.org/",
            "email": "hello@cheshire-community-action.example.org",
        }
        assert ld["areaServed"] == [
            {"@type": "AdministrativeArea", "name": "Cheshire West and Chester"}
        ]
        assert ld["hoursAvailable"] == [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [
                    "https://schema.org/Monday",
                    "https://schema.org/Wednesday",
                    "https://schema.org/Friday",
                ],
                "opens": "12:00:00",
                "closes": "14:00:00",
            }
        ]
        place = ld["availableChannel"][0]["serviceLocation"]
        assert place["address"]["postalCode"] == "CH2 3AE"
        assert place["geo"]["latitude"] == pytest.approx(53.19712)

    def test_json_ld_cannot_close_its_script_element(self, client, session, data: PublicData):
        service = data.service("Hoole Knit and Natter")
        service.alternate_name = "Knitting </script><script>alert(1)</script> & natter"
        service.description = "<p>Knitting </script><script>alert(1)</script> &amp; natter</p>"
        session.commit()
        html = client.get(f"/services/{service.id}", follow_redirects=True).data
        assert b"<script>alert(1)" not in html
        assert json_ld(html)["alternateName"] == service.alternate_name
        # The description is given as plain text: the feed's markup is not passed on.
        assert json_ld(html)["description"] == "Knitting & natter"

    def test_safety_features_only_on_domestic_abuse_services(self, client, data: PublicData):
        safe = client.get(f"/services/{data.refuge.id}", follow_redirects=True).data.decode()
        assert "govuk-exit-this-page" in safe
        assert 'href="https://www.bbc.co.uk/weather"' in safe
        assert "/cover-your-tracks" in safe.split("<footer")[0]
        other = data.service("Blacon Food Bank")
        plain = client.get(f"/services/{other.id}", follow_redirects=True).data.decode()
        assert "govuk-exit-this-page" not in plain

    def test_add_to_my_list_only_when_that_feature_exists(self, client, data: PublicData):
        html = client.get(f"/services/{data.demo.id}", follow_redirects=True).data.decode()
        has_feature = "mylist.add" in client.application.view_functions
        assert ("Add to my list" in html) == has_feature


class TestReportForm:
    def test_form_thank_you_and_validation(self, client, data: PublicData):
        service = data.service("Blacon Food Bank")
        form = client.get(f"/services/{service.id}/report")
        assert form.status_code == 200
        assert "What is wrong with this page?" in text_of(form.data)
        empty = client.post(f"/services/{service.id}/report", data={"problem": ""})
        assert empty.status_code == 200
        assert "There is a problem" in text_of(empty.data)
        assert "Enter what is wrong with this page" in text_of(empty.data)
        assert "<title>Error: " in empty.data.decode()
        bad_email = client.post(
            f"/services/{service.id}/report",
            data={"problem": "The phone number is wrong", "email": "not an email"},
        )
        assert "Enter an email address in the correct format" in text_of(bad_email.data)
        sent = client.post(
            f"/services/{service.id}/report",
            data={"problem": "The phone number is wrong", "email": "resident@example.org"},
        )
        assert sent.status_code == 303
        thanks = page(client, sent.headers["Location"])
        assert "Thank you for your report" in thanks
        assert "Blacon Food Bank" in thanks
