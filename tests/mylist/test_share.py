"""Share links: made from the list without notes, viewed by anyone with the link until they
expire (then 410), copied into another person's list, and purged by the CLI command, on SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from directory.core.ids import utcnow
from directory.db import db
from directory.models import ListingStatus, Service, SharedList
from directory.mylist.cli import register
from directory.mylist.services import (
    create_shared_list,
    find_shared_list,
    is_expired,
    purge_expired,
)
from tests.factories import make_service
from tests.mylist.conftest import add, load_data, text
from tests.public.conftest import PublicData

NOTE = "Ask for Sam on reception"


def make_link(client, data: PublicData) -> str:
    add(client, data.demo.id, "/")
    add(client, data.service("Blacon Food Bank").id, "/")
    client.post(f"/my-list/{data.demo.id}/note", data={"note": NOTE})
    response = client.post("/my-list/share")
    assert response.status_code == 303
    match = re.fullmatch(r"/my-list/shared/([\w-]+)\?created=1", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


class TestCreate:
    def test_page_says_what_the_link_holds_before_making_it(self, client, data: PublicData):
        add(client, data.demo.id, "/")
        client.post(f"/my-list/{data.demo.id}/note", data={"note": NOTE})
        page = text(client, "/my-list/share")
        assert "The link does not include your notes." in page
        assert "Anyone with the link can see the list." in page
        assert "The link stops working after 28 days." in page
        assert "print your list" in page, "how to pass notes on instead"

    def test_link_holds_only_public_service_ids(self, app, client, data: PublicData):
        token = make_link(client, data)
        with app.app_context():
            shared = db.session.get(SharedList, token)
            assert shared.service_ids == [data.demo.id, data.service("Blacon Food Bank").id]
            assert shared.expires_at - shared.created_at == timedelta(days=28)
            row = db.session.execute(select(SharedList.__table__)).one()
            assert NOTE not in str(row)
        assert len(token) >= 43

    def test_creator_sees_the_link_and_no_notes(self, client, data: PublicData):
        token = make_link(client, data)
        html = client.get(f"/my-list/shared/{token}?created=1").data.decode()
        assert "Your link is ready" in html
        assert f'value="http://localhost/my-list/shared/{token}"' in html
        assert NOTE not in html

    def test_creator_is_not_offered_to_add_what_they_already_have(self, client, data):
        token = make_link(client, data)
        page = text(client, f"/my-list/shared/{token}?created=1")
        assert "These services are on your list" in page
        assert "Add these services to my list" not in page
        client.post(f"/my-list/shared/{token}/copy")
        assert "These services were already on your list." in text(client, "/my-list")

    def test_days_are_configurable(self, make_app):
        app = make_app(SHARED_LIST_DAYS=7)
        data = load_data(app)
        client = app.test_client()
        token = make_link(client, data)
        with app.app_context():
            shared = db.session.get(SharedList, token)
            assert shared.expires_at - shared.created_at == timedelta(days=7)

    def test_tokens_are_random(self, session, data: PublicData):
        tokens = {create_shared_list(session, [data.demo.id], days=28).token for _ in range(20)}
        assert len(tokens) == 20
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)

    def test_empty_list_cannot_be_shared(self, client, data: PublicData):
        assert "There are no services on your list to share." in text(client, "/my-list/share")
        assert client.post("/my-list/share").status_code == 200


class TestView:
    def test_anyone_with_the_link_sees_the_services(self, app, client, data: PublicData):
        token = make_link(client, data)
        stranger = app.test_client()
        page = text(stranger, f"/my-list/shared/{token}")
        assert "Someone shared this list of services with you." in page
        assert "Hoole Demonstration Lunch Club" in page
        assert "Demonstration listing: not a real service." in page
        assert "Blacon Food Bank" in page
        assert "Every Friday, midday to 3pm" in page
        assert NOTE not in page
        assert "Your link is ready" not in page

    def test_withdrawn_services_are_left_out(self, app, client, data: PublicData):
        token = make_link(client, data)
        with app.app_context():
            db.session.get(Service, data.demo.id).listing_status = ListingStatus.DRAFT
            db.session.commit()
        page = text(app.test_client(), f"/my-list/shared/{token}")
        assert "Hoole Demonstration Lunch Club" not in page
        assert "1 service on this list is no longer listed" in page

    def test_expired_link_is_gone(self, app, client, data: PublicData):
        token = make_link(client, data)
        with app.app_context():
            db.session.get(SharedList, token).expires_at = utcnow() - timedelta(minutes=1)
            db.session.commit()
        page = text(app.test_client(), f"/my-list/shared/{token}", status=410)
        assert "This link has expired" in page
        assert "Blacon Food Bank" not in page

    def test_unknown_or_malformed_tokens(self, client, data: PublicData):
        for token in ("x" * 43, "short", "not a token!", "a" * 65):
            page = text(client, f"/my-list/shared/{token}", status=404)
            assert "Link not found" in page

    def test_copy_into_my_own_list(self, app, client, data: PublicData):
        token = make_link(client, data)
        other = app.test_client()
        add(other, data.service("Blacon Food Bank").id, "/")
        response = other.post(f"/my-list/shared/{token}/copy")
        assert response.headers["Location"] == "/my-list"
        page = text(other, "/my-list")
        assert "Added 1 service to your list." in page
        assert "You have 2 services on your list." in page
        assert NOTE not in page

    def test_copy_of_expired_link(self, app, client, data: PublicData):
        token = make_link(client, data)
        with app.app_context():
            db.session.get(SharedList, token).expires_at = utcnow() - timedelta(days=1)
            db.session.commit()
        other = app.test_client()
        response = other.post(f"/my-list/shared/{token}/copy")
        assert response.headers["Location"] == f"/my-list/shared/{token}"
        assert "Your list is empty." in text(other, "/my-list")
        assert other.post("/my-list/shared/nonsense/copy").status_code == 404


class TestPurge:
    def test_purge_on_both_databases(self, any_session):
        service = make_service(any_session, "Neston Men's Shed", places=("neston",))
        any_session.commit()
        now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
        old = create_shared_list(any_session, [service.id], days=28, now=now - timedelta(days=40))
        ended = create_shared_list(any_session, [service.id], days=1, now=now - timedelta(days=1))
        live = create_shared_list(any_session, [service.id], days=28, now=now)
        assert is_expired(old, now) and is_expired(ended, now) and not is_expired(live, now)
        assert purge_expired(any_session, now) == 2
        remaining = any_session.scalars(select(SharedList.token)).all()
        assert remaining == [live.token]
        assert find_shared_list(any_session, live.token).service_ids == [service.id]
        assert find_shared_list(any_session, old.token) is None

    def test_cli_command(self, app, client, data: PublicData):
        token = make_link(client, data)
        make_link(client, data)
        with app.app_context():
            db.session.get(SharedList, token).expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
        register(app)
        result = app.test_cli_runner().invoke(args=["mylist", "purge-expired"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "Deleted 1 expired share link."
        assert text(client, f"/my-list/shared/{token}", status=404)
        result = app.test_cli_runner().invoke(args=["mylist", "purge-expired"])
        assert result.output.strip() == "Deleted 0 expired share links."
