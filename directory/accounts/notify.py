"""What account changes send and record: emails to the account's owner, and the staff log.

Email addresses go into the message and nowhere else; the staff log holds ids and roles.

Account emails are never sent inside the request: they are queued in the request's unit of
work (:mod:`directory.core.outbox`) and sent once it has committed, by the process's sender
thread or ``mail send-queued``. So a page answers in the same time whether or not it emailed
anyone, and whatever the mail server is doing (docs/accounts.md, "Email").
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from directory.accounts.models import Membership, User
from directory.accounts.tokens import Purpose, make_token
from directory.core.outbox import enqueue
from directory.core.urls import external_url
from directory.extensions import mail
from directory.staff.models import StaffAction


def send_account_mail(
    session: Session,
    user: User,
    subject: str,
    template: str,
    *,
    deliver: bool = True,
    **context: Any,
) -> None:
    """Render ``mail/account_<template>.txt|.html`` and queue it to ``user``'s address; it is
    sent after the unit of work commits, never during the request.

    ``deliver=False`` does the same work and queues a stand-in with no address and no body,
    which the sender drops: for an address with no account, so the request is the same."""
    service_name = current_app.config.get("SERVICE_NAME", "Find help in your community")
    context.setdefault("name", user.name)
    text, html = mail.render(
        f"account_{template}",
        service_name=service_name,
        sign_in_url=external_url("accounts.sign_in"),
        reset_url=external_url("accounts.reset"),
        **context,
    )
    enqueue(
        session,
        f"account_{template}",
        user.email if deliver else None,
        f"{subject} - {service_name}",
        text,
        html,
    )


def describe_hours(hours: float) -> str:
    """How long a link lasts, in words: "30 minutes", "1 hour", "48 hours", "7 days"."""
    if hours < 1:
        minutes = round(hours * 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def token_link(endpoint: str, user: User, purpose: Purpose) -> str:
    """An absolute link carrying a signed, single-use token for ``user``."""
    return external_url(endpoint, token=make_token(user, purpose))


def log_staff_action(
    session: Session,
    by: User | None,
    action: str,
    target: User | Membership,
    **detail: Any,
) -> None:
    """One line in the staff log; ``by`` None is the command line. ``detail``: ids, roles and
    states only, never a name or an address."""
    if by is None:
        detail.setdefault("via", "command line")
    session.add(
        StaffAction(
            user_id=by.id if by else None,
            action=action,
            target_type="user" if isinstance(target, User) else "membership",
            target_id=target.id,
            detail=detail,
        )
    )
