"""organisations.csv -> draft listings waiting for a moderator, unless already in the directory.

Each organisation becomes a :class:`~directory.moderation.models.Proposal` (kind NEW, state
SUBMITTED) holding an ORUK service record named after it, with its description, contact and
postcode: it is published only when a moderator approves it, like any new listing. Its ids
are derived from the organisation's name words (:func:`organisation_key`), so a second run
finds the proposal the first one made, whatever happened to it since.

Before proposing, the organisation is compared with the public listings
(:func:`directory.manage.claims.likely_matches`, the "is this you?" search). It counts as
already listed, and is reported rather than proposed, when a listing or its organisation
has a near-same name (the duplicate finder's 0.88), or a related name (0.6) and the same
phone, email or website: a shared switchboard or a hub's address alone proves nothing.
A near-same name waiting in the moderation queue counts too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from directory.here2help import values
from directory.here2help.context import Context, KnownOrganisation, derived_id, organisation_key
from directory.here2help.csvfile import Table
from directory.here2help.report import FileReport, OrganisationMatch
from directory.here2help.rows import parse_cells, parse_place
from directory.listings.duplicates.names import compare_names, name_words
from directory.listings.duplicates.rules import NEAR_SAME, RELATED
from directory.listings.limits import max_text
from directory.listings.models import Organization, Service
from directory.listings.visibility import public_clause
from directory.manage.claims import Details, likely_matches
from directory.moderation.apply import ProposalInvalid, check_payload
from directory.moderation.models import Proposal, ProposalKind, ProposalState

CONTACT_REASONS = frozenset({"the same email address", "the same phone number", "the same website"})
OPEN_STATES = (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED)
PROPOSED = "proposed for moderation"
MAX_NAME = 250
NO_DESCRIPTION = "Imported from Here2Help without a description."


def name_score(name: str, *others: str | None) -> float:
    words = name_words(name)
    return max((compare_names(words, name_words(o)).score for o in others if o), default=0.0)


def directory_match(
    ctx: Context,
    name: str,
    *,
    phone: str = "",
    email: str = "",
    website: str = "",
    postcode: str = "",
) -> tuple[Service, list[str]] | None:
    """The public listing this organisation already has, with the reasons, or None."""
    details = Details(
        name=name,
        organisation_name=name,
        postcode=postcode,
        phone=phone,
        email=email,
        website=website,
    )
    for match in likely_matches(ctx.session, details):
        service = match.service
        score = name_score(
            name, service.name, service.organization.name if service.organization else None
        )
        shared = CONTACT_REASONS & set(match.reasons)
        if score >= NEAR_SAME or (shared and score >= RELATED):
            return service, list(match.reasons)
    return None


class NameIndex:
    """Public listings by the words of their names and their organisations' names, read once
    per run: an offer is matched by name alone, and asking the database for each of
    thousands of volunteers' names took half a minute per thousand."""

    def __init__(self, ctx: Context) -> None:
        # The public rule tests the organisation in a correlated subquery of its own, so
        # organisations' names are read apart rather than joined.
        rows = ctx.session.execute(
            select(Service.id, Service.name, Service.organization_id).where(public_clause())
        ).all()
        org_names = dict(ctx.session.execute(select(Organization.id, Organization.name)).all())
        self.by_word: dict[str, list[tuple[str, str | None, tuple[str, ...]]]] = {}
        for service_id, name, org_id in rows:
            for words in {name_words(name), name_words(org_names.get(org_id))}:
                for word in set(words):
                    self.by_word.setdefault(word, []).append((service_id, org_id, words))

    def match(self, name: str) -> tuple[str, str | None] | None:
        """``(service id, organisation id)`` of the listing with the nearest name at or above
        :data:`NEAR_SAME`, or None."""
        words = name_words(name)
        best: tuple[float, str, str | None] | None = None
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for word in set(words):
            for service_id, org_id, other in self.by_word.get(word, ()):
                if (service_id, other) in seen:
                    continue
                seen.add((service_id, other))
                score = compare_names(words, other, floor=NEAR_SAME).score
                if score >= NEAR_SAME and (best is None or (score, service_id) > best[:2]):
                    best = (score, service_id, org_id)
        return (best[1], best[2]) if best else None


def _queued_match(ctx: Context, name: str, own_id: str) -> Proposal | None:
    """A proposal waiting in the queue (not this import's own) for a near-same name."""
    for proposal in ctx.session.scalars(
        select(Proposal).where(Proposal.state.in_(OPEN_STATES), Proposal.id != own_id)
    ):
        payload = proposal.payload or {}
        org = payload.get("organization") if isinstance(payload.get("organization"), dict) else {}
        if (
            name_score(name, str(payload.get("name") or ""), str(org.get("name") or ""))
            >= NEAR_SAME
        ):
            return proposal
    return None


def build_payload(key: str, cells: dict[str, Any], place: values.Place) -> dict[str, Any]:
    """The ORUK service record a moderator sees: the organisation, its contact and place."""
    service_id = derived_id("listing", key)
    name = cells["name"]
    description = cells["description"] or NO_DESCRIPTION
    organization = {
        "id": derived_id("organisation", key),
        "name": name,
        "description": description,
        "website": cells["website"],
        "email": cells["email"],
    }
    record: dict[str, Any] = {
        "id": service_id,
        "name": name,
        "description": description,
        "status": "active",
        "url": cells["website"],
        "email": cells["email"],
        "organization": {k: v for k, v in organization.items() if v is not None},
    }
    if cells["phone"]:
        contact_id = derived_id("contact", key)
        record["contacts"] = [
            {
                "id": contact_id,
                "phones": [{"id": derived_id("phone", key), "number": cells["phone"]}],
            }
        ]
    if place.postcode:
        address = {
            "id": derived_id("address", key),
            "address_type": "physical",
            "postal_code": place.postcode,
            "country": "GB",
        }
        location = {
            "id": derived_id("location", key),
            "location_type": "physical",
            "name": name,
            "addresses": [address],
        }
        record["service_at_locations"] = [{"id": derived_id("sal", key), "location": location}]
    return {k: v for k, v in record.items() if v is not None}


def _cells(
    ctx: Context, report: FileReport, row: int, raw: dict[str, str]
) -> tuple[dict, values.Place]:
    cells: dict[str, Any] = {
        "name": values.clean(raw["name"], limit=MAX_NAME),
        "description": values.clean(raw["description"], multiline=True, limit=max_text()),
    }
    parsers = {
        "phone": values.parse_phone,
        "email": values.parse_email,
        "website": values.parse_website,
    }
    cells.update(parse_cells(report, row, raw, parsers))
    return cells, parse_place(report, row, raw, ctx.geocoder)


def import_organisations(ctx: Context, table: Table, report: FileReport) -> None:
    """Propose, update or report each organisation of ``table``."""
    first_row: dict[str, int] = {}
    for row, raw in table.rows:
        report.read += 1
        cells, place = _cells(ctx, report, row, raw)
        key = organisation_key(cells["name"])
        if not key:
            report.error(row, "name is empty")
            continue
        if key in first_row:
            report.error(row, f"the same organisation as row {first_row[key]}")
            continue
        first_row[key] = row
        _one(ctx, report, row, key, cells, place)


def _one(
    ctx: Context, report: FileReport, row: int, key: str, cells: dict, place: values.Place
) -> None:
    name = cells["name"]
    payload = build_payload(key, cells, place)
    proposal_id = derived_id("proposal", key)
    own = ctx.session.get(Proposal, proposal_id)
    if own is not None:
        live = ctx.session.get(Service, own.service_id)
        ctx.organisations[key] = KnownOrganisation(
            row, name, own.organization_id or "", live.id if live is not None else None
        )
        if own.state == ProposalState.SUBMITTED and own.payload != payload:
            if _valid(report, row, payload):
                own.payload, own.updated_at = payload, ctx.now
                report.updated += 1
            return
        report.unchanged += 1
        return
    found = directory_match(
        ctx,
        name,
        phone=cells["phone"] or "",
        email=cells["email"] or "",
        website=cells["website"] or "",
        postcode=place.postcode or "",
    )
    if found is not None:
        service, reasons = found
        report.matched += 1
        listing = service.name
        if service.organization is not None and service.organization.name != service.name:
            listing += f", run by {service.organization.name}"
        report.matches.append(OrganisationMatch(row, name, listing, service.id, reasons))
        ctx.organisations[key] = KnownOrganisation(
            row, name, service.organization_id or "", service.id
        )
        return
    queued = _queued_match(ctx, name, proposal_id)
    if queued is not None:
        report.matched += 1
        listed = str((queued.payload or {}).get("name") or name)
        report.matches.append(
            OrganisationMatch(
                row, name, listed, queued.service_id, ["a near-same name waiting for moderation"]
            )
        )
        ctx.organisations[key] = KnownOrganisation(row, name, queued.organization_id or "")
        return
    if not _valid(report, row, payload):
        return
    ctx.session.add(
        Proposal(
            id=proposal_id,
            kind=ProposalKind.NEW,
            state=ProposalState.SUBMITTED,
            organization_id=payload["organization"]["id"],
            service_id=payload["id"],
            payload=payload,
            base=None,
            form_state={"source": "import-here2help"},
            created_at=ctx.now,
            updated_at=ctx.now,
            submitted_at=ctx.now,
        )
    )
    ctx.organisations[key] = KnownOrganisation(row, name, payload["organization"]["id"])
    report.created += 1
    report.statuses[PROPOSED] += 1


def _valid(report: FileReport, row: int, payload: dict[str, Any]) -> bool:
    try:
        check_payload(payload)
    except ProposalInvalid as exc:
        report.error(row, "not a listing the directory can hold: " + "; ".join(exc.errors))
        return False
    return True
