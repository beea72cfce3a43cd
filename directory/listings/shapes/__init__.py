"""Feeds in every shape councils publish, turned into the ORUK 3.0 records the importer takes.

Each record is looked at on its own: an ORUK 1.0/2.0 service (``service_taxonomys``,
``regular_schedules``, ``pc_`` fields...), an Outpost service (``organisation``,
``taxonomies``, ``locations``...), a spreadsheet row (typed ``spreadsheet_row`` by the reader),
or ORUK 3.0 as it is. ORUK 3.0 services keep their own attributes in our link types; those in
any other (another directory's taxonomy) become source terms (:mod:`.terms`). The vocabularies
and terms collected come out as taxonomy and term records ahead of the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from directory.listings.records import canonical_id
from directory.listings.shapes import oruk1, outpost, spreadsheet
from directory.listings.shapes.common import Context, Converted
from directory.listings.shapes.terms import LINK_TYPE, OUR_LINK_TYPES

__all__ = ["LINK_TYPE", "Context", "Converted", "convert"]


def convert(records: Iterable[tuple[str, Any]], ctx: Context) -> list[Converted]:
    """Every record converted where its shape needs it; source vocabularies and terms first."""
    out: list[Converted] = []
    for record_type, raw in records:
        out.append(_one(record_type, raw, ctx))
    return [Converted(kind, record) for kind, record in ctx.terms.records()] + out


def _one(record_type: str, raw: Any, ctx: Context) -> Converted:
    if record_type == spreadsheet.RECORD_TYPE:
        ctx.shapes["rows of a spreadsheet"] += 1
        return spreadsheet.convert(raw, ctx)
    if record_type == "service_at_location" and isinstance(raw, dict):
        if isinstance(raw.get("service"), dict):
            raw = {**raw, "service": _foreign_attributes(raw["service"], ctx)}
        return Converted(record_type, raw)
    if record_type != "service" or not isinstance(raw, dict):
        return Converted(record_type, raw)
    for module in (outpost, oruk1):
        if module.matches(raw):
            ctx.shapes[f"{module.SHAPE} services"] += 1
            try:
                return module.convert(raw, ctx)
            except (AttributeError, TypeError, ValueError, KeyError, RecursionError) as exc:
                # A value of a type the shape never has (a list where text belongs...).
                message = f"could not be read as an {module.SHAPE} service ({type(exc).__name__})"
                return Converted(record_type, raw, error=message)
    return Converted(record_type, _foreign_attributes(raw, ctx))


def _foreign_attributes(raw: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """An ORUK 3.0 service whose attributes outside our link types become source terms.

    Without this, a feed's "Service type" attribute would count as a need (search reads an
    attribute with no link type as one) and be confused with our curated terms."""
    attributes = raw.get("attributes")
    if not isinstance(attributes, list) or not attributes:
        return raw
    from directory.inference.mirror import is_mirror_attribute

    if any(is_mirror_attribute(a) for a in attributes):
        # Terms a directory inferred (our export's inferred_need/inferred_client_group):
        # never imported as links; need inference re-derives them from the listing's words.
        attributes = [a for a in attributes if not is_mirror_attribute(a)]
        raw = {**raw, "attributes": attributes}
        if not attributes:
            return raw
    service_id = canonical_id(raw.get("id"))[0]
    kept, links = [], []
    for attribute in attributes:
        if not isinstance(attribute, dict) or attribute.get("link_type") in OUR_LINK_TYPES:
            kept.append(attribute)
            continue
        term = attribute.get("taxonomy_term")
        if service_id and isinstance(term, dict):
            detail = term.get("taxonomy_detail")
            vocabulary = (
                term.get("taxonomy")
                or (detail.get("name") if isinstance(detail, dict) else None)
                or ctx.source_name
            )
            link = ctx.terms.link(
                service_id,
                vocabulary,
                term.get("term") or term.get("id"),
                term.get("name"),
                uri=term.get("term_uri"),
            )
            if link:
                links.append(link)
                continue
        kept.append({**attribute, "link_type": LINK_TYPE})
    if not links and len(kept) == len(attributes) and kept == attributes:
        return raw
    ctx.shapes["ORUK 3.0 services with another directory's taxonomy terms"] += 1
    return {**raw, "attributes": kept, "x_source_terms": links}
