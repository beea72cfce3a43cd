"""offers.csv -> :class:`~directory.help_offers.models.HelpOffer` (source "import").

**Kind.** An offer is an organisation's when its name is an organisation of
organisations.csv or a near-same name of a public listing or its organisation, or when its
name has an organisation's word in it ("Trust", "Church", "Pantry", "CIC"...); otherwise it
is a volunteer's. An organisation's offer is linked to its listing where it has one.

**Status.** ``closed`` offers are imported closed, last changed on the day they were made
(an export does not say when they closed), so the purge's clock for a volunteer's closed
offer starts at ``created``, as it does for a closed request. An open offer is imported
ACTIVE only when it is an organisation's offer linked to a public listing (that organisation
is already vetted by moderation); every other open offer (volunteers, and organisations not
yet listed) is PENDING_CHECK: staff check it before it is used in matching, as they would an
offer made on ``/offer-help``, because an export cannot tell us who checked it or when.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from directory.core.ids import new_id
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.here2help import merge, values
from directory.here2help.context import SOURCE, Context, organisation_key
from directory.here2help.csvfile import Table
from directory.here2help.organisations import NameIndex
from directory.here2help.report import FileReport
from directory.here2help.rows import contacts_and_place, identify, parse_cells
from directory.listings.duplicates.names import words

#: Words that make a name an organisation's rather than a person's.
ORGANISATION_WORDS = frozenset({
    "ltd", "limited", "cic", "cio", "charity", "trust", "foundation", "church", "chapel",
    "parish", "mosque", "temple", "gurdwara", "synagogue", "group", "club", "association",
    "society", "network", "project", "partnership", "council", "scouts", "guides", "rotary",
    "lions", "institute", "centre", "center", "hub", "pantry", "foodbank", "bank", "cafe",
    "school", "college", "university", "nhs", "surgery", "pharmacy", "community", "residents",
    "neighbours", "volunteers", "friends", "team", "services", "service", "organisation",
    "action", "alliance", "forum", "collective",
})  # fmt: skip


def offer_kind(ctx: Context, name: str) -> tuple[OfferKind, str | None, str | None]:
    """``(kind, organization_id, service_id)`` for an offer made under ``name``."""
    known = ctx.organisations.get(organisation_key(name)) if name else None
    if known is not None:
        return OfferKind.ORGANISATION, known.organization_id or None, known.service_id
    if ctx.listing_names is None:
        ctx.listing_names = NameIndex(ctx)
    if name and (found := ctx.listing_names.match(name)) is not None:
        service_id, organization_id = found
        return OfferKind.ORGANISATION, organization_id, service_id
    if ORGANISATION_WORDS & set(words(name)):
        return OfferKind.ORGANISATION, None, None
    return OfferKind.VOLUNTEER, None, None


def _status(file_status: str, kind: OfferKind, service_id: str | None) -> OfferStatus:
    if file_status == "closed":
        return OfferStatus.CLOSED
    if kind == OfferKind.ORGANISATION and service_id:
        return OfferStatus.ACTIVE
    return OfferStatus.PENDING_CHECK


def existing_offers(ctx: Context, references: list[str]) -> dict[str, HelpOffer]:
    found: dict[str, HelpOffer] = {}
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        for offer in ctx.session.scalars(select(HelpOffer).where(HelpOffer.reference.in_(chunk))):
            found[offer.reference] = offer
    return found


def import_offers(ctx: Context, table: Table, report: FileReport) -> None:
    """Create or update an offer for each row of ``table``; rows that cannot be read are
    reported and skipped."""
    report.notes.append(
        "Open offers are imported waiting for a staff check, except organisations' offers "
        "linked to a public listing, which are active."
    )
    refs = [values.clean(raw["reference"]) for _, raw in table.rows]
    existing = existing_offers(ctx, [r for r in refs if r])
    first_row: dict[str, int] = {}
    for row, raw in table.rows:
        report.read += 1
        found = identify(report, row, raw, first_row, existing)
        if found is None:
            continue
        reference, created, status, record = found
        _write(ctx, report, row, raw, reference, created, status, record)


def _write(
    ctx: Context,
    report: FileReport,
    row: int,
    raw: dict[str, str],
    reference: str,
    created: Any,
    file_status: str,
    offer: HelpOffer | None,
) -> None:
    name = values.clean(raw["name"], limit=200) or None
    kind, organization_id, service_id = offer_kind(ctx, name or "")
    mapped = ctx.mapper.map(raw["needs"], private_words=tuple(words(name)) if name else ())
    report.unmapped.update(mapped.unmapped)
    if not mapped.term_ids:
        report.warn(row, "no need could be mapped; imported without needs")
    numbers = parse_cells(
        report,
        row,
        raw,
        {"radius_km": values.parse_radius, "capacity": values.parse_capacity},
        left="left empty",
    )
    phone, email, place = contacts_and_place(report, row, raw, ctx.geocoder)
    status = _status(file_status, kind, service_id)
    tracked = {
        "created": (created.isoformat(), {"created_at": created}),
        "needs": (mapped.term_ids, {"needs": mapped.term_ids}),
        "radius_km": (numbers["radius_km"], {"radius_km": numbers["radius_km"]}),
        "capacity": (numbers["capacity"], {"capacity": numbers["capacity"]}),
        "status": (file_status, {"status": status}),
        "kind": (
            [str(kind), organization_id, service_id],
            {"kind": kind, "organization_id": organization_id, "service_id": service_id},
        ),
    }
    personal = {
        "name": name,
        "phone": phone,
        "email": email,
        "postcode": place.postcode,
        "outcode": place.outcode,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    new = offer is None
    if offer is None:
        offer = HelpOffer(id=new_id(), reference=reference, source=SOURCE, extra={})
        ctx.session.add(offer)
    changed = merge.apply(offer, tracked, personal, new=new)
    if new and status == OfferStatus.CLOSED:
        # Closed on the day it was made, as a closed request is: the purge's clock starts there.
        offer.updated_at = created
    elif changed and not new:
        offer.updated_at = ctx.now
    ctx.offers[reference] = offer.id
    report.statuses[f"{offer.kind} {offer.status}".replace("_", " ")] += 1
    if new:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
