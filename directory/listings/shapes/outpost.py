"""Outpost (wearefuturegov/outpost) services into ORUK 3.0 service objects.

Outpost's public API serves Spring-style pages of its indexed services: integer ids, an
``organisation`` (British spelling), flat ``locations`` with a GeoJSON ``geometry`` (rounded,
and ``address_1`` masked, when the provider asked for the exact address to be hidden),
``contacts`` with one free-text ``phone`` each, ``regular_schedules`` with ``weekday`` names,
``cost_options`` with ``cost_type``, a ``free`` flag, its own ``taxonomies`` (with ``slug``
and ``parent_id``), ``suitabilities`` and ``send_needs``, and ``links``, ``local_offer``,
``meta`` and age bands that ORUK 3.0 has no place for.
"""

from __future__ import annotations

from typing import Any

from directory.listings.records import JSON, derived_id
from directory.listings.shapes import common as c

SHAPE = "Outpost"
_MARKERS = {"organisation", "local_offer", "send_needs", "suitabilities", "needs_referral",
            "age_band_all", "target_directories"}  # fmt: skip
_USED = {
    "id", "name", "description", "url", "email", "organisation", "locations", "contacts",
    "regular_schedules", "cost_options", "free", "min_age", "max_age", "taxonomies",
    "suitabilities", "send_needs", "status", "temporarily_closed", "updated_at",
    "needs_referral", "distance_away", "created_at", "organisation_id", "links",
}  # fmt: skip
_STATUS = {"published": "active", "active": "active", "temporarily_closed": "temporarily closed"}


def matches(raw: dict[str, Any]) -> bool:
    keys = set(c.lower_keys(raw))
    if keys & _MARKERS:
        return True
    return isinstance(raw.get("taxonomies"), list) and isinstance(raw.get("locations"), list)


def convert(raw: dict[str, Any], ctx: c.Context) -> c.Converted:
    data = c.lower_keys(raw)
    warnings: list[str] = []
    ident = ctx.ident(SHAPE, "service", data.get("id"))
    out: JSON = {
        "id": ident or data.get("id"),
        "name": data.get("name"),
        "description": data.get("description"),
        "url": data.get("url") or _first_link(data.get("links")),
        "email": data.get("email"),
        "minimum_age": data.get("min_age"),
        "maximum_age": data.get("max_age"),
        "last_modified": _date(data.get("updated_at")),
    }
    status = (c.text(data.get("status")) or "").lower()
    out["status"] = (
        "temporarily closed" if data.get("temporarily_closed") else _STATUS.get(status, "active")
    )
    if data.get("needs_referral") is True:
        out["x_referral"] = "referral_needed"
    elif data.get("needs_referral") is False:
        out["x_referral"] = "self_referral"
    org = _organisation(data.get("organisation"), ctx)
    if org is not None:
        out["organization"] = org
        if not c.text(out.get("name")) and c.text(org.get("name")):
            out["name"] = org["name"]
            warnings.append("name was empty; the organisation's name was used")
    if ident:
        _nested(data, out, ident, ctx, warnings)
    ctx.drop(SHAPE, "service", data, _USED, c.key_names(raw))
    return c.Converted("service", {k: v for k, v in out.items() if v is not None}, warnings)


def _date(value: Any) -> Any:
    return value.get("$date") if isinstance(value, dict) else value


def _first_link(value: Any) -> str | None:
    for link in c.items(value):
        if c.text(link.get("url")):
            return link["url"]
    return None


def _organisation(value: Any, ctx: c.Context) -> JSON | None:
    if not isinstance(value, dict):
        return None
    org = c.lower_keys(value)
    ident = ctx.ident(SHAPE, "organization", org.get("id"))
    if ident is None:
        return None
    out = {"id": ident, "name": org.get("name"), "description": org.get("description"),
           "email": org.get("email"), "website": org.get("url")}  # fmt: skip
    return {k: v for k, v in out.items() if v is not None}


def _nested(data: dict[str, Any], out: JSON, ident: str, ctx: c.Context, warnings: list) -> None:
    if "locations" in data:
        out["service_at_locations"] = _locations(c.items(data["locations"]), ident, ctx, warnings)
    if "contacts" in data:
        out["contacts"] = [
            _contact(item, ctx.ident(SHAPE, "contact", item.get("id"))
                     or ctx.child_id(ident, "contacts", i))
            for i, item in enumerate(c.items(data["contacts"]))
            if item.get("visible") is not False
        ]  # fmt: skip
    if "regular_schedules" in data:
        out["schedules"] = [
            _schedule(item, ctx.ident(SHAPE, "schedule", item.get("id"))
                      or ctx.child_id(ident, "schedules", i))
            for i, item in enumerate(c.items(data["regular_schedules"]))
        ]  # fmt: skip
    costs = [
        {"id": ctx.child_id(ident, "cost_options", i), "option": item.get("option"),
         "amount": item.get("amount"), "amount_description": item.get("cost_type")}
        for i, item in enumerate(c.items(data.get("cost_options")))
    ]  # fmt: skip
    if data.get("free") is True and not costs:
        costs = [{"id": ctx.child_id(ident, "cost_options", 0), "option": "Free", "amount": 0}]
    if costs or "cost_options" in data:
        out["cost_options"] = [{k: v for k, v in x.items() if v is not None} for x in costs]
    links = []
    for key, vocab in (("taxonomies", "outpost"), ("suitabilities", "outpost suitabilities"),
                       ("send_needs", "outpost SEND needs")):  # fmt: skip
        for item in c.items(data.get(key)):
            link = ctx.terms.link(ident, vocab, item.get("slug"), item.get("name"))
            if link:
                links.append(link)
    if any(key in data for key in ("taxonomies", "suitabilities", "send_needs")):
        out["x_source_terms"] = links


def _locations(items: list[dict], ident: str, ctx: c.Context, warnings: list) -> list[JSON]:
    sals = []
    for i, loc in enumerate(items):
        if loc.get("visible") is False:
            continue
        loc_id = ctx.ident(SHAPE, "location", loc.get("id")) or ctx.child_id(ident, "location", i)
        masked = bool(loc.get("mask_exact_address"))
        fields = dict(loc)
        if masked or c.text(fields.get("address_1")) == "***":
            fields["address_1"] = None
        address = c.address(fields, ctx.child_id(loc_id, "addresses", 0))
        place: JSON = {"id": loc_id, "name": loc.get("name"),
                       "addresses": [address] if address else []}  # fmt: skip
        point = _point(loc)
        if point is not None and not masked:
            place["latitude"], place["longitude"] = point
        elif masked:
            warnings.append(f"location {loc_id}: the provider hides its exact address; "
                            "placed by its postcode only")  # fmt: skip
        place["accessibility"] = [
            {"id": ctx.child_id(loc_id, "accessibility", j), "description": a.get("name")}
            for j, a in enumerate(c.items(loc.get("accessibilities")))
            if c.text(a.get("name"))
        ]
        if not address and "latitude" not in place and not c.text(loc.get("name")):
            continue
        sals.append({"id": ctx.child_id(ident, "service_at_locations", i), "location": place})
    return sals


def _point(loc: dict[str, Any]) -> tuple[Any, Any] | None:
    geometry = loc.get("geometry")
    if isinstance(geometry, dict) and isinstance(geometry.get("coordinates"), list):
        coords = geometry["coordinates"]
        if len(coords) == 2:
            return c.coordinates(coords[1], coords[0])
    return c.coordinates(loc.get("latitude"), loc.get("longitude"))


def _contact(item: dict[str, Any], ident: str) -> JSON:
    out: JSON = {"id": ident, "name": item.get("name"), "title": item.get("title"),
                 "email": item.get("email")}  # fmt: skip
    numbers = c.split_phones(item.get("phone"))
    if numbers:
        out["phones"] = [
            {"id": derived_id(f"{ident}/phones/{i}"), "number": number}
            for i, number in enumerate(numbers)
        ]
    return {k: v for k, v in out.items() if v is not None}


def _schedule(item: dict[str, Any], ident: str) -> JSON:
    out = {
        key: item.get(key)
        for key in ("opens_at", "closes_at", "dtstart", "freq", "interval", "byday",
                    "bymonthday", "until", "count", "description")
    }  # fmt: skip
    out["id"] = ident
    if not c.text(out.get("byday")) and item.get("weekday") is not None:
        out["byday"] = c.weekday_byday(item["weekday"])
    if out.get("byday") and not out.get("freq"):
        out["freq"] = "WEEKLY"
    return {k: v for k, v in out.items() if v is not None}
