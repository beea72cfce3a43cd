"""Record problem reports and forget reply addresses when they are no longer needed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.feedback.models import ProblemReport
from directory.listings.models import Service

#: Reply addresses are kept this long, then blanked: long enough for staff to answer.
REPLY_ADDRESS_DAYS = 90


def record_problem(
    session: Session, service: Service, problem: str, reply_email: str | None = None
) -> ProblemReport:
    """Save a report so it reaches the moderators; commits, because the resident has been
    told it was sent and must not lose what they wrote."""
    report = ProblemReport(
        service_id=service.id, problem=problem.strip(), reply_email=(reply_email or None)
    )
    session.add(report)
    session.commit()
    return report


def open_reports(session: Session, service_id: str | None = None) -> list[ProblemReport]:
    query = select(ProblemReport).where(ProblemReport.resolved_at.is_(None))
    if service_id is not None:
        query = query.where(ProblemReport.service_id == service_id)
    return list(session.scalars(query.order_by(ProblemReport.created_at)))


def purge_reply_addresses(session: Session, days: int = REPLY_ADDRESS_DAYS) -> int:
    """Blank reply addresses on reports older than ``days``; returns how many were blanked."""
    cutoff = utcnow() - timedelta(days=days)
    result = session.execute(
        update(ProblemReport)
        .where(ProblemReport.created_at < cutoff, ProblemReport.reply_email.is_not(None))
        .values(reply_email=None)
    )
    session.commit()
    return result.rowcount or 0
