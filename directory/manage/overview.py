"""What ``/manage/`` shows for one organisation: its live listings, its proposals and claims
with where each stands, and the problem reports staff passed to it.

Reports come from the reports part (``directory.feedback.services.reports_for_organizations``);
until that function exists the section says so rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import ListingStatus, Organization, Service
from directory.listings.visibility import is_public, last_checked
from directory.manage.services import OPEN_STATES, listing_name, open_edit, organisation_name
from directory.moderation.models import Claim, Proposal, ProposalState

#: Listings in these states are history, not something to keep up to date.
_GONE = (ListingStatus.CLOSED, ListingStatus.RETIRED)
#: Most proposals shown (newest first); withdrawn ones are left out.
MAX_PROPOSALS = 50


@dataclass
class ListingRow:
    service: Service
    public: bool
    last_checked: date | None
    open_edit: Proposal | None


@dataclass
class ProposalRow:
    proposal: Proposal
    name: str


@dataclass
class ClaimRow:
    claim: Claim
    service_name: str


@dataclass
class ReportRow:
    """A problem report passed to the organisation. Only the problem, the listing and the
    date are shown: never the reporter's reply address."""

    report: Any
    service_name: str
    #: The report's own page in the reports part (read it, mark it dealt with), if any.
    url: str | None = None


@dataclass
class OrganisationOverview:
    id: str
    name: str
    listed: bool
    trusted: bool
    listings: list[ListingRow] = field(default_factory=list)
    proposals: list[ProposalRow] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)
    #: None when the reports part does not offer its function yet.
    reports: list[ReportRow] | None = None


def overview(session: Session, organization_id: str) -> OrganisationOverview:
    org = session.get(Organization, organization_id)
    out = OrganisationOverview(
        id=organization_id,
        name=organisation_name(session, organization_id),
        listed=org is not None,
        trusted=bool(org and org.is_trusted),
    )
    services = session.scalars(
        select(Service)
        .where(Service.organization_id == organization_id, Service.listing_status.not_in(_GONE))
        .order_by(Service.name)
    )
    for service in services:
        out.listings.append(
            ListingRow(
                service, is_public(service), last_checked(service), open_edit(session, service.id)
            )
        )
    proposals = session.scalars(
        select(Proposal)
        .where(
            Proposal.organization_id == organization_id, Proposal.state != ProposalState.WITHDRAWN
        )
        .order_by(Proposal.updated_at.desc())
        .limit(MAX_PROPOSALS)
    )
    out.proposals = [ProposalRow(p, listing_name(p)) for p in proposals]
    claims = session.scalars(
        select(Claim)
        .where(Claim.organization_id == organization_id)
        .order_by(Claim.created_at.desc())
        .limit(MAX_PROPOSALS)
    )
    for claim in claims:
        service = session.get(Service, claim.service_id)
        out.claims.append(ClaimRow(claim, service.name if service else "A removed listing"))
    reports = reports_for(session, [organization_id])
    if reports is not None:
        out.reports = [
            ReportRow(r, _service_name(session, getattr(r, "service_id", None)), _report_url(r))
            for r in reports
        ]
    return out


def _report_url(report: Any) -> str | None:
    """``/manage/reports/<id>`` from the reports part, when it is installed."""
    from flask import has_request_context, url_for
    from werkzeug.routing import BuildError

    if not has_request_context():
        return None
    try:
        return url_for("org_reports.view", report_id=report.id)
    except BuildError:
        return None


def _service_name(session: Session, service_id: str | None) -> str:
    service = session.get(Service, service_id) if service_id else None
    return service.name if service is not None else "A removed listing"


def reports_for(session: Session, organization_ids: list[str]) -> list[Any] | None:
    """Problem reports passed to these organisations, from the reports part.

    INCLUDE SPOT (reports): ``directory.feedback.services.reports_for_organizations(session,
    org_ids)`` is provided by the reports part; None here means it does not exist yet and the
    page says reports will appear there."""
    from directory.feedback import services as feedback

    function = getattr(feedback, "reports_for_organizations", None)
    if function is None:
        return None
    return list(function(session, organization_ids))


def open_proposals(rows: list[ProposalRow]) -> list[ProposalRow]:
    return [row for row in rows if row.proposal.state in OPEN_STATES]
