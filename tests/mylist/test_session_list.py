"""The list kept in the session: order, duplicates, the cap, notes as plain text, the cookie's
size limit and cookies that were tampered with or written by an older version."""

from __future__ import annotations

import json
import uuid

import pytest

from directory.mylist.session_list import (
    NOTE_MAX_LENGTH,
    SESSION_KEY,
    Added,
    MyList,
    clean_note,
)

IDS = [str(uuid.uuid4()) for _ in range(40)]


def json_size(data) -> int:
    return len(json.dumps(dict(data)))


class TestAddRemove:
    def test_keeps_the_order_services_were_added_in(self):
        session: dict = {}
        my_list = MyList(session)
        assert my_list.add(IDS[0], "Blacon Food Bank") is Added.ADDED
        assert my_list.add(IDS[1], "Hoole Knit and Natter") is Added.ADDED
        assert [item.name for item in my_list.items] == [
            "Blacon Food Bank",
            "Hoole Knit and Natter",
        ]
        assert my_list.service_ids == IDS[:2]

    def test_adding_twice_keeps_one(self):
        my_list = MyList({})
        my_list.add(IDS[0], "Blacon Food Bank")
        assert my_list.add(IDS[0], "Blacon Food Bank") is Added.ALREADY
        assert len(my_list) == 1

    def test_cap(self):
        my_list = MyList({}, max_items=30)
        results = [my_list.add(service_id, f"Service {n}") for n, service_id in enumerate(IDS[:31])]
        assert results[:30] == [Added.ADDED] * 30
        assert results[30] is Added.FULL
        assert len(my_list) == 30

    def test_remove_and_clear(self):
        session: dict = {}
        my_list = MyList(session)
        my_list.add(IDS[0], "Blacon Food Bank")
        my_list.add(IDS[1], "Hoole Knit and Natter")
        assert my_list.remove(IDS[0]).name == "Blacon Food Bank"
        assert my_list.remove(IDS[0]) is None
        assert my_list.service_ids == [IDS[1]]
        my_list.remove(IDS[1])
        assert SESSION_KEY not in session, "an empty list leaves nothing in the cookie"
        my_list.add(IDS[2], "Neston Men's Shed")
        my_list.clear()
        assert len(my_list) == 0

    def test_get_accepts_any_uuid_spelling(self):
        my_list = MyList({})
        my_list.add(IDS[0], "Blacon Food Bank")
        assert my_list.get(IDS[0].upper().replace("-", "")).service_id == IDS[0]
        assert my_list.get("not-an-id") is None


class TestNotes:
    def test_note_is_cleaned_plain_text(self):
        my_list = MyList({})
        my_list.add(IDS[0], "Blacon Food Bank")
        assert my_list.set_note(
            IDS[0], "  Ask for   Sam\r\n\r\n\r\n\r\nBring ID \u202e<b>x</b>\x00 "
        )
        assert my_list.get(IDS[0]).note == "Ask for Sam\n\nBring ID <b>x</b>"

    def test_note_is_cut_to_the_maximum(self):
        my_list = MyList({})
        my_list.add(IDS[0], "Blacon Food Bank")
        my_list.set_note(IDS[0], "a" * (NOTE_MAX_LENGTH + 50))
        assert len(my_list.get(IDS[0]).note) == NOTE_MAX_LENGTH

    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("", ""),
            (None, ""),
            ("Café", "Café"),
            ("Cafe\u0301", "Café"),
            ("line one\rline two", "line one\nline two"),
            ("tab\tseparated", "tab separated"),
        ],
    )
    def test_clean_note(self, raw, clean):
        assert clean_note(raw) == clean


class TestCookieSize:
    def test_a_note_that_would_not_fit_is_refused_and_nothing_changes(self):
        session: dict = {}
        my_list = MyList(session, measure=json_size)
        for n, service_id in enumerate(IDS[:30]):
            assert my_list.add(service_id, f"Chester Befriending Scheme {n:02d}") is Added.ADDED
        saved = 0
        for service_id in IDS[:30]:
            if my_list.set_note(service_id, "x" * NOTE_MAX_LENGTH):
                saved += 1
            else:
                break
        assert 0 < saved < 30, "some notes fit, then the cookie is full"
        assert my_list.get(IDS[saved]).note == ""
        assert json_size(session) <= 3800

    def test_an_add_that_would_not_fit_is_refused(self):
        session: dict = {"padding": "x" * 3700}
        my_list = MyList(session, measure=json_size)
        assert my_list.add(IDS[0], "A" * 120) is Added.TOO_BIG
        assert SESSION_KEY not in session


class TestTamperedCookie:
    @pytest.mark.parametrize(
        "raw",
        [
            "not a list",
            [["not-a-uuid", "Name", ""]],
            [[IDS[0], 5, ""]],
            [[IDS[0], "Name"]],
            [{"id": IDS[0]}],
        ],
    )
    def test_malformed_entries_are_dropped(self, raw):
        assert MyList({SESSION_KEY: raw}).items == []

    def test_duplicates_and_long_values_are_trimmed_on_read(self):
        raw = [[IDS[0], "N" * 500, "n" * 500], [IDS[0].upper(), "Again", ""]]
        items = MyList({SESSION_KEY: raw}).items
        assert len(items) == 1
        assert len(items[0].name) == 120
        assert len(items[0].note) == NOTE_MAX_LENGTH
