"""Outgoing mail that must not be sent inside the request: a table of queued emails, a sender
thread in each process, and ``flask --app wsgi mail send-queued`` for cron.

Why (issue 12, "no account enumeration through messages or timing"): a password reset for an
address with an account used to wait for the SMTP server, one for an unknown address did not,
so the response time told whether an account existed. Account emails
(:func:`directory.accounts.notify.send_account_mail`) are now written here, in the request's
own unit of work, and sent afterwards:

1. :func:`enqueue` adds a row; it is committed with the change that asked for it (a sign-up
   and its confirmation email are kept or lost together), so a crash after the commit loses
   nothing: the row waits for the next sender;
2. after the commit, the process's :class:`Sender` thread is woken (``MAIL_QUEUE_THREAD``) and
   sends whatever is due, outside the request;
3. ``mail send-queued`` (cron, every few minutes) sends anything a crashed process or a failed
   attempt left, with retries ``RETRY_MINUTES`` apart up to ``MAX_ATTEMPTS``.

Each row is *claimed* before it is sent (an UPDATE that only one sender can win: its
``claimed_until`` must be empty or past), so a thread and a cron run, or two processes, never
send the same message twice. A sender that dies between the SMTP server's "accepted" and the
row's deletion leaves a claim that runs out after ``CLAIM_MINUTES``; the message is then sent
again (at least once, never lost).

Personal data: a row holds the address and the message until it is sent, then it is deleted
at once; one that still fails after ``MAX_ATTEMPTS`` is deleted too. Log lines name the row's
id, its kind (the template, "account_reset") and the attempt: never an address or a body.

A row with no address is a *stand-in*: a reset asked for an address with no account queues
one, so the request writes one row whatever the address (docs/accounts.md, "Email"). The
sender deletes it without sending anything.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import Integer, String, Text, delete, event, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from directory.config import as_bool
from directory.core.ids import new_id, utcnow
from directory.core.mail import MailFailed, MailRefused
from directory.core.types import UTCDateTime
from directory.db import Base

log = logging.getLogger(__name__)

#: Tries before a message is given up (and deleted); minutes to wait after each failure.
RETRY_MINUTES = (1, 2, 5, 10, 20, 30, 60, 60, 60, 60, 60)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
#: How long a claim keeps other senders off a message being sent.
CLAIM_MINUTES = 10
#: Rows read per query while draining the queue.
BATCH = 50
_WAKE = "outbox_wake"


class OutgoingEmail(Base):
    """One queued email; deleted as soon as it is sent (migration 0018)."""

    __tablename__ = "outgoing_email"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: The template it came from ("account_reset"): what log lines say instead of an address.
    kind: Mapped[str] = mapped_column(String(64))
    #: None for a stand-in (nothing to send).
    to_address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    text_body: Mapped[str | None] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(36))


# Queueing ---------------------------------------------------------------------------------


def enqueue(
    session: Session, kind: str, to: str | None, subject: str, text: str, html: str
) -> None:
    """Queue one email (``to`` None: a stand-in, nothing is sent). It is written when the
    caller's unit of work commits, and the sender is woken then; nothing is sent here."""
    if to is None:
        session.add(OutgoingEmail(kind=kind))
    else:
        session.add(
            OutgoingEmail(kind=kind, to_address=to, subject=subject, text_body=text, html_body=html)
        )
    if not session.info.get(_WAKE):
        session.info[_WAKE] = True
        event.listen(session, "after_commit", _wake_after_commit, once=True)


def _wake_after_commit(session: Session) -> None:
    session.info.pop(_WAKE, None)
    if has_app_context():
        wake(current_app._get_current_object())  # type: ignore[attr-defined]


# Sending ----------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What one run did, in counts (the command prints it)."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    stand_ins: int = 0

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, to retry {self.retrying}, given up {self.given_up}, "
            f"stand-ins removed {self.stand_ins}"
        )


def _due(session: Session, now: datetime, after_id: int) -> list[int]:
    return list(
        session.scalars(
            select(OutgoingEmail.id)
            .where(
                OutgoingEmail.id > after_id,
                OutgoingEmail.next_attempt_at <= now,
                or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until < now),
            )
            .order_by(OutgoingEmail.id)
            .limit(BATCH)
        )
    )


def _claim(session: Session, row_id: int, now: datetime) -> str | None:
    """Take ``row_id`` for this sender, or None if another sender holds it (or sent it)."""
    token = new_id()
    claimed = session.execute(
        update(OutgoingEmail)
        .where(
            OutgoingEmail.id == row_id,
            or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(minutes=CLAIM_MINUTES), claimed_by=token)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return token if claimed.rowcount == 1 else None


def _forget(session: Session, row_id: int, token: str) -> None:
    session.execute(
        delete(OutgoingEmail)
        .where(OutgoingEmail.id == row_id, OutgoingEmail.claimed_by == token)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _reason(exc: BaseException) -> str:
    """Why a send failed, as an exception type name: :class:`MailFailed` carries the
    underlying one's (never its text, which can quote an address)."""
    return str(exc) if isinstance(exc, MailFailed) else type(exc).__name__


def send_queued(session: Session, now: datetime | None = None) -> SendReport:
    """Send every queued email that is due, one claim at a time; needs an app context (the
    mail settings). Safe to run in several processes at once."""
    report = SendReport()
    last_id = 0
    while ids := _due(session, now or utcnow(), last_id):
        for row_id in ids:
            last_id = row_id
            _send_one(session, row_id, now or utcnow(), report)
    return report


def _send_one(session: Session, row_id: int, now: datetime, report: SendReport) -> None:
    from directory.extensions import mail

    token = _claim(session, row_id, now)
    if token is None:
        return
    row = session.get(OutgoingEmail, row_id, populate_existing=True)
    if row is None:  # deleted since the claim: nothing to do
        session.commit()
        return
    kind, attempt = row.kind, (row.attempts or 0) + 1
    message = (row.to_address, row.subject or "", row.text_body or "", row.html_body or "")
    session.commit()  # no transaction stays open while the mail server is talked to
    if message[0] is None:
        _forget(session, row_id, token)
        report.stand_ins += 1
        return
    try:
        mail.send(*message)
    except MailRefused:
        _forget(session, row_id, token)
        report.given_up += 1
        log.warning("Queued email %s (%s) refused: not one valid address", row_id, kind)
    except Exception as exc:  # any failure counts as one: the message is kept and retried
        if attempt >= MAX_ATTEMPTS:
            _forget(session, row_id, token)
            report.given_up += 1
            log.warning(
                "Queued email %s (%s) given up after %d attempts (%s)",
                row_id, kind, attempt, _reason(exc),
            )  # fmt: skip
            return
        wait = RETRY_MINUTES[attempt - 1]
        session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == row_id, OutgoingEmail.claimed_by == token)
            .values(
                attempts=attempt,
                next_attempt_at=now + timedelta(minutes=wait),
                claimed_until=None,
                claimed_by=None,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        report.retrying += 1
        log.warning(
            "Queued email %s (%s) not sent on attempt %d (%s); next try in %d min",
            row_id, kind, attempt, _reason(exc), wait,
        )  # fmt: skip
    else:
        _forget(session, row_id, token)
        report.sent += 1
        log.info("Queued email %s (%s) sent on attempt %d", row_id, kind, attempt)


def queued_count(session: Session) -> int:
    """Messages waiting (stand-ins included)."""
    return session.scalar(select(func.count()).select_from(OutgoingEmail)) or 0


# The thread in each process -----------------------------------------------------------------


class Sender:
    """Sends an app's queue from a daemon thread, started when a commit queued mail and ended
    when the queue has nothing due. One per app per process (after a fork, the child starts
    its own: threads do not survive ``fork``)."""

    def __init__(self, app: Flask) -> None:
        self._app = weakref.ref(app)
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._wanted = False
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        if self._pid != os.getpid():
            self._reset()
        with self._lock:
            self._wanted = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mail-queue", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._thread = None
                    self._idle.notify_all()
                    return
                self._wanted = False
            app = self._app()
            if app is None:
                continue
            try:
                from directory.db import db

                with app.app_context(), db.new_session() as session:
                    send_queued(session)
            except Exception:  # the queue is kept: the next wake or cron retries
                log.exception("The mail queue sender stopped early; the queue is kept")

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is being sent or waiting to be (tests; a graceful stop)."""
        if self._pid != os.getpid():
            return True
        with self._lock:
            return self._idle.wait_for(
                lambda: self._thread is None and not self._wanted, timeout=timeout
            )


_SENDERS: weakref.WeakSet[Sender] = weakref.WeakSet()


def sender_for(app: Flask) -> Sender:
    sender = app.extensions.get("mail_queue")
    if sender is None:
        sender = app.extensions["mail_queue"] = Sender(app)
        _SENDERS.add(sender)
    return sender


def wake(app: Flask) -> None:
    """Start sending ``app``'s queue now, unless ``MAIL_QUEUE_THREAD`` is off (cron only)."""
    if as_bool(app.config.get("MAIL_QUEUE_THREAD", True), "MAIL_QUEUE_THREAD"):
        sender_for(app).wake()


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait until every sender in this process has finished (tests read the inbox after)."""
    return all(sender.wait_idle(timeout) for sender in list(_SENDERS))


# The command --------------------------------------------------------------------------------

mail_cli = AppGroup("mail", help="Outgoing email queued by account pages.")


@mail_cli.command("send-queued")
def send_queued_command() -> None:
    """Send queued emails that are due (retries included); safe to run twice and from cron."""
    from directory.db import db

    with db.new_session() as session:
        report = send_queued(session)
        waiting = queued_count(session)
    click.echo(f"Queued email: {report}; {waiting} still queued.")


def register(app: Any) -> None:
    app.cli.add_command(mail_cli)
