"""Apply an approved proposal to the live directory through the one writer the importer uses.

A proposal's ``payload`` is a whole ORUK service record. It is checked and cleaned exactly as
an imported record is (:func:`directory.listings.prepare.prepare_record`), then written by
:class:`directory.listings.service_writer.ServiceWriter`, which changes only what differs. So
an approval leaves the same trail as any other change: field-level ``metadata`` rows with the
approving actor, a new ``last_modified``, a ``listing_change`` row for every index to pick up.

Nothing here commits: the caller's unit of work does (:mod:`directory.core.uow`).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.listings.cleaning import Issues
from directory.listings.models import ListingStatus, Service
from directory.listings.prepare import prepare_record
from directory.listings.records import RecordError
from directory.listings.serialise import service_json
from directory.listings.service_writer import ServiceWriter
from directory.moderation.models import Proposal, ProposalKind
from directory.places.geocode import current_geocoder

#: Fields of a record that say where a listing stands in this directory rather than what it
#: offers: a proposal cannot set them (moderation and freshness do).
CONTROLLED_FIELDS = ("x_listing_status", "listing_status", "x_duplicate_of")


class ProposalInvalid(ValueError):
    """The payload is not a record the directory can hold; ``errors`` say why, in words."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def check_payload(payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The cleaned record and its warnings, or :class:`ProposalInvalid` with the errors."""
    issues = Issues()
    record = {k: v for k, v in copy.deepcopy(payload).items() if k not in CONTROLLED_FIELDS}
    try:
        cleaned = prepare_record("service", record, issues)
    except RecordError as exc:
        raise ProposalInvalid([str(exc)]) from None
    return cleaned, list(issues.warnings)


def live_record(session: Session, service_id: str) -> dict[str, Any] | None:
    """The live listing as ORUK JSON (what an edit starts from and is compared with)."""
    service = session.get(Service, service_id)
    return service_json(service) if service is not None else None


def apply_proposal(session: Session, proposal: Proposal) -> Service:
    """Write ``proposal.payload`` to the live tables and make the listing public.

    A new listing (or a restored one) becomes active; an edit keeps the listing's status. The
    listing counts as checked today: someone who runs it, and a moderator, have just looked
    at it. Raises :class:`ProposalInvalid` if the record does not pass the import checks."""
    record, _warnings = check_payload(proposal.payload)
    record["id"] = proposal.service_id
    writer = ServiceWriter(session, current_geocoder())
    writer.start_record(Issues())
    with session.no_autoflush:
        writer.service(record)
    writer.finish_record()
    session.flush()
    service = session.get(Service, proposal.service_id)
    if service is None:  # the writer always creates it; this guards a broken payload
        raise ProposalInvalid(["the listing could not be written"])
    if proposal.kind in (ProposalKind.NEW, ProposalKind.RESTORE):
        service.listing_status = ListingStatus.ACTIVE
    service.assured_date = utcnow().date()
    session.flush()
    return service
