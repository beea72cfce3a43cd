"""Each question of "Ask for help": safety first (the crisis branch before any form), errors
that say how to put each answer right, no skipping ahead, the postcode checked offline, the
contact rules, consent required, and answers too long for the cookie refused politely."""

from __future__ import annotations

import random
import re
import string

import pytest

from directory.db import db
from directory.help_requests.models import HelpRequest
from tests.help_requests.conftest import CONTACT, location, post, text_of, walk


def errors(response) -> list[str]:
    """The error summary's messages with the field each links to."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [
        f"{href} {text_of(text)}"
        for href, text in re.findall(r'<a href="(#[^"]+)">(.*?)</a>', summary, re.S)
    ]


def test_the_start_page_is_linked_from_every_page_and_the_home_page(client):
    home = client.get("/").get_data(as_text=True)
    assert home.count('href="/ask-for-help"') >= 2  # the navigation and the home page itself
    page = text_of(client.get("/ask-for-help").data)
    assert "Ask for help" in page and "within 3 working days" in page
    assert "If someone is in danger now, call 999" in page
    assert 'href="/ask-for-help/safety"' in client.get("/ask-for-help").get_data(as_text=True)


class TestSafetyFirst:
    def test_the_first_question_is_about_danger(self, client):
        page = client.get("/ask-for-help/safety").get_data(as_text=True)
        assert "Is anyone in danger now, or do you need urgent help today?" in text_of(page)
        assert re.search(r"<h1[^>]*>\s*Is anyone in danger now", page)

    def test_no_answer_says_what_to_do(self, client):
        assert errors(client.post("/ask-for-help/safety")) == [
            "#urgent Select yes if anyone is in danger now or needs urgent help today"
        ]

    def test_yes_goes_to_the_emergency_numbers_before_any_form(self, app, client):
        response = post(client, "/ask-for-help/safety", {"urgent": "yes"})
        assert location(response) == "/ask-for-help/urgent-help"
        html = client.get("/ask-for-help/urgent-help").get_data(as_text=True)
        page = text_of(html)
        for number in ("999", "111", "116 123", "0808 2000 247"):
            assert number in page, number
        assert "Cheshire West and Chester out-of-hours adult social care" in page
        assert "The number is on the council" in page
        assert "govuk-exit-this-page" in html
        assert "<form" not in html.split('id="main-content"', 1)[1]
        assert client.get("/ask-for-help/need").headers["Location"].endswith("/safety")
        with app.app_context():
            assert db.session.query(HelpRequest).count() == 0

    def test_the_councils_out_of_hours_number_comes_from_the_config(self, make_app):
        client = make_app(CRISIS_PHONE="01632 960 999").test_client()
        html = client.get("/ask-for-help/urgent-help").get_data(as_text=True)
        assert 'href="tel:01632960999"' in html
        assert "The number is on the council" not in text_of(html)


def test_no_question_can_be_skipped(client):
    for step in (
        "need",
        "confirm-need",
        "who",
        "postcode",
        "services",
        "contact",
        "consent",
        "check",
    ):
        response = client.get(f"/ask-for-help/{step}")
        assert location(response) == "/ask-for-help/safety", step
    post(client, "/ask-for-help/safety", {"urgent": "no"})
    post(client, "/ask-for-help/need", {"need": ["money"]})
    for step in ("contact", "consent", "check"):
        assert location(client.get(f"/ask-for-help/{step}")) == "/ask-for-help/confirm-need"
    assert location(client.post("/ask-for-help/check")) == "/ask-for-help/confirm-need"
    assert location(client.post("/ask-for-help/self-served")) == "/ask-for-help/confirm-need"


class TestWhatYouNeed:
    @pytest.fixture
    def asked(self, client):
        post(client, "/ask-for-help/safety", {"urgent": "no"})
        return client

    def test_words_or_the_list_is_required(self, asked):
        assert errors(asked.post("/ask-for-help/need", data={"details": "  \n "})) == [
            "#details Tell us what you need help with in your own words, or select at least "
            "one kind of help from the list"
        ]

    def test_the_list_is_every_top_level_need(self, asked):
        page = asked.get("/ask-for-help/need").get_data(as_text=True)
        values = re.findall(r'name="need" type="checkbox" value="([^"]+)"', page)
        assert {"food", "money", "loneliness", "bereavement"} <= set(values)
        assert "Money, debt and benefits" in text_of(page)

    def test_a_description_too_long_is_refused(self, asked):
        assert errors(asked.post("/ask-for-help/need", data={"details": "a" * 1001})) == [
            "#details Your description must be 1,000 characters or fewer"
        ]

    def test_the_confirmation_needs_a_choice_and_none_of_these_alone(self, asked):
        post(asked, "/ask-for-help/need", {"details": "I feel lonely"})
        page = asked.get("/ask-for-help/confirm-need").get_data(as_text=True)
        [value] = re.findall(r'name="need" type="checkbox" value="([^"]+)" checked', page)
        assert errors(asked.post("/ask-for-help/confirm-need")) == [
            "#need Select the kinds of help you need, or select \u2018None of these\u2019"
        ]
        assert errors(asked.post("/ask-for-help/confirm-need", data={"need": [value, "none"]})) == [
            "#need Select the kinds of help you need, or \u2018None of these\u2019 on its own"
        ]

    def test_words_about_a_crisis_show_the_emergency_numbers(self, asked):
        post(asked, "/ask-for-help/need", {"details": "I want to end my life"})
        page = text_of(asked.get("/ask-for-help/confirm-need").data)
        assert "Get help now" in page and "116 123" in page

    def test_words_about_domestic_abuse_offer_exit_this_page(self, asked):
        post(asked, "/ask-for-help/need", {"details": "my partner hits me"})
        html = asked.get("/ask-for-help/confirm-need").get_data(as_text=True)
        assert "govuk-exit-this-page" in html
        assert "cover your tracks" in text_of(html)
        ticked = re.findall(r'name="need" type="checkbox" value="([^"]+)" checked', html)
        post(asked, "/ask-for-help/confirm-need", {"need": ticked})
        assert "govuk-exit-this-page" in asked.get("/ask-for-help/who").get_data(as_text=True)


class TestPostcode:
    @pytest.fixture
    def asked(self, client):
        walk(client, until="services")
        return client

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("", "Enter a postcode, like CH1 2HJ"),
            ("Chester", "Enter a full UK postcode, like CH1 2HJ"),
            ("CH1", "Enter a full UK postcode, like CH1 2HJ"),
            (
                "CH1 1ZZ",
                "We could not find that postcode. Check it and enter it again, like CH1 2HJ",
            ),
        ],
    )
    def test_a_postcode_we_cannot_use_says_why(self, asked, typed, message):
        assert errors(asked.post("/ask-for-help/postcode", data={"postcode": typed})) == [
            f"#postcode {message}"
        ]

    def test_any_spelling_of_a_postcode_is_kept_in_its_one_form(self, asked):
        post(asked, "/ask-for-help/postcode", {"postcode": " ch12hj "})
        page = text_of(asked.get("/ask-for-help/services").data)
        assert "near CH1 2HJ" in page

    def test_someone_elses_postcode_is_asked_as_theirs(self, client):
        walk(client, for_whom="someone_else", until="services")
        assert "What is their postcode?" in text_of(client.get("/ask-for-help/postcode").data)


class TestContact:
    @pytest.fixture
    def asked(self, client):
        walk(client, until="services")
        return client

    def send(self, client, **changes):
        return client.post("/ask-for-help/contact", data={**CONTACT, **changes})

    def test_a_phone_or_an_email_is_needed(self, asked):
        assert errors(self.send(asked, phone="", email="")) == [
            "#phone Enter a phone number or an email address, so we can contact you"
        ]

    def test_the_way_chosen_needs_its_details(self, asked):
        assert errors(self.send(asked, phone="", contact_by="phone")) == [
            "#phone Enter a phone number, or choose to be contacted by email"
        ]
        assert errors(self.send(asked, email="", contact_by="email")) == [
            "#email Enter an email address, or choose to be contacted by phone"
        ]

    def test_every_missing_answer_is_listed(self, asked):
        found = errors(asked.post("/ask-for-help/contact", data={"phone": "01632 960001"}))
        assert found == [
            "#name Enter your name",
            "#contact_by Select how you would like us to contact you",
            "#urgency Select how soon you need help",
        ]

    @pytest.mark.parametrize("phone", ["123", "999", "call me", "0161", "+1 0000000000000000"])
    def test_a_phone_number_that_cannot_be_called(self, asked, phone):
        assert errors(self.send(asked, phone=phone)) == [
            "#phone Enter a UK phone number, like 01632 960 001 or 07700 900 982"
        ]

    @pytest.mark.parametrize("email", ["jo", "jo@", "a@b.com,c@d.com", "jo@127.0.0.1"])
    def test_an_email_address_we_could_not_send_to(self, asked, email):
        [message] = errors(self.send(asked, email=email))
        assert message.startswith("#email Enter")

    def test_a_phone_number_is_kept_in_its_readable_form(self, app, asked):
        post(asked, "/ask-for-help/contact", {**CONTACT, "phone": "+44 (0)7700-900982"})
        post(asked, "/ask-for-help/consent", {"consent": "y"})
        assert "Phone number 07700 900982" in text_of(asked.get("/ask-for-help/check").data)


def test_consent_is_required_and_says_what_we_do(client):
    walk(client, until="services")
    post(client, "/ask-for-help/contact", CONTACT)
    page = client.get("/ask-for-help/consent").get_data(as_text=True)
    assert 'href="/privacy"' in page
    assert "never show your name" in text_of(page)
    assert errors(client.post("/ask-for-help/consent")) == [
        "#consent Select that you agree, so that we can pass your request to our team"
    ]
    assert location(client.get("/ask-for-help/check")) == "/ask-for-help/consent"


def test_answers_too_long_for_the_cookie_are_refused_not_lost(client):
    """My list and the answers share one cookie of about 4 KB: with a full list of notes,
    a long description is refused with a message instead of the browser dropping it."""
    noise = random.Random(13)

    def words(n: int) -> str:
        return "".join(noise.choice(string.ascii_letters) for _ in range(n))

    with client.session_transaction() as cookie:
        cookie["mylist"] = [
            [f"00000000-0000-4000-8000-{n:012d}", words(50), words(40)] for n in range(30)
        ]
    post(client, "/ask-for-help/safety", {"urgent": "no"})
    [message] = errors(client.post("/ask-for-help/need", data={"details": words(1000)}))
    assert message.startswith("#details Your answers are too long for us to keep")
