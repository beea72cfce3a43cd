"""Account emails leave after the request, never inside it (issue 12: "no account enumeration
through messages or timing"), through a durable queue (directory/core/outbox.py).

No timings are measured here. The tests check the structure instead: a reset or a sign-up for
a known and for an unknown address both write exactly one queued row and talk to no SMTP
server during the request; the emails arrive afterwards, from the process's sender thread or
``flask --app wsgi mail send-queued``; a process killed after the request loses nothing; a
sender run twice, or two at once, sends each message once; failures are retried, then given up,
and nothing personal reaches a log line. Every SMTP server here is a real aiosmtpd server.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from directory import create_app
from directory.config import PROJECT_ROOT
from directory.core import outbox
from directory.core.ids import utcnow
from directory.core.outbox import MAX_ATTEMPTS, OutgoingEmail, send_queued
from tests.accounts.conftest import PASSWORD, link_in, page_text, sign_in, sign_up
from tests.conftest import _app_config
from tests.mylist.smtp import Inbox, free_port, mail_config, smtp_server


@dataclass
class CountingInbox(Inbox):
    """An inbox that also counts SMTP conversations (each client says EHLO or HELO first),
    delivered or not."""

    conversations: int = 0

    async def handle_EHLO(self, _server, session, _envelope, hostname, responses):
        self.conversations += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, _server, session, _envelope, hostname):
        self.conversations += 1
        session.host_name = hostname
        return f"250 {_server.hostname}"


def counting_server() -> AbstractContextManager[CountingInbox]:
    return smtp_server(CountingInbox)  # type: ignore[return-value]


@pytest.fixture
def smtp() -> Iterator[CountingInbox]:
    with counting_server() as server:
        yield server


@pytest.fixture
def queue_app(make_app, smtp):
    """An app whose queue only the command sends (``MAIL_QUEUE_THREAD`` off), so a test can
    look at the queue between the request and the sending."""
    return make_app(MAIL_QUEUE_THREAD=False, **mail_config(smtp))


def add_user(app, email: str, **kwargs) -> None:
    with app.app_context():
        from directory.db import db
        from tests.auth import create_user

        create_user(db.session, email, password=PASSWORD, **kwargs)


def rows(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        from directory.db import db

        return [
            (row.kind, row.to_address)
            for row in db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id))
        ]


def send_command(app) -> str:
    result = app.test_cli_runner().invoke(args=["mail", "send-queued"])
    assert result.exit_code == 0, result.output
    return result.output


def reset(client, email):
    return client.post("/account/reset", data={"email": email})


class TestTheRequestSendsNothing:
    def test_known_and_unknown_addresses_do_the_same_work(self, queue_app, smtp):
        add_user(queue_app, "amy@example.org")
        client = queue_app.test_client()

        known = reset(client, "amy@example.org")
        after_known = rows(queue_app)
        unknown = reset(client, "nobody@example.org")
        after_unknown = rows(queue_app)[len(after_known) :]

        assert known.status_code == unknown.status_code == 303
        assert known.headers["Location"] == unknown.headers["Location"]
        assert known.data == unknown.data
        # One queued row each, of the same kind; the unknown address's is a stand-in.
        assert after_known == [("account_reset", "amy@example.org")]
        assert after_unknown == [("account_reset", None)]
        # And no SMTP server was spoken to while either request ran.
        assert smtp.conversations == 0 and smtp.messages == []

        output = send_command(queue_app)
        assert "sent 1" in output and "stand-ins removed 1" in output and "0 still queued" in output
        [message] = smtp.messages
        assert message.rcpt_tos == ["amy@example.org"]
        assert message.message["Subject"].startswith("Reset your password")
        assert rows(queue_app) == []

    def test_a_disabled_account_queues_a_stand_in_too(self, queue_app, smtp):
        add_user(queue_app, "amy@example.org")
        with queue_app.app_context():
            from directory.accounts.models import User
            from directory.db import db

            db.session.scalar(select(User)).is_disabled = True
            db.session.commit()
        reset(queue_app.test_client(), "amy@example.org")
        assert rows(queue_app) == [("account_reset", None)]
        send_command(queue_app)
        assert smtp.conversations == 0 and rows(queue_app) == []

    def test_sign_up_with_a_new_and_a_known_address_queues_one_email_each(self, queue_app, smtp):
        add_user(queue_app, "amy@example.org")
        client = queue_app.test_client()
        known = sign_up(client, "amy@example.org")
        unknown = sign_up(client, "bea@example.org")
        assert known.headers["Location"] == unknown.headers["Location"]
        assert rows(queue_app) == [
            ("account_exists", "amy@example.org"),
            ("account_verify", "bea@example.org"),
        ]
        assert smtp.conversations == 0

        send_command(queue_app)
        assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
            "amy@example.org",
            "bea@example.org",
        ]

    def test_a_mail_server_that_is_down_changes_nothing_a_visitor_sees(self, make_app):
        """Before the queue, a known address got "Sorry, we could not send the email" (503)
        when the server was down, and an unknown one the usual page: another way to tell."""
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
        add_user(app, "amy@example.org")
        client = app.test_client()
        known = reset(client, "amy@example.org")
        unknown = reset(client, "nobody@example.org")
        assert known.status_code == unknown.status_code == 303
        assert known.headers["Location"] == unknown.headers["Location"]
        assert outbox.wait_idle(30)
        # The thread tried, failed and kept the message for a retry.
        with app.app_context():
            from directory.db import db

            [row] = db.session.scalars(select(OutgoingEmail)).all()
            assert row.to_address == "amy@example.org" and row.attempts == 1
            assert row.next_attempt_at > utcnow() and row.claimed_until is None


class TestDelivery:
    def test_a_reset_to_a_known_address_is_delivered_by_the_thread(
        self, app, client, inbox, make_user
    ):
        make_user("amy@example.org")
        assert reset(client, "amy@example.org").status_code == 303
        [message] = inbox.messages  # waits for the process's sender thread to finish
        link = link_in(message, "/account/reset/")
        assert "Choose a new password" in page_text(client.get(link))
        assert rows(app) == [], "the row is deleted once sent"

    def test_the_log_names_the_message_not_the_person(self, app, client, inbox, make_user, caplog):
        make_user("amy@example.org", name="Amy Example")
        with caplog.at_level(logging.DEBUG):
            reset(client, "amy@example.org")
            assert len(inbox.messages) == 1
        lines = [r.getMessage() for r in caplog.records if r.name == "directory.core.outbox"]
        assert any("(account_reset) sent on attempt 1" in line for line in lines), lines
        ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # aiosmtpd's
        everything = " ".join(f"{r.getMessage()} {vars(r)}" for r in ours)
        assert "amy@example.org" not in everything and "Amy Example" not in everything

    def test_running_the_sender_twice_sends_once(self, queue_app, smtp):
        add_user(queue_app, "amy@example.org")
        reset(queue_app.test_client(), "amy@example.org")
        send_command(queue_app)
        assert "sent 0" in send_command(queue_app)
        assert len(smtp.messages) == 1

    def test_a_message_another_sender_holds_is_left_until_its_claim_runs_out(self, queue_app, smtp):
        """A sender that died after claiming a message (perhaps after the server accepted it)
        holds it for ``CLAIM_MINUTES``; then the next run sends it: at least once."""
        add_user(queue_app, "amy@example.org")
        reset(queue_app.test_client(), "amy@example.org")
        with queue_app.app_context():
            from directory.db import db

            row = db.session.scalar(select(OutgoingEmail))
            row.claimed_until = utcnow() + timedelta(minutes=outbox.CLAIM_MINUTES)
            row.claimed_by = "a sender that died"
            db.session.commit()
            assert send_queued(db.session).sent == 0
            later = utcnow() + timedelta(minutes=outbox.CLAIM_MINUTES + 1)
            assert send_queued(db.session, now=later).sent == 1
        assert len(smtp.messages) == 1 and rows(queue_app) == []


class TestRetries:
    def test_a_failed_message_is_retried_then_sent(self, make_app, smtp, caplog):
        down = free_port()
        app = make_app(MAIL_QUEUE_THREAD=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=down)
        add_user(app, "amy@example.org")
        reset(app.test_client(), "amy@example.org")
        with app.app_context(), caplog.at_level(logging.INFO):
            from directory.db import db

            now = utcnow()
            first = send_queued(db.session, now=now)
            assert (first.sent, first.retrying) == (0, 1)
            # Not due again until its retry time, even for a cron run.
            assert send_queued(db.session, now=now).retrying == 0
            app.config.update(mail_config(smtp))  # the server is back
            later = now + timedelta(minutes=outbox.RETRY_MINUTES[0])
            assert send_queued(db.session, now=later).sent == 1
        assert [m.rcpt_tos for m in smtp.messages] == [["amy@example.org"]]
        ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("directory"))
        assert "not sent on attempt 1 (ConnectionRefusedError)" in ours
        assert "amy@example.org" not in ours

    def test_a_message_that_never_goes_is_given_up_and_deleted(self, make_app):
        app = make_app(MAIL_QUEUE_THREAD=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
        add_user(app, "amy@example.org")
        reset(app.test_client(), "amy@example.org")
        with app.app_context():
            from directory.db import db

            moment = utcnow()
            for attempt in range(1, MAX_ATTEMPTS + 1):
                report = send_queued(db.session, now=moment)
                if attempt < MAX_ATTEMPTS:
                    assert report.retrying == 1
                    moment += timedelta(minutes=outbox.RETRY_MINUTES[attempt - 1])
                else:
                    assert report.given_up == 1
        assert rows(app) == [], "the address and the message are gone"


class TestNothingIsLost:
    def test_a_process_killed_after_the_request_loses_nothing(
        self, migrated_sqlite_template, tmp_path: Path, smtp
    ):
        """A real process answers a reset and is killed (SIGKILL) before its thread could
        send: the row was committed with the request, and the command sends it, once."""
        db_path = tmp_path / "crash.sqlite"
        shutil.copy(migrated_sqlite_template, db_path)
        config = _app_config(f"sqlite:///{db_path}", tmp_path) | {
            "RATELIMIT_ENABLED": False,
            **mail_config(smtp),
        }
        script = textwrap.dedent(
            f"""
            import os, signal, sys
            from directory import create_app
            from tests.auth import create_user

            app = create_app({{**{config!r}, "MAIL_QUEUE_THREAD": False}})
            with app.app_context():
                from directory.db import db
                create_user(db.session, "amy@example.org", password={PASSWORD!r})
            response = app.test_client().post("/account/reset", data={{"email": "amy@example.org"}})
            print(response.status_code, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        )
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert done.stdout.strip() == "303"
        assert smtp.messages == [] and smtp.conversations == 0

        survivor = create_app(config)
        try:
            assert rows(survivor) == [("account_reset", "amy@example.org")]
            assert "sent 1" in send_command(survivor)
            send_command(survivor)
            [message] = smtp.messages
            assert message.rcpt_tos == ["amy@example.org"]
            assert "/account/reset/" in message.part("plain")
        finally:
            survivor.extensions["database"].engine.dispose()


class TestConcurrentSenders:
    def test_two_senders_at_once_send_each_message_once(self, postgres_url, tmp_path: Path, smtp):
        """Two senders drain one queue at the same time on PostgreSQL (as a web process's
        thread and a cron run would): every message arrives exactly once."""
        from tests.conftest import _truncate_postgres

        _truncate_postgres(postgres_url)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "DATABASE_URL": postgres_url,
                "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
                "MAIL_QUEUE_THREAD": False,
                **mail_config(smtp),
            }
        )
        try:
            addresses = [f"person{i}-{uuid.uuid4().hex[:6]}@example.org" for i in range(30)]
            with app.app_context():
                from directory.db import db

                for address in addresses:
                    outbox.enqueue(db.session, "account_test", address, "Hello", "Hi", "<p>Hi</p>")
                db.session.commit()

            reports = []
            start = threading.Barrier(2)

            def drain() -> None:
                with app.app_context():
                    from directory.db import db

                    with db.new_session() as session:
                        start.wait()
                        reports.append(send_queued(session))

            workers = [threading.Thread(target=drain) for _ in range(2)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=120)
            assert sum(r.sent for r in reports) == len(addresses)
            received = sorted(m.rcpt_tos[0] for m in smtp.messages)
            assert received == sorted(addresses), "each message exactly once"
            assert rows(app) == []
        finally:
            app.extensions["database"].engine.dispose()


def test_sign_in_still_works_after_a_reset_sent_by_the_thread(client, inbox, make_user):
    """The whole journey with the thread on (the default), as in production."""
    make_user("amy@example.org")
    reset(client, "amy@example.org")
    link = link_in(inbox.messages[0], "/account/reset/")
    new = "orange meadow bicycle 7"
    client.post(link, data={"password": new, "confirm": new})
    assert sign_in(client, password=new).status_code == 303
