"""The field-by-field diff a moderator reads: nested records matched by id, schedules in words,
and the proposal page that shows it."""

from __future__ import annotations

import copy

from directory.moderation.diff import diff_records, same_content
from directory.moderation.models import ProposalKind
from tests.factories import make_service
from tests.moderation.conftest import edit_of, new_listing, sign_in, submit
from tests.public.conftest import text_of


def _sections(old, new):
    return {s.title: s for s in diff_records(old, new)}


def _changes(section):
    return {c.label: (c.old, c.new, c.kind) for c in section.changes}


def test_a_new_listing_is_all_added():
    record = new_listing("5d2c8a57-0d6b-4c1e-9a43-2f7e6f3a1b10")
    sections = _sections(None, record)
    assert all(s.status == "added" for s in sections.values())
    assert _changes(sections["Service"])["Name"] == (None, "Lache Larder", "added")
    assert _changes(sections["When: Every Wednesday, 10am to midday"])["When"] == (
        None,
        "Every Wednesday, 10am to midday",
        "added",
    )
    assert _changes(sections["Phone for Larder volunteers"])["Number"] == (
        None,
        "01632 960123",
        "added",
    )
    assert _changes(sections["Address of Blacon Community Hub"])["Postcode"] == (
        None,
        "CH1 5BE",
        "added",
    )
    assert "Organisation" in sections


def test_changed_added_and_removed_fields():
    old = new_listing("5d2c8a57-0d6b-4c1e-9a43-2f7e6f3a1b10")
    new = copy.deepcopy(old)
    new["name"] = "Lache Community Larder"
    new["fees"] = "£1 a bag"
    new.pop("application_process")
    sections = _sections(old, new)
    assert list(sections) == ["Service"]
    assert _changes(sections["Service"]) == {
        "Name": ("Lache Larder", "Lache Community Larder", "changed"),
        "Fees": (None, "£1 a bag", "added"),
        "How to access": ("Drop in.", None, "removed"),
    }


def test_nested_schedules_and_phones_are_matched_by_id_not_position():
    old = new_listing("5d2c8a57-0d6b-4c1e-9a43-2f7e6f3a1b10")
    new = copy.deepcopy(old)
    new["schedules"][0]["byday"] = "TH"
    new["schedules"][0]["closes_at"] = "13:30:00"
    phones = new["contacts"][0]["phones"]
    phones.insert(0, {"id": "0f9e1f52-1b7e-4a41-9d8e-111111111111", "number": "01632 960777"})
    sections = diff_records(old, new)
    by_title = {s.title: s for s in sections}
    schedule = by_title["When: Every Thursday, 10am to 1:30pm"]
    assert schedule.status == "changed"
    assert _changes(schedule)["When"] == (
        "Every Wednesday, 10am to midday",
        "Every Thursday, 10am to 1:30pm",
        "changed",
    )
    added_phones = [s for s in sections if s.kind == "phone"]
    assert [(s.status, _changes(s)["Number"][1]) for s in added_phones] == [
        ("added", "01632 960777")
    ]


def test_removed_records_and_terms():
    old = new_listing("5d2c8a57-0d6b-4c1e-9a43-2f7e6f3a1b10")
    old["attributes"] = [
        {"id": "a1", "link_type": "need", "taxonomy_term": {"name": "Food"}},
        {"id": "a2", "link_type": "inferred_need", "taxonomy_term": {"name": "Debt advice"}},
    ]
    new = copy.deepcopy(old)
    new["schedules"] = []
    new["attributes"] = [
        {"id": "a3", "link_type": "need", "taxonomy_term": {"name": "Befriending"}}
    ]
    sections = _sections(old, new)
    removed = sections["When: Every Wednesday, 10am to midday"]
    assert removed.status == "removed" and _changes(removed)["When"][2] == "removed"
    assert _changes(sections["Service"])["Needs"] == ("Food", "Befriending", "changed")


def test_what_approval_sets_is_not_a_difference():
    old = new_listing("5d2c8a57-0d6b-4c1e-9a43-2f7e6f3a1b10")
    new = copy.deepcopy(old) | {
        "last_modified": "2026-01-01T00:00:00.000Z",
        "x_listing_status": "active",
        "assured_date": "2026-01-01",
    }
    assert diff_records(old, new) == []
    assert same_content(old, new)


def test_the_proposal_page_shows_the_diff_and_warns_when_the_live_listing_moved_on(
    client, session, moderator
):
    service = make_service(session, "Hoole Friendship Club")
    session.commit()
    payload = edit_of(session, service.id)
    payload["contacts"][0]["phones"][0]["number"] = "01632 960999"
    proposal = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=service.organization_id
    )
    sign_in(client, moderator)

    page = text_of(client.get(f"/staff/moderation/proposals/{proposal.id}").data)
    assert "Phone for Volunteer coordinator" in page
    assert "01632 960001" in page and "01632 960999" in page
    assert "changed since this edit started" not in page

    service.fees = "£2 a session"  # someone else changes the live listing meanwhile
    session.commit()
    page = text_of(client.get(f"/staff/moderation/proposals/{proposal.id}").data)
    assert "The live listing changed since this edit started" in page
    assert "£2 a session" in page


def test_a_new_listing_page_shows_every_field_as_added(client, session, moderator, member, org_id):
    proposal = submit(session, new_listing(org_id), organization_id=org_id, created_by=member.id)
    sign_in(client, moderator)
    response = client.get(f"/staff/moderation/proposals/{proposal.id}")
    assert response.status_code == 200
    page = text_of(response.data)
    assert "The new listing" in page and "Lache Larder Trust (new to the directory)" in page
    assert "Every Wednesday, 10am to midday" in page and "CH1 5BE" in page
    assert "by Olive Owner" in page
