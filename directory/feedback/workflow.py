"""What staff and organisations do with a problem report: resolve it (optionally replying to
the person who sent it), pass it to the organisation that runs the service, or, as that
organisation, mark it dealt with.

Plain functions over a session: they change rows, log staff actions and queue emails, and never
commit. The caller wraps each in one :func:`directory.core.uow.unit_of_work`, so "resolve, log,
email the reporter, forget their address" happens entirely or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import Membership, User
from directory.core.ids import utcnow
from directory.core.uow import QueuedMail, queue_mail
from directory.feedback.models import ProblemReport, ReportState
from directory.feedback.services import REPLY_ADDRESS_DAYS
from directory.staff.models import StaffAction

#: One plain address, nothing that a mail header could read as two.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ReportActionError(ValueError):
    """The action does not fit the report's state (a double submit, a stale page) or cannot
    be done; the message is written for the person who tried."""


def reply_days(config: Mapping[str, Any]) -> int:
    """How long reply addresses are kept at most (the privacy notice shows this number):
    ``REPORT_REPLY_DAYS`` from the app config (directory/config.py reads the environment),
    else 90."""
    value = config.get("REPORT_REPLY_DAYS")
    try:
        days = int(value) if value else REPLY_ADDRESS_DAYS
    except (TypeError, ValueError):
        days = REPLY_ADDRESS_DAYS
    return max(days, 1)


def can_reply(report: ProblemReport) -> bool:
    return bool(report.reply_email) and bool(_PLAIN_ADDRESS.fullmatch(report.reply_email or ""))


# Reading ------------------------------------------------------------------------------------


def state_counts(session: Session) -> dict[ReportState, int]:
    rows = session.execute(
        select(ProblemReport.state, func.count()).group_by(ProblemReport.state)
    ).all()
    counts = dict.fromkeys(ReportState, 0)
    counts.update({ReportState(state): count for state, count in rows})
    return counts


def reports_in_state(
    session: Session, state: ReportState, *, page: int = 1, per_page: int = 50
) -> list[ProblemReport]:
    """Open and passed reports oldest first (the longest wait at the top); resolved ones most
    recently resolved first."""
    query = select(ProblemReport).where(ProblemReport.state == state)
    if state == ReportState.RESOLVED:
        query = query.order_by(ProblemReport.resolved_at.desc(), ProblemReport.id)
    else:
        query = query.order_by(ProblemReport.created_at, ProblemReport.id)
    offset = (max(page, 1) - 1) * per_page
    return list(session.scalars(query.offset(offset).limit(per_page)))


def organisation_members(session: Session, organization_id: str) -> list[User]:
    """People who can read a passed report: verified, enabled members of the organisation."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization_id,
            User.email_verified_at.is_not(None),
            User.is_disabled.is_(False),
        )
        .order_by(User.email)
    )
    return list(session.scalars(query))


# Acting -------------------------------------------------------------------------------------


def _log(
    session: Session, staff_id: str, action: str, report: ProblemReport, **detail: Any
) -> None:
    session.add(
        StaffAction(
            user_id=staff_id,
            action=action,
            target_type="problem_report",
            target_id=report.id,
            detail={"service_id": report.service_id, **detail},
        )
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _queue_reply(session: Session, report: ProblemReport, reply: str, service_name: str) -> None:
    """Email the reporter, mark the reply sent and forget their address: it has done its job."""
    if not can_reply(report):
        raise ReportActionError("There is no usable reply address on this report.")
    context = {"reply": reply, "listing_name": service_name}
    queue_mail(
        session,
        QueuedMail(
            to=report.reply_email or "",
            subject=_one_line(f"Your report about {service_name}"),
            text=render_template("feedback/mail/reply.txt", **context),
            html=render_template("feedback/mail/reply.html", **context),
        ),
    )
    report.reply_sent_at = utcnow()
    report.reply_email = None


def resolve(
    session: Session, report: ProblemReport, staff_id: str, resolution: str, reply: str | None
) -> None:
    """Staff close a report, saying what was done; ``reply`` (if any) is emailed."""
    if report.state == ReportState.RESOLVED:
        raise ReportActionError("This report has already been resolved.")
    if reply and not can_reply(report):
        raise ReportActionError("This report has no reply address, so no reply can be sent.")
    report.state = ReportState.RESOLVED
    report.resolved_at = utcnow()
    report.resolved_by = staff_id
    report.resolution = resolution
    if reply:
        _queue_reply(session, report, reply, report.service.name)
    _log(session, staff_id, "report.resolve", report, replied=bool(reply))


def send_reply(session: Session, report: ProblemReport, staff_id: str, reply: str) -> None:
    """Staff reply after the report was resolved (by the organisation, say)."""
    if report.reply_sent_at is not None:
        raise ReportActionError("A reply has already been sent for this report.")
    _queue_reply(session, report, reply, report.service.name)
    _log(session, staff_id, "report.reply", report)


def pass_to_organisation(
    session: Session, report: ProblemReport, staff_id: str, report_url: str
) -> int:
    """Hand the report to the organisation that runs the service and email its members a link
    (``report_url``, their page for it) -- never the reporter's address, never the text, which
    they read once signed in. Returns how many people were emailed."""
    if report.state != ReportState.OPEN:
        raise ReportActionError("Only an open report can be passed to the organisation.")
    service = report.service
    if not service.organization_id:
        raise ReportActionError("This listing has no organisation to pass the report to.")
    members = organisation_members(session, service.organization_id)
    if not members:
        raise ReportActionError(
            "Nobody from this organisation has an account yet, so they could not read the "
            "report. Resolve it yourself or edit the listing."
        )
    report.state = ReportState.PASSED
    report.passed_at = utcnow()
    report.organization_id = service.organization_id
    organisation = service.organization.name if service.organization else service.name
    context = {"listing_name": service.name, "organisation": organisation, "url": report_url}
    text = render_template("feedback/mail/passed.txt", **context)
    html = render_template("feedback/mail/passed.html", **context)
    subject = _one_line(f"A problem has been reported with your listing for {service.name}")
    for member in members:
        queue_mail(session, QueuedMail(to=member.email, subject=subject, text=text, html=html))
    _log(session, staff_id, "report.pass", report, organization_id=service.organization_id)
    return len(members)


def mark_dealt_with(
    session: Session, report: ProblemReport, member_id: str, resolution: str
) -> None:
    """The organisation closes a report passed to it. The caller has checked membership."""
    if report.state != ReportState.PASSED:
        raise ReportActionError("This report has already been dealt with.")
    report.state = ReportState.RESOLVED
    report.resolved_at = utcnow()
    report.resolved_by = member_id
    report.resolution = resolution
