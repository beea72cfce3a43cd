"""One owner for each unit of work: the caller that opens it commits it, or nothing is kept.

Domain functions (approve an edit, resolve a report, confirm a listing) change the session and
queue their emails; they never commit. The view or command that called them wraps the whole
thing in :func:`unit_of_work`, so "approve the edit, resolve the report, email the group"
either all happens or none of it does:

1. the changes are flushed (constraint errors surface here, before any email leaves);
2. queued emails are sent; if the mail server refuses, everything is rolled back and the
   caller gets :class:`directory.core.mail.MailFailed`;
3. the transaction is committed.

A unit of work opened inside another one joins it: only the outermost commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from directory.core.actor import Actor, set_actor

_DEPTH = "uow_depth"
_OUTBOX = "uow_outbox"


@dataclass(frozen=True)
class QueuedMail:
    """A message to send when the unit of work succeeds. Addresses are never logged."""

    to: str
    subject: str
    text: str
    html: str


def queue_mail(session: Session, mail: QueuedMail) -> None:
    """Send ``mail`` only if the surrounding unit of work commits."""
    session.info.setdefault(_OUTBOX, []).append(mail)


def queued_mail(session: Session) -> list[QueuedMail]:
    return list(session.info.get(_OUTBOX, []))


@contextmanager
def unit_of_work(session: Session, actor: Actor) -> Iterator[Session]:
    """Run a block as one transaction written by ``actor``; see the module docstring."""
    depth = session.info.get(_DEPTH, 0)
    previous = set_actor(session, actor)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.flush()
            _send_outbox(session)
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth
        if depth == 0:
            session.info.pop(_OUTBOX, None)
        if previous is None:
            session.info.pop("actor", None)
        else:
            session.info["actor"] = previous


def _send_outbox(session: Session) -> None:
    outbox: list[QueuedMail] = session.info.pop(_OUTBOX, [])
    if not outbox:
        return
    from directory.extensions import mail

    for item in outbox:
        mail.send(item.to, item.subject, item.text, item.html)
