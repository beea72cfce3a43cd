"""requests.csv -> :class:`~directory.help_requests.models.HelpRequest` (source "import").

The reference is kept as given. ``need`` is mapped to need terms (:mod:`.needs`); when none of
its words can be mapped, the words are kept at the top of ``details`` ("Need as recorded:
...") so staff still see what was asked, and they are purged with the rest of the person's
words. ``closed`` requests count as closed on the day they were made (an export does not say
when they closed), so the purge's clock for them starts at ``created``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from directory.core.ids import new_id
from directory.help_offers.models import HelpOffer
from directory.help_requests.models import HelpRequest, RequestStatus
from directory.here2help import merge, values
from directory.here2help.context import SOURCE, Context
from directory.here2help.csvfile import Table
from directory.here2help.needs import is_blank
from directory.here2help.report import FileReport
from directory.here2help.rows import contacts_and_place, identify
from directory.listings.duplicates.names import words
from directory.listings.limits import max_text

NEED_AS_RECORDED = "Need as recorded: "


def _existing(ctx: Context, references: list[str]) -> dict[str, HelpRequest]:
    found: dict[str, HelpRequest] = {}
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        for request in ctx.session.scalars(
            select(HelpRequest).where(HelpRequest.reference.in_(chunk))
        ):
            found[request.reference] = request
    return found


def _offer_id(ctx: Context, reference: str) -> str | None:
    if reference in ctx.offers:
        return ctx.offers[reference]
    return ctx.session.scalar(select(HelpOffer.id).where(HelpOffer.reference == reference))


def import_requests(ctx: Context, table: Table, report: FileReport) -> None:
    """Create or update a request for each row of ``table``; rows that cannot be read are
    reported and skipped."""
    report.notes.append("Closed requests count as closed on the day they were made.")
    refs = [values.clean(raw["reference"]) for _, raw in table.rows]
    existing = _existing(ctx, [r for r in refs if r])
    first_row: dict[str, int] = {}
    for row, raw in table.rows:
        report.read += 1
        found = identify(report, row, raw, first_row, existing)
        if found is None:
            continue
        reference, created, status, record = found
        _write(ctx, report, row, raw, reference, created, status, record)


def _contact_by(phone: str | None, email: str | None) -> str | None:
    if phone and email:
        return "either"
    return "phone" if phone else "email" if email else None


def _write(
    ctx: Context,
    report: FileReport,
    row: int,
    raw: dict[str, str],
    reference: str,
    created: datetime,
    status: str,
    request: HelpRequest | None,
) -> None:
    name = values.clean(raw["name"], limit=200) or None
    name_words = tuple(words(name)) if name else ()
    mapped = ctx.mapper.map(raw["need"], private_words=name_words)
    report.unmapped.update(mapped.unmapped)
    details = values.clean(raw["details"], multiline=True, limit=max_text()) or None
    need_text = values.clean(raw["need"], limit=500)
    if not mapped.term_ids:
        report.warn(row, "no need could be mapped; imported without needs")
        if need_text and not is_blank(need_text):
            details = f"{NEED_AS_RECORDED}{need_text}" + (f"\n\n{details}" if details else "")
    try:
        outcome = values.parse_outcome(raw["outcome"])
    except values.BadCell as exc:
        outcome = None
        report.warn(row, f"{exc}; left empty")
    phone, email, place = contacts_and_place(report, row, raw, ctx.geocoder)
    offer_ref = values.clean(raw["matched_offer"])
    offer_ref = "" if is_blank(offer_ref) else offer_ref
    offer_id = _offer_id(ctx, offer_ref) if offer_ref else None
    if offer_ref and offer_id is None:
        report.warn(
            row, f"matched_offer {offer_ref[:16]} is not an offer imported or made here; left empty"
        )
    closed = status == "closed"
    tracked = {
        "created": (created.isoformat(), {"created_at": created}),
        "needs": (mapped.term_ids, {"needs": mapped.term_ids}),
        "status": (
            status,
            {
                "status": RequestStatus.CLOSED if closed else RequestStatus.OPEN,
                "closed_at": created if closed else None,
            },
        ),
        "outcome": (str(outcome) if outcome else None, {"outcome": outcome}),
        "matched_offer": (offer_ref or None, {"matched_offer_id": offer_id}),
    }
    personal = {
        "name": name,
        "phone": phone,
        "email": email,
        "details": details,
        "postcode": place.postcode,
        "outcode": place.outcode,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "contact_by": _contact_by(phone, email),
    }
    new = request is None
    if request is None:
        request = HelpRequest(id=new_id(), reference=reference, source=SOURCE, extra={})
        ctx.session.add(request)
    changed = merge.apply(request, tracked, personal, new=new)
    label = str(request.outcome or request.status).replace("_", " ")
    report.statuses[label if request.outcome else f"{label} (no outcome)"] += 1
    if new:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
