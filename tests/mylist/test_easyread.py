"""Easy Read: short sentences, digits, pictures on the left, bold only for key words and no
jargon, on the page and in the words the PDF shares with it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from directory.listings.opening import LONDON
from directory.mylist.easyread import (
    DEMONSTRATION,
    MAX_WORDS,
    easy_sheet,
    easy_time,
    word_count,
)
from directory.mylist.services import build_list
from directory.mylist.session_list import Item
from tests.factories import make_service
from tests.mylist.conftest import add
from tests.public.conftest import PublicData

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


def sheet_for(session, *services, notes=None):
    items = [Item(s.id, s.name, (notes or {}).get(s.name, "")) for s in services]
    return easy_sheet(build_list(session, items, now=NOW))


@pytest.mark.parametrize(
    ("words", "easy"),
    [
        ("10am to midday", "10am to 12 noon"),
        ("10pm to midnight", "10pm to 12 midnight"),
        ("First Tuesday of the month", "1st Tuesday of the month"),
        ("Second and fourth Wednesday of the month", "2nd and 4th Wednesday of the month"),
        ("Every other Wednesday", "Every other Wednesday"),
    ],
)
def test_times_use_digits(words, easy):
    assert easy_time(words) == easy


class TestSentences:
    def test_every_sentence_is_short(self, session, data: PublicData):
        services = [data.demo, data.closed, data.refuge, *data.directory.public[:12]]
        sheet = sheet_for(session, *services)
        sentences = sheet.intro + sheet.next_steps
        sentences += [s for service in sheet.services for s in service.sentences]
        assert len(sentences) > 100
        for said in sentences:
            for part in re.split(r"(?<=\.) ", said.text):
                assert word_count(part) <= MAX_WORDS, said.text

    def test_demonstration_listing_says_so(self, session, data: PublicData):
        service = sheet_for(session, data.demo).services[0]
        first = service.sentences[0]
        assert first.icon == "warning"
        assert first.text == " ".join(DEMONSTRATION)
        assert first.text == "This is a demonstration listing. It is not a real service."

    def test_days_sharing_hours_go_together(self, session, data: PublicData):
        service = sheet_for(session, data.demo).services[0]
        texts = [s.text for s in service.sentences]
        assert "Open on Monday, Wednesday and Friday." in texts
        assert "Time: 12 noon to 2pm." in texts
        bold = [t for s in service.sentences for t, b in s.parts if b]
        assert "Monday, Wednesday and Friday" in bold
        assert "12 noon to 2pm" in bold
        assert "Open on " not in bold, "bold only for the key words"

    def test_different_hours_on_different_days(self, session, data: PublicData):
        service = make_service(
            session,
            "Whitby Advice Drop-in",
            places=("whitby",),
            schedules=[
                {"byday": "MO,WE", "opens_at": "09:30", "closes_at": "12:00"},
                {"byday": "FR", "opens_at": "13:00", "closes_at": "16:30"},
                {"freq": "MONTHLY", "byday": "1TU", "opens_at": "18:00", "closes_at": "20:00"},
            ],
        )
        texts = [s.text for s in sheet_for(session, service).services[0].sentences]
        assert texts[texts.index("Open on Monday and Wednesday.") + 1] == "Time: 9:30am to 12 noon."
        assert texts[texts.index("Open on Friday.") + 1] == "Time: 1pm to 4:30pm."
        assert (
            texts[texts.index("Open on the 1st Tuesday of the month.") + 1] == "Time: 6pm to 8pm."
        )

    def test_contact_place_cost_and_who(self, session, data: PublicData):
        service = sheet_for(session, data.service("Blacon Friendship Café")).services[0]
        by_icon = {}
        for said in service.sentences:
            by_icon.setdefault(said.icon, []).append(said)
        assert [s.text for s in by_icon["phone"]] == ["Phone 01632 960000."]
        assert by_icon["place"][0].text == "Go to Blacon Community Hub."
        assert by_icon["place"][0].lines == ["Western Avenue", "Chester", "CH1 5BE"]
        assert [s.text for s in by_icon["money"]] == ["It is free."]
        assert "It is for people aged 50 and over." in [s.text for s in by_icon["person"]]
        assert by_icon["computer"][0].text == "Website: blacon-friendship-cafe.example.org"

    def test_no_jargon_for_referrals(self, session, data: PublicData):
        service = sheet_for(session, data.closed).services[0]
        texts = " ".join(s.text for s in service.sentences)
        assert "Someone like your doctor or support worker must send you." in texts
        assert "refer" not in texts.lower()
        assert "It is closed for now. Phone before you go." in texts

    def test_phone_only_service(self, session, data: PublicData):
        service = sheet_for(session, data.service("Silver Line Chester")).services[0]
        texts = [s.text for s in service.sentences]
        assert "You do not need to go anywhere." in texts
        assert "Open every day." in texts
        assert "Time: 8am to 8pm." in texts

    def test_intro_counts_services_with_digits(self, session, data: PublicData):
        sheet = sheet_for(session, data.demo, data.refuge)
        assert [s.text for s in sheet.intro][:2] == [
            "This list was made on 23 November 2026.",
            "This list has 2 services.",
        ]


class TestPage:
    def test_pictures_on_the_left_hidden_from_screen_readers(self, client, data: PublicData):
        add(client, data.demo.id, "/")
        client.post(f"/my-list/{data.demo.id}/note", data={"note": "Ask for Sam"})
        html = client.get("/my-list/easy-read").data.decode()
        sentences = re.findall(r'<p class="app-easy-read__sentence">(.*?)</p>', html, re.S)
        assert len(sentences) > 10
        for sentence in sentences:
            body = sentence.strip()
            if "app-easy-read__text--no-icon" in body:
                continue
            assert body.startswith("<svg"), body[:80]
            assert 'aria-hidden="true"' in body.split(">")[0]
        assert "<strong>This is a demonstration listing. </strong>It is not a real service." in html
        assert '<strong class="app-easy-read__keep">01632 960001</strong>' in html, "not split"
        assert "<strong>Your note:</strong>" in html
        assert "Ask for Sam" in html
        assert "Take this list with you." in html

    def test_without_notes(self, client, data: PublicData):
        add(client, data.demo.id, "/")
        client.post(f"/my-list/{data.demo.id}/note", data={"note": "Ask for Sam"})
        assert "Ask for Sam" not in client.get("/my-list/easy-read?notes=0").data.decode()

    def test_empty(self, client, data: PublicData):
        html = client.get("/my-list/easy-read").data.decode()
        assert "Your list is <strong>empty</strong>." in html
