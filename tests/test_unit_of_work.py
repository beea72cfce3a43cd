"""One owner for each unit of work (directory/core/uow.py) and a real actor on every change.

The unit of work commits what its block did, or nothing; a nested one joins the outer; queued
mail goes to a real SMTP server only once the work is safe, and a refused message undoes the
work. The change log names who did it: a signed-in user, a seed, an import run, a command.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory.core.actor import Actor, current_actor, default_actor, set_actor
from directory.core.mail import MailFailed
from directory.core.uow import QueuedMail, queue_mail, unit_of_work
from directory.db import db
from directory.listings.importer import import_path
from directory.listings.runs import ImportRun
from directory.models import ChangeRecord, ListingChange, Location, Service
from tests.factories import make_service
from tests.mylist.smtp import Inbox, free_port, mail_config, smtp_server

FIXTURES = Path(__file__).parent / "listings" / "fixtures"
MESSY = FIXTURES / "messy_services.json"
MODERATOR = Actor.user("moderator-1")


def _names(app: Flask) -> set[str]:
    """Service names as another connection sees them: only what was committed."""
    with app.app_context(), db.new_session() as other:
        return set(other.scalars(select(Service.name)))


def _logged_by(session: Session, resource_id: str) -> set[str]:
    rows = session.scalars(
        select(ChangeRecord.updated_by).where(ChangeRecord.resource_id == resource_id)
    )
    return set(rows)


def _mail(subject: str = "Your listing is live") -> QueuedMail:
    return QueuedMail("group@example.org", subject, "It is live.", "<p>It is live.</p>")


class TestCommitAndRollback:
    def test_the_block_is_committed_and_logged_as_its_actor(self, app: Flask, session: Session):
        with unit_of_work(session, MODERATOR):
            service = make_service(session, "Hoole Bank Walkers")
            assert current_actor(session) == MODERATOR
        assert "Hoole Bank Walkers" in _names(app)
        assert _logged_by(session, service.id) == {"user:moderator-1"}
        assert "actor" not in session.info, "the actor is only for the unit of work"

    def test_an_exception_rolls_everything_back(self, app: Flask, session: Session):
        with pytest.raises(ValueError), unit_of_work(session, MODERATOR):
            make_service(session, "Upton Tuesday Lunch")
            raise ValueError("the reason could not be saved")
        assert _names(app) == set()
        assert session.scalar(select(func.count()).select_from(ChangeRecord)) == 0
        with unit_of_work(session, MODERATOR):  # the session is usable again
            make_service(session, "Upton Wednesday Lunch")
        assert _names(app) == {"Upton Wednesday Lunch"}

    def test_a_nested_unit_joins_the_outer_one(self, app: Flask, session: Session):
        with pytest.raises(RuntimeError), unit_of_work(session, MODERATOR):
            make_service(session, "Blacon Tea Dance")
            with unit_of_work(session, Actor.system("reports")):
                make_service(session, "Blacon Knit Club")
            assert _names(app) == set(), "only the outermost unit commits"
            raise RuntimeError("the email could not be written")
        assert _names(app) == set(), "the inner unit's work went with the outer one"

    def test_a_nested_unit_logs_its_own_actor_then_gives_it_back(self, app, session: Session):
        with unit_of_work(session, MODERATOR):
            approved = make_service(session, "Neston Repair Cafe")
            with unit_of_work(session, Actor.system("reports")):
                resolved = make_service(session, "Neston Men's Shed")
            assert current_actor(session) == MODERATOR
            after = make_service(session, "Neston Walking Group")
        assert _logged_by(session, approved.id) == {"user:moderator-1"}
        assert _logged_by(session, resolved.id) == {"system:reports"}
        assert _logged_by(session, after.id) == {"user:moderator-1"}


class _Refusing:
    """An SMTP server that takes the envelope and refuses the message itself."""

    async def handle_DATA(self, _server, _session, _envelope) -> str:
        return "554 5.7.1 Message refused"


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    with smtp_server() as server:
        app.config.update(mail_config(server))
        yield server


@pytest.fixture
def refusing_server(app: Flask) -> Iterator[None]:
    port = free_port()
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        yield
    finally:
        controller.stop()


class TestQueuedMail:
    def test_sent_only_when_the_work_commits(self, app: Flask, session: Session, inbox: Inbox):
        with pytest.raises(ValueError), unit_of_work(session, MODERATOR):
            make_service(session, "Whitby Warm Space")
            queue_mail(session, _mail("Never sent"))
            raise ValueError
        assert inbox.messages == []
        with unit_of_work(session, MODERATOR):
            make_service(session, "Whitby Warm Space")
            queue_mail(session, _mail())
            assert inbox.messages == [], "nothing leaves before the block ends"
        assert [m.message["Subject"] for m in inbox.messages] == ["Your listing is live"]
        assert inbox.messages[0].rcpt_tos == ["group@example.org"]
        assert "Whitby Warm Space" in _names(app)

    def test_a_database_error_stops_the_mail(self, app: Flask, session: Session, inbox: Inbox):
        with pytest.raises(IntegrityError), unit_of_work(session, MODERATOR):
            queue_mail(session, _mail())
            session.add(Service(name=None))  # refused by the database: a service needs a name
        assert inbox.messages == [], "the flush fails before any email is sent"

    def test_a_refused_message_leaves_the_database_unchanged(
        self, app: Flask, session: Session, refusing_server: None
    ):
        kept = make_service(session, "Winsford Carers Cafe")
        session.commit()
        counts = _counts(session)
        with pytest.raises(MailFailed), unit_of_work(session, MODERATOR):
            make_service(session, "Winsford Youth Club")
            session.get(Service, kept.id).name = "Winsford Carers Cafe (renamed)"
            queue_mail(session, _mail())
        assert _names(app) == {"Winsford Carers Cafe"}
        assert _counts(session) == counts


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Service, ChangeRecord, ListingChange)
    )


class TestWhoTheLogNames:
    """A seed, an import and a command each name themselves in the change log."""

    @pytest.fixture
    def seeds_dir(self, tmp_path: Path) -> Path:
        folder = tmp_path / "seeds"
        (folder / "listings").mkdir(parents=True)
        taxonomy = {
            "taxonomies": [
                {
                    "id": "5e2b7c10-0000-4000-8000-000000000001",
                    "name": "Community needs",
                    "description": "What people need help with.",
                    "terms": [{"id": "a2000000-0000-4000-8000-000000000001", "name": "Food"}],
                }
            ]
        }
        (folder / "taxonomy.json").write_text(json.dumps(taxonomy))
        (folder / "listings" / "brief.json").write_bytes(MESSY.read_bytes())
        return folder

    def test_a_seed(self, app: Flask, seeds_dir: Path):
        result = app.test_cli_runner().invoke(args=["seed", "--dir", str(seeds_dir)])
        assert result.exit_code == 0, result.output
        with app.app_context():
            authors = set(db.session.scalars(select(ChangeRecord.updated_by)))
        assert authors == {"system:seed"}

    def test_an_import_names_its_run(self, app: Flask):
        result = app.test_cli_runner().invoke(args=["import-hsds", str(MESSY)])
        assert result.exit_code == 0, result.output
        with app.app_context():
            run = db.session.scalars(select(ImportRun)).one()
            authors = set(db.session.scalars(select(ChangeRecord.updated_by)))
        assert authors == {f"import:{run.id}"}

    def test_an_import_from_code_without_a_run(self, session: Session):
        import_path(session, MESSY)
        assert set(session.scalars(select(ChangeRecord.updated_by))) == {"system:import"}

    def test_an_import_keeps_the_callers_actor(self, session: Session):
        set_actor(session, MODERATOR)
        import_path(session, MESSY)
        assert set(session.scalars(select(ChangeRecord.updated_by))) == {"user:moderator-1"}
        assert current_actor(session) == MODERATOR

    def test_a_command(self, app: Flask, session: Session):
        service = make_service(session, "Hoole Memory Cafe", places=("hoole",))
        session.commit()
        location_id = service.service_at_locations[0].location_id
        before = set(session.scalars(select(ChangeRecord.id)))
        result = app.test_cli_runner().invoke(
            args=["places", "set-kind", location_id, "community_hub"]
        )
        assert result.exit_code == 0, result.output
        session.expire_all()
        assert session.get(Location, location_id).kind.value == "community_hub"
        authors = {
            row.updated_by for row in session.scalars(select(ChangeRecord)) if row.id not in before
        }
        assert authors == {"system:places-set-kind"}

    def test_default_actor_keeps_one_already_named(self, session: Session):
        with (
            default_actor(session, Actor.system("seed")) as outer,
            default_actor(session, Actor.system("import")) as inner,
        ):
            assert inner == outer == Actor.system("seed")
        assert "actor" not in session.info
