"""The plain functions behind the pages, on SQLite and PostgreSQL: saving a request and a
self-served visit inside a unit of work, what happens next, and the confirmation email."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from directory.core.uow import queued_mail, unit_of_work
from directory.help_requests import services
from directory.help_requests.models import HelpRequest, RequestStatus, SelfServed, Urgency
from directory.listings.models import ChangeRecord

ANSWERS = services.RequestAnswers(
    needs=["need-1", "need-2"],
    details="Shopping, please\non Fridays",
    for_someone_else=True,
    postcode="CH1 2HJ",
    outcode="CH1",
    latitude=53.19,
    longitude=-2.89,
    name="Jo Bloggs",
    phone="07700 900982",
    email="jo@example.net",
    contact_by="phone",
    contact_times="Mornings",
    urgency=Urgency.TODAY,
    extra={"services_shown": 4},
)


def test_a_request_is_saved_whole_in_the_callers_unit_of_work(any_session):
    now = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    with unit_of_work(any_session, services.ASK_FORM):
        created = services.create_request(any_session, ANSWERS, now=now)
        reference = created.reference
    any_session.expunge_all()
    row = any_session.scalars(select(HelpRequest)).one()
    assert row.reference == reference and services.normalise_reference(reference) == reference
    assert row.needs == ["need-1", "need-2"]
    assert row.details == "Shopping, please\non Fridays"
    assert row.for_someone_else is True and row.urgency is Urgency.TODAY
    assert (row.name, row.phone, row.email, row.contact_by) == (
        "Jo Bloggs",
        "07700 900982",
        "jo@example.net",
        "phone",
    )
    assert row.consent_at == now and row.created_at == now
    assert row.status is RequestStatus.OPEN and row.source == "web"
    assert row.extra == {"services_shown": 4}


def test_nothing_is_saved_when_the_unit_of_work_fails(any_session):
    with pytest.raises(RuntimeError), unit_of_work(any_session, services.ASK_FORM):
        services.create_request(any_session, ANSWERS)
        raise RuntimeError("the caller changed its mind")
    assert any_session.scalars(select(HelpRequest)).all() == []


def test_a_self_served_visit_holds_no_more_than_needs_place_and_count(any_session):
    with unit_of_work(any_session, services.ASK_FORM):
        services.record_self_served(any_session, ["need-1"], "CH1", 7)
        services.record_self_served(any_session, [], None, -3)
    rows = any_session.scalars(select(SelfServed).order_by(SelfServed.id)).all()
    assert [(r.needs, r.outcode, r.services_shown) for r in rows] == [
        (["need-1"], "CH1", 7),
        ([], None, 0),
    ]


def test_no_listing_change_is_logged_for_a_request(any_session):
    """The change log is for listings; a person's request never lands in it."""
    before = len(any_session.scalars(select(ChangeRecord)).all())
    with unit_of_work(any_session, services.ASK_FORM):
        services.create_request(any_session, ANSWERS)
    assert len(any_session.scalars(select(ChangeRecord)).all()) == before


def test_what_happens_next_follows_the_answers():
    steps = services.next_steps(3, "email", Urgency.NOT_URGENT)
    assert steps[0] == (
        "Someone from our team will read your request and contact you by email within "
        "3 working days."
    )
    assert not any("NHS 111" in s for s in steps)
    today = services.next_steps(1, "phone", "today")
    assert "by phone within 1 working day." in today[0]
    assert any("NHS 111" in s for s in today)
    assert "contact you within" in services.next_steps(2, None, None)[0]


def test_the_confirmation_email_is_queued_only_with_an_address(app, session):
    with app.test_request_context("/"), unit_of_work(session, services.ASK_FORM):
        created = services.create_request(session, ANSWERS)
        mail = services.confirmation_mail(
            created, need_labels=["Shopping"], response_days=3, site_url="http://x/"
        )
        services.queue_confirmation(session, mail)
        assert [m.to for m in queued_mail(session)] == ["jo@example.net"]
        assert created.reference in mail.subject and "Shopping" in mail.text
        assert "Shopping, please" not in mail.text  # their own words stay out
        created.email = None
        assert (
            services.confirmation_mail(
                created, need_labels=[], response_days=3, site_url="http://x/"
            )
            is None
        )
        created.email = "jo@example.net"
