"""Service, place and results pages read on the real seed data, as a resident or a link worker
meets them: nothing said twice, nothing promised that the listing does not have, demonstration
records marked the same way everywhere."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from directory.listings.opening import LONDON
from tests.public.test_search_page import get, h1, seeded_site, text_of

AUTISM_HUB = "/services/195c16c4-c629-509a-ab5d-ebaa8205253f/west-cheshire-autism-hub"
ACTIVE_HEALTH = "/services/8d3f48a1-3483-5c31-a355-caff52fe18eb/active-health-programme"
CHESTER_LETS_TALK = "/places/9a7a7a6f-e070-5e01-813e-550c6200035c/chester-let-s-talk-zone"


@pytest.fixture(scope="module")
def client():
    return seeded_site().app.test_client()


class TestBriefListing:
    """West Cheshire Autism Hub: the brief gives a name, a description and "The Bluecoat"."""

    def test_organisation_is_not_repeated_above_its_own_name(self, client):
        html = get(client, AUTISM_HUB)
        assert h1(html) == "West Cheshire Autism Hub"
        assert '<span class="govuk-caption-l">' not in html

    def test_says_what_is_missing_without_sending_the_reader_round_in_circles(self, client):
        text = text_of(get(client, AUTISM_HUB))
        assert "This listing does not give a phone number, email address or website." in text
        assert "The listing does not give opening times." in text
        assert "Contact the service to check" not in text

    def test_the_place_name_is_not_its_own_address(self, client):
        text = text_of(get(client, AUTISM_HUB))
        assert "The Bluecoat Chester" in text and "The Bluecoat The Bluecoat" not in text

    def test_how_to_get_help_is_a_sentence(self, client):
        assert "You can use this service in person." in text_of(get(client, AUTISM_HUB))


class TestDemonstrationListing:
    def test_cost_age_and_phone_are_each_said_once(self, client):
        text = text_of(get(client, ACTIVE_HEALTH))
        cost = text.split("Cost", 1)[1].split("How to get help", 1)[0]
        assert cost.count("£30 for 12 weeks") == 1
        who = text.split("Who it is for", 1)[1].split("Cost", 1)[0]
        assert "Ages 16 and over" in who and "Aged 16 and over." not in who
        assert "Call 07700 900122 Call" not in text

    def test_access_notes_read_as_sentences(self, client):
        text = text_of(get(client, CHESTER_LETS_TALK))
        assert (
            "Access: Free parking next to the building, including disabled bays. Upstairs" in text
        )
        assert ".;" not in text


class TestPlacePage:
    def test_a_demonstration_place_is_not_called_a_service(self, client):
        text = text_of(get(client, CHESTER_LETS_TALK))
        assert "Demonstration place: not a real place." in text
        assert "not a real service" not in text.split("Chester Let's Talk Zone", 1)[0]

    def test_where_it_is_comes_before_what_happens_there(self, client):
        text = text_of(get(client, CHESTER_LETS_TALK))
        assert text.index("How to get there") < text.index("What happens here")

    def test_calendar_links_to_each_page_here_and_marks_demonstrations(self, client):
        feed = get(client, CHESTER_LETS_TALK.rsplit("/", 1)[0] + "/sessions.ics")
        unfolded = feed.replace("\r\n ", "")
        assert "SUMMARY:Let's Talk Chester (demonstration listing)" in unfolded
        base = re.escape(client.application.config["PUBLIC_BASE_URL"].rstrip("/"))
        assert re.search(  # links from PUBLIC_BASE_URL, never the request's Host (issue 14)
            "URL:" + base + r"/services/[0-9a-f-]{36}/let-s-talk-chester\r\n", unfolded
        )


class TestResults:
    def test_tags_are_separate_and_demonstration_looks_the_same_everywhere(self, client):
        html = get(client, "/search?q=lonely&where=CH65+0AA")
        tags = re.findall(r'<p class="[^"]*app-tags">(.*?)</p>', html, re.S)
        assert tags, "tags sit in a spaced group"
        assert 'govuk-tag--yellow app-tag">Demonstration' in html
        assert "govuk-tag--grey" not in html

    def test_old_listings_say_so_in_the_list(self, client):
        text = text_of(get(client, "/search?where=CH65+0AA&sort=distance"))
        today = datetime.now(LONDON).date()
        found = re.findall(r"Last checked (\d{1,2} \w+ \d{4})( \(over a year ago\))?", text)
        assert found
        for when, flagged in found:
            old = today - datetime.strptime(when, "%d %B %Y").date() > timedelta(days=365)
            assert bool(flagged) == old, when

    def test_heading_and_filters_use_the_words_the_person_chose(self, client):
        html = get(client, "/search?need=money&where=CH65+0AA&age=older_people&who=carer")
        assert re.fullmatch(r"\d+ results? for Money, debt and benefits near CH65 0AA", h1(html))
        text = text_of(html)
        assert "Money, debt and benefits: remove" in text
        assert "Money and benefits" not in text.split("Filter results", 1)[0]


def test_add_from_results_comes_back_to_the_result_quietly():
    """Each result's button brings the visitor back to that result; the success banner on the
    results page does not take the focus (which would scroll the page back to the top)."""
    client = seeded_site().app.test_client()  # its own cookie jar: the list starts empty
    html = get(client, "/search?q=lonely&where=CH65+0AA")
    item_id, next_value = re.search(
        r'<li class="app-card-list__item" id="(result-[^"]+)">.*?name="next" value="([^"]+)"',
        html,
        re.S,
    ).groups()
    assert next_value.endswith("#" + item_id)
    service_id = re.search(r'name="service_id" value="([^"]+)"', html).group(1)
    response = client.post(
        "/my-list/add", data={"service_id": service_id, "next": next_value.replace("&amp;", "&")}
    )
    assert response.headers["Location"].endswith("#" + item_id)
    back = get(client, response.headers["Location"].split("#")[0])
    assert 'data-disable-auto-focus="true"' in back
    item = re.split(r'<li class="app-card-list__item"|</ol>', back.split(f'id="{item_id}"', 1)[1])[
        0
    ]
    assert "On your list" in item and "Remove from my list" in item


def test_zero_results_offer_no_unrelated_helplines():
    """Words no listing has, and no need chosen: there is nothing to say the phone lines are
    about, so none are offered under "Help by phone or online that covers Chester"."""
    client = seeded_site().app.test_client()
    html = get(client, "/search?q=zebra+grooming&where=Chester")
    assert h1(html) == "No results for \u2018zebra grooming\u2019 near Chester"
    text = text_of(html)
    assert "Help by phone or online" not in text
    assert "Answer 3 short questions" in text and "Talk to someone nearby" in text


def test_demonstration_pages_are_kept_out_of_web_search():
    """A made-up service with a phone number must not be found on a search engine as if it
    were real; real listings are indexed as before."""
    client = seeded_site().app.test_client()
    noindex = '<meta name="robots" content="noindex">'
    assert noindex in get(client, ACTIVE_HEALTH)
    assert noindex in get(client, CHESTER_LETS_TALK)
    organisation = re.search(r'href="(/organisations/[^"]+)"', get(client, ACTIVE_HEALTH))
    assert noindex in get(client, organisation.group(1))
    assert noindex not in get(client, AUTISM_HUB)
