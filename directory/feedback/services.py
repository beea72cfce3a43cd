"""Record problem reports and forget reply addresses when they are no longer needed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.feedback.models import ProblemReport, ReportState
from directory.listings.models import Service

#: Reply addresses are kept this long, then blanked: long enough for staff to answer.
REPLY_ADDRESS_DAYS = 90
#: What a resolved report's text is kept for (``REPORT_TEXT_DAYS``), then replaced.
REPORT_TEXT_DAYS = 365
#: What a report says once its text has gone: people may have put personal details in it.
REMOVED_TEXT = "(What the reporter wrote was deleted after the report was dealt with.)"


def record_problem(
    session: Session, service: Service, problem: str, reply_email: str | None = None
) -> ProblemReport:
    """Save a report so it reaches the moderators. The caller owns the unit of work and
    commits it before telling the resident the report was sent."""
    report = ProblemReport(
        service_id=service.id, problem=problem.strip(), reply_email=(reply_email or None)
    )
    session.add(report)
    session.flush()
    return report


def open_reports(session: Session, service_id: str | None = None) -> list[ProblemReport]:
    query = select(ProblemReport).where(ProblemReport.resolved_at.is_(None))
    if service_id is not None:
        query = query.where(ProblemReport.service_id == service_id)
    return list(session.scalars(query.order_by(ProblemReport.created_at)))


def purge_reply_addresses(session: Session, days: int = REPLY_ADDRESS_DAYS) -> int:
    """Blank reply addresses on reports older than ``days``, and on any report whose reply has
    been sent (the address has done its job); returns how many were blanked. Running it again
    changes nothing. The caller commits."""
    if days < 1:
        raise ValueError("days must be 1 or more")  # -1 would blank every address at once
    cutoff = utcnow() - timedelta(days=days)
    result = session.execute(
        update(ProblemReport)
        .where(
            ProblemReport.reply_email.is_not(None),
            or_(ProblemReport.created_at < cutoff, ProblemReport.reply_sent_at.is_not(None)),
        )
        .values(reply_email=None)
    )
    return result.rowcount or 0


def purge_report_text(session: Session, days: int = REPORT_TEXT_DAYS) -> int:
    """Replace what the reporter wrote with :data:`REMOVED_TEXT` on reports resolved more than
    ``days`` ago (open and passed-on reports keep it: someone still needs to read it); returns
    how many. The report itself stays, so the staff's record of what was done is kept.
    Running it again changes nothing. The caller commits."""
    if days < 1:
        raise ValueError("days must be 1 or more")
    cutoff = utcnow() - timedelta(days=days)
    result = session.execute(
        update(ProblemReport)
        .where(
            ProblemReport.state == ReportState.RESOLVED,
            ProblemReport.resolved_at.is_not(None),
            ProblemReport.resolved_at < cutoff,
            ProblemReport.problem != REMOVED_TEXT,
        )
        .values(problem=REMOVED_TEXT)
    )
    return result.rowcount or 0


def reports_for_organizations(session: Session, org_ids: Iterable[str]) -> list[ProblemReport]:
    """Reports staff passed to any of these organisations and not yet dealt with, oldest first:
    what an organisation's /manage/ page lists. The reporter's address is on the row but must
    never be shown to an organisation."""
    ids = [org_id for org_id in org_ids if org_id]
    if not ids:
        return []
    query = (
        select(ProblemReport)
        .where(
            ProblemReport.state == ReportState.PASSED,
            ProblemReport.organization_id.in_(ids),
        )
        .order_by(ProblemReport.passed_at, ProblemReport.created_at, ProblemReport.id)
    )
    return list(session.scalars(query))
