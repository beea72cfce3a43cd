"""The inferred-needs queue: needs and client groups the system guessed from a listing's words
(:mod:`directory.inference`), waiting for staff to confirm or reject them.

A guess stays usable while it waits (search already uses it, marked as inferred); confirming
keeps it for good (inference never removes a confirmed term), rejecting keeps the row but never
uses it again (inference never adds it back). Each decision is logged as a staff action on the
listing, and the listing is queued for re-indexing through the change sequence. Nothing here
commits: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.core.ids import utcnow
from directory.inference.models import InferredTerm, ReviewState
from directory.listings.models import ListingChange, Service
from directory.moderation.services import ModerationError, log_action
from directory.taxonomy.models import TaxonomyTerm

PER_PAGE = 20
KIND_LABELS = {"need": "Need", "client_group": "Who it is for"}


@dataclass(frozen=True)
class TermToReview:
    id: str
    name: str
    kind: str
    method: str
    confidence: float
    evidence: str


@dataclass
class ListingNeeds:
    service_id: str
    name: str
    description: str = ""
    terms: list[TermToReview] = field(default_factory=list)


@dataclass(frozen=True)
class NeedsPage:
    listings: list[ListingNeeds]
    page: int
    pages: int
    listing_count: int
    term_count: int


def waiting_counts(session: Session) -> tuple[int, int]:
    """(terms, listings) waiting for review."""
    terms, listings = session.execute(
        select(func.count(InferredTerm.id), func.count(func.distinct(InferredTerm.service_id)))
        .where(InferredTerm.review == ReviewState.INFERRED)
    ).one()  # fmt: skip
    return int(terms or 0), int(listings or 0)


def needs_queue(session: Session, page: int = 1, per_page: int = PER_PAGE) -> NeedsPage:
    """Listings with terms to review, the longest-waiting first, ``per_page`` at a time."""
    term_count, listing_count = waiting_counts(session)
    pages = max(1, -(-listing_count // per_page))
    page = min(max(1, page), pages)
    oldest = func.min(InferredTerm.created_at)
    ids = list(
        session.scalars(
            select(InferredTerm.service_id)
            .where(InferredTerm.review == ReviewState.INFERRED)
            .group_by(InferredTerm.service_id)
            .order_by(oldest, InferredTerm.service_id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    listings = {sid: ListingNeeds(sid, "") for sid in ids}
    found = session.execute(
        select(Service.id, Service.name, Service.description).where(Service.id.in_(ids))
    )
    for sid, name, description in found:
        listings[sid].name = name
        words = " ".join((description or "").split())
        listings[sid].description = words if len(words) <= 400 else words[:399] + "…"
    rows = session.execute(
        select(InferredTerm, TaxonomyTerm.name)
        .join(TaxonomyTerm, TaxonomyTerm.id == InferredTerm.taxonomy_term_id)
        .where(InferredTerm.service_id.in_(ids), InferredTerm.review == ReviewState.INFERRED)
        .order_by(InferredTerm.link_type, InferredTerm.confidence.desc(), TaxonomyTerm.name)
    )
    for row, name in rows:
        listings[row.service_id].terms.append(
            TermToReview(
                row.id,
                name,
                KIND_LABELS.get(row.link_type, row.link_type),
                row.method,
                float(row.confidence),
                row.evidence,
            )
        )
    return NeedsPage(list(listings.values()), page, pages, listing_count, term_count)


def _decide(session: Session, row: InferredTerm, moderator: User, confirm: bool) -> None:
    now = utcnow()
    row.review = ReviewState.CONFIRMED if confirm else ReviewState.REJECTED
    row.updated_at = now
    term = session.get(TaxonomyTerm, row.taxonomy_term_id)
    log_action(
        session,
        moderator,
        "inferred_term.confirm" if confirm else "inferred_term.reject",
        "service",
        row.service_id,
        term_id=row.taxonomy_term_id,
        term=term.name if term else None,
        link_type=row.link_type,
    )


def review_term(session: Session, term_id: str, moderator: User, confirm: bool) -> InferredTerm:
    """Confirm or reject one inferred term that is waiting."""
    row = session.get(InferredTerm, term_id)
    if row is None or row.review != ReviewState.INFERRED:
        raise ModerationError("That term is no longer waiting for review")
    _decide(session, row, moderator, confirm)
    session.add(ListingChange(service_id=row.service_id, changed_at=utcnow()))
    session.flush()
    return row


def confirm_listing(session: Session, service_id: str, moderator: User) -> int:
    """Confirm every waiting term of one listing; how many were confirmed."""
    rows = list(
        session.scalars(
            select(InferredTerm).where(
                InferredTerm.service_id == service_id, InferredTerm.review == ReviewState.INFERRED
            )
        )
    )
    if not rows:
        raise ModerationError("That listing has no terms waiting for review")
    for row in rows:
        _decide(session, row, moderator, True)
    session.add(ListingChange(service_id=service_id, changed_at=utcnow()))
    session.flush()
    return len(rows)
