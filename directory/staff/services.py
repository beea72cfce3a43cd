"""What the staff home counts, and an organisation's standing (trusted, suspended).

Plain functions, callable without a request; none commits (the caller's unit of work does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.feedback.models import ProblemReport
from directory.listings.models import ListingStatus, Organization, Service
from directory.listings.visibility import STALE_AFTER_DAYS, hidden_as_stale_clause
from directory.moderation.models import Claim, ClaimState, Proposal, ProposalState
from directory.moderation.needs import waiting_counts
from directory.moderation.services import log_action


@dataclass(frozen=True)
class StaffCounts:
    proposals: int
    claims: int
    needs_terms: int
    needs_listings: int
    open_reports: int
    stale: int
    hidden: int


def _count(session: Session, query) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def stale_clause(today: date | None = None):  # type: ignore[no-untyped-def]
    """Active listings nobody has checked for over a year (marked on pages, ranked lower)."""
    cutoff = (today or datetime.now(UTC).date()) - timedelta(days=STALE_AFTER_DAYS)
    cutoff_at = datetime.combine(cutoff, time.min, tzinfo=UTC)
    return and_(
        Service.listing_status == ListingStatus.ACTIVE,
        or_(
            Service.assured_date < cutoff,
            and_(
                Service.assured_date.is_(None),
                or_(Service.last_modified.is_(None), Service.last_modified < cutoff_at),
            ),
        ),
    )


def staff_counts(session: Session, today: date | None = None) -> StaffCounts:
    terms, listings = waiting_counts(session)
    return StaffCounts(
        proposals=_count(
            session, select(Proposal.id).where(Proposal.state == ProposalState.SUBMITTED)
        ),
        claims=_count(session, select(Claim.id).where(Claim.state == ClaimState.OPEN)),
        needs_terms=terms,
        needs_listings=listings,
        open_reports=_count(
            session, select(ProblemReport.id).where(ProblemReport.resolved_at.is_(None))
        ),
        stale=_count(session, select(Service.id).where(stale_clause(today))),
        hidden=_count(
            session,
            select(Service.id).where(
                Service.listing_status == ListingStatus.ACTIVE, hidden_as_stale_clause(today)
            ),
        ),
    )


def find_organisations(session: Session, words: str, limit: int = 50) -> list[Organization]:
    """Organisations whose name has ``words`` (all of them if empty), by name."""
    query = select(Organization).order_by(Organization.name, Organization.id).limit(limit)
    words = " ".join(words.split())[:200]
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Organization.name.ilike(f"%{escaped}%", escape="\\"))
    return list(session.scalars(query))


def set_standing(
    session: Session,
    organization: Organization,
    admin: User,
    *,
    trusted: bool,
    suspended: bool,
    reason: str,
) -> list[str]:
    """Set trust and suspension; what changed, in words (empty if nothing did).

    The change log records the old and new values with the admin as actor; suspending takes
    every listing of the organisation off the public site and out of search (the visibility
    rule reads ``is_suspended``; the change hook re-indexes its listings)."""
    changes = []
    if organization.is_trusted != trusted:
        changes.append("now trusted" if trusted else "no longer trusted")
        organization.is_trusted = trusted
    if organization.is_suspended != suspended:
        changes.append("now suspended" if suspended else "no longer suspended")
        organization.is_suspended = suspended
    if changes:
        log_action(session, admin, "organization.update", "organization", organization.id,
                   changes="; ".join(changes), reason=reason,
                   trusted=trusted, suspended=suspended)  # fmt: skip
        session.flush()
    return changes
