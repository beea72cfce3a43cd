"""Restore an earlier version from the history: rebuilt from the change log, proposed as a
RESTORE in the queue, written only when a moderator approves it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.listings.models import Service
from directory.moderation import services
from directory.moderation.apply import live_record
from directory.moderation.diff import same_content
from directory.moderation.history import service_history
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from directory.moderation.restore import request_restore, version_at
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.factories import make_service
from tests.moderation.conftest import edit_of, sign_in, submit
from tests.public.conftest import text_of


@pytest.fixture
def edited(session, moderator, request_context):
    """A listing, then an approved edit: renamed, phone changed, its only session removed, a
    second contact added, the minimum age cleared."""
    service = make_service(session, "Hoole Friendship Club", minimum_age=50)
    session.commit()
    session.expire_all()
    original = live_record(session, service.id)
    payload = edit_of(session, service.id)
    payload["name"] = "Hoole Friendship Café"
    payload["contacts"][0]["phones"][0]["number"] = "01632 960999"
    payload["schedules"] = []
    payload["contacts"].append({"id": "6a0e3c1f-5b7d-4e2a-9c8f-222222222222", "name": "Café desk"})
    payload.pop("minimum_age")
    proposal = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=service.organization_id
    )
    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)
    session.expire_all()
    return service, original


def _before_the_edit(session, service):
    events = [e for e in service_history(session, service) if e.restore_at is not None]
    assert events, "no restore point"
    return events[0].restore_at  # the newest point before the edit


def test_the_version_before_an_edit_is_rebuilt(session, edited):
    service, original = edited
    version = version_at(session, service, _before_the_edit(session, service))
    assert version.limits == []
    assert same_content(version.record, original)


def test_restore_round_trip_through_the_queue(client, session, moderator, edited, inbox):
    service, original = edited
    other = create_user(
        session, "other@council.example.org", staff_role=moderator.staff_role, name="Ola Other"
    )
    sign_in(client, moderator)
    at = _before_the_edit(session, service)

    response = client.post(
        f"/staff/services/{service.id}/history/restore", data={"at": at.isoformat()}
    )

    assert response.status_code == 302
    proposal = session.scalars(select(Proposal).where(Proposal.kind == ProposalKind.RESTORE)).one()
    assert proposal.state == ProposalState.SUBMITTED and proposal.created_by == moderator.id
    assert response.headers["Location"].endswith(f"/staff/moderation/proposals/{proposal.id}")
    assert session.get(Service, service.id).name == "Hoole Friendship Café"  # nothing written yet
    page = text_of(client.get(response.headers["Location"]).data)
    assert "Restore" in page and "Hoole Friendship Club" in page and "Every Tuesday" in page
    assert "Restore" in text_of(client.get("/staff/moderation/").data)

    sign_in(client, other)
    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": "approve"}
    )

    assert response.status_code == 302
    session.expire_all()
    live = live_record(session, service.id)
    assert same_content(live, original)
    restored = session.get(Service, service.id)
    assert restored.name == "Hoole Friendship Club" and restored.minimum_age == 50
    assert [p.number for c in restored.contacts for p in c.phones] == ["01632 960001"]
    assert len(restored.schedules) == 1 and len(restored.contacts) == 1
    actions = session.scalars(select(StaffAction.action).order_by(StaffAction.id)).all()
    assert actions[-2:] == ["proposal.restore_requested", "proposal.approve"]


def test_restoring_the_current_version_is_refused(client, session, moderator, edited):
    service, _original = edited
    latest = service_history(session, service)[0]
    sign_in(client, moderator)
    response = client.post(
        f"/staff/services/{service.id}/history/restore",
        data={"at": latest.at.isoformat()},
        follow_redirects=True,
    )
    assert "nothing to restore" in text_of(response.data)
    assert (
        session.scalars(select(Proposal).where(Proposal.kind == ProposalKind.RESTORE)).all() == []
    )


@pytest.mark.parametrize("at", ["", "yesterday", "2026-01-01T00:00:00", "9" * 5000])
def test_a_bad_restore_point_is_a_message_not_an_error(client, session, moderator, edited, at):
    service, _original = edited
    sign_in(client, moderator)
    response = client.post(
        f"/staff/services/{service.id}/history/restore", data={"at": at}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Choose a point in the history" in text_of(response.data)


def test_a_point_before_the_listing_existed_cannot_be_restored(session, moderator, edited):
    from datetime import UTC, datetime

    from directory.moderation.services import ModerationError

    service, _original = edited
    with pytest.raises(ModerationError, match="after the listing was created"):
        request_restore(session, service, datetime(2000, 1, 1, tzinfo=UTC), moderator)


def test_approve_history_and_restore_on_each_database(any_app, any_session):
    """The same round trip at the service level on SQLite and PostgreSQL (timestamps, JSON
    payloads and the change log behave alike)."""
    from directory.accounts.models import StaffRole
    from directory.moderation.needs import waiting_counts
    from directory.staff.services import staff_counts

    session = any_session
    moderator = create_user(session, "mod@council.example.org", staff_role=StaffRole.MODERATOR)
    service = make_service(session, "Hoole Friendship Club")
    session.commit()
    session.expire_all()
    original = live_record(session, service.id)
    payload = edit_of(session, service.id)
    payload["name"] = "Hoole Friendship Café"
    payload["schedules"] = []
    proposal = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=service.organization_id
    )
    with any_app.test_request_context("/"):
        assert staff_counts(session).proposals == 1
        with unit_of_work(session, Actor.user(moderator.id)):
            services.approve(session, proposal, moderator)
        session.expire_all()
        at = _before_the_edit(session, service)
        with unit_of_work(session, Actor.user(moderator.id)):
            restore = request_restore(session, service, at, moderator)
        with unit_of_work(session, Actor.user(moderator.id)):
            services.approve(session, restore, moderator)
    session.expire_all()
    assert same_content(live_record(session, service.id), original)
    assert waiting_counts(session) == (0, 0)
