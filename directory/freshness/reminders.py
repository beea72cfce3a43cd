"""``send-reminders``: email the people who keep a listing at 6 and 11 months since its last
check, with a one-click "still correct" link and a link to update it.

Safe to run twice, from cron, or on two machines at once: each listing is one unit of work
that records its reminder (unique per listing, stage and check cycle) and sends its emails, so
either both happen or neither does. A second run finds the reminder recorded and sends nothing;
a race loses on the unique key before any email leaves (the row is flushed first). A crash
between two listings re-sends nothing already recorded.

Email addresses are used to send and dropped: the report and the log carry counts only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory.core import urls
from directory.core.actor import Actor
from directory.core.ids import new_id
from directory.core.mail import MailFailed
from directory.core.uow import QueuedMail, queue_mail, unit_of_work
from directory.freshness import services, tokens
from directory.freshness.models import STAGES, FreshnessReminder
from directory.listings.models import Service

log = logging.getLogger(__name__)

ACTOR = Actor.system("send-reminders")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
#: Where an organisation edits its listing (the manage pages; sign-in needed).
EDIT_PATH = "/manage/services/{service_id}/edit"
SUBJECTS = {
    6: "Is your listing still correct? {name}",
    11: "Please check your listing soon: {name}",
}


@dataclass
class ReminderReport:
    """Counts only: no names, no addresses (this is printed and may be mailed by cron)."""

    today: date
    dry_run: bool = False
    sent: dict[int, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    emails: int = 0
    already: int = 0
    no_address: int = 0
    failed: int = 0

    def lines(self) -> list[str]:
        verb = "would be sent" if self.dry_run else "sent"
        note = " (dry run)" if self.dry_run else ""
        out = [f"Freshness reminders for {self.today.isoformat()}{note}:"]
        for stage in STAGES:
            out.append(f"  {stage}-month reminders {verb}: {self.sent[stage]}")
        out.append(f"  emails {verb}: {self.emails}")
        out.append(f"  already reminded for their last check: {self.already}")
        out.append(
            f"  no address to send to: {self.no_address}"
            + (" (listed on /staff/freshness)" if self.no_address else "")
        )
        if self.failed:
            out.append(
                f"  not sent, the mail server refused: {self.failed} (tried again on the next run)"
            )
        return out


@dataclass(frozen=True)
class Due:
    service_id: str
    stage: int
    cycle: date


def due_reminders(session: Session, today: date, report: ReminderReport) -> list[Due]:
    """The reminders to send on ``today`` (counting in ``report`` those already sent)."""
    cycles: dict[str, date] = {}
    query = services.kept_listings(today, min(STAGES), *services.CLOCK_COLUMNS)
    for service in session.execute(query):
        cycle = services.reminder_cycle(service)
        if cycle is not None and services.reached_stage(cycle, today) is not None:
            cycles[service.id] = cycle
    sent = services.sent_stages(session, cycles)
    due = []
    for service_id, cycle in sorted(cycles.items()):
        stage = services.due_stage(cycle, today, set(sent[service_id]))
        if stage is None:
            report.already += 1
        else:
            due.append(Due(service_id, stage, cycle))
    return due


def send_reminders(
    session: Session, today: date | None = None, *, dry_run: bool = False
) -> ReminderReport:
    """Send every reminder due on ``today`` (default: today, UTC); see the module docstring."""
    today = today or services.today_utc()
    report = ReminderReport(today=today, dry_run=dry_run)
    for due in due_reminders(session, today, report):
        if dry_run:
            count = _would_remind(session, due)
        else:
            try:
                with unit_of_work(session, ACTOR):
                    count = _remind(session, due, today)
            except IntegrityError:  # another run recorded it first: it sent the emails
                report.already += 1
                continue
            except MailFailed:
                report.failed += 1
                continue
        if count:
            report.sent[due.stage] += 1
            report.emails += count
        else:
            report.no_address += 1
    log.info(
        "freshness reminders: %s",
        {"sent": report.sent, "emails": report.emails, "already": report.already,
         "no_address": report.no_address, "failed": report.failed, "dry_run": dry_run},
    )  # fmt: skip
    return report


def _would_remind(session: Session, due: Due) -> int:
    """How many people :func:`_remind` would email (for ``--dry-run``: nothing is written)."""
    service = session.get(Service, due.service_id)
    return len(services.recipients(session, service)[1]) if service is not None else 0


def _remind(session: Session, due: Due, today: date) -> int:
    """Record one reminder and queue its emails; returns how many people it goes to."""
    service = session.get(Service, due.service_id)
    if service is None:
        return 0
    kind, addresses = services.recipients(session, service)
    if not addresses:
        return 0
    now = datetime.now(UTC)
    days = int(current_app.config.get("REMINDER_LINK_DAYS") or services.DEFAULT_LINK_DAYS)
    reminder = FreshnessReminder(
        id=new_id(),
        service_id=service.id,
        stage=due.stage,
        cycle=due.cycle,
        sent_at=now,
        recipients=len(addresses),
        expires_at=now + timedelta(days=days),
    )
    token, reminder.token_hash = tokens.new_token(reminder.id)
    session.add(reminder)
    session.flush()  # the unique key decides here, before any email is queued
    subject = SUBJECTS[due.stage].format(name=_one_line(service.name))
    text, html = _render(service, reminder, token, kind, today)
    for address in addresses:
        queue_mail(session, QueuedMail(address, subject, text, html))
    return len(addresses)


def _render(
    service: Service, reminder: FreshnessReminder, token: str, kind: str | None, today: date
) -> tuple[str, str]:
    from directory.extensions import mail

    context: dict[str, Any] = {
        "service": service,
        "organisation_name": service.organization.name if service.organization else "",
        "stage": reminder.stage,
        "last_checked": reminder.cycle,
        "stale_on": services.stale_on(service),
        "hidden_on": services.hidden_on(service),
        "today": today,
        "expires_on": reminder.expires_at.date(),
        "confirm_url": absolute_url("freshness.confirm", token=token),
        "edit_url": public_base_url() + EDIT_PATH.format(service_id=service.id),
        "sign_in_url": public_base_url() + "/account/sign-in",
        "kind": kind,
    }
    return mail.render("freshness_reminder", **context)


def public_base_url() -> str:
    """``PUBLIC_BASE_URL`` without its trailing slash: cron has no request to take it from
    (the one helper, :mod:`directory.core.urls`)."""
    return urls.public_base_url()


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute link to one of our pages, built without a request."""
    return urls.external_url(endpoint, **values)


def _one_line(text: str | None) -> str:
    return " ".join((text or "your listing").split())[:120]
