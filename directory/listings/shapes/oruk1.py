"""ORUK 1.0 / 2.0 services (the LGA profile of HSDS 1.x) into ORUK 3.0 service objects.

This is what TPX/Placecube directories, Open Place and many councils publish: list-level
records (a few fields, an ``organization``, Placecube's ``pc_metadata`` and
``pc_targetAudience``) and full ones with ``service_at_locations[].location.physical_addresses``,
``regular_schedules`` (with ``weekday``), ``holiday_schedules``, ``service_taxonomys`` (each a
``taxonomy`` with ``id``, ``name``, ``vocabulary`` and ``parent``), ``eligibilitys``,
``cost_options``, ``contacts[].phones``, ``languages``, ``service_areas``, ``fundings`` and
``reviews``. Field names arrive in any case (.NET writes ``Service_taxonomys``).
"""

from __future__ import annotations

from typing import Any

from directory.listings.records import JSON
from directory.listings.shapes import common as c

SHAPE = "ORUK 1.0"
_MARKERS = {
    "service_taxonomys", "regular_schedules", "holiday_schedules", "eligibilitys", "fundings",
    "reviews", "deliverable_type", "attending_type", "attending_access",
}  # fmt: skip
_COPIED = ("name", "description", "url", "email", "status", "fees", "accreditations")
_SERVICE_USED = {
    *_COPIED, "id", "organization", "assured_date", "service_at_locations", "regular_schedules",
    "service_taxonomys", "eligibilitys", "cost_options", "contacts", "languages",
    "service_areas", "fundings", "attending_type", "pc_metadata", "pc_targetaudience",
    "attending_access",
}  # fmt: skip
_LOCATION_USED = ("id", "name", "description", "latitude", "longitude", "physical_addresses",
                  "accessibility_for_disabilities")  # fmt: skip
_SAL_USED = ("id", "location", "regular_schedule", "regular_schedules", "service_id",
             "location_id")  # fmt: skip
_DELIVERY = {
    "venue": "in_person", "in person": "in_person", "face to face": "in_person",
    "phone": "phone", "telephone": "phone", "online": "online", "internet": "online",
}  # fmt: skip
_ACCESS = {"referral": "referral_needed", "drop in": "self_referral",
           "self referral": "self_referral"}  # fmt: skip
_SCHEDULE_FIELDS = (
    "opens_at", "closes_at", "valid_from", "valid_to", "dtstart", "freq", "interval", "byday",
    "bymonthday", "until", "count", "description",
)  # fmt: skip


def matches(raw: dict[str, Any]) -> bool:
    keys = set(c.lower_keys(raw))
    if keys & _MARKERS or any(k.startswith("pc_") for k in keys):
        return True
    return any(
        "physical_addresses" in c.lower_keys(sal.get("location") or {})
        for sal in c.items(raw.get("service_at_locations"))
    )


def convert(raw: dict[str, Any], ctx: c.Context) -> c.Converted:
    data = c.lower_keys(raw)
    warnings: list[str] = []
    ident = ctx.ident(SHAPE, "service", data.get("id"))
    out: JSON = {"id": ident or data.get("id")}
    out.update({key: data[key] for key in _COPIED if key in data})
    out["status"] = c.text(out.get("status")) or "active"
    org = _organization(data.get("organization"), ctx)
    if org is not None:
        out["organization"] = org
    if not c.text(out.get("name")) and org and c.text(org.get("name")):
        out["name"] = org["name"]
        warnings.append("name was empty; the organisation's name was used")
    metadata = c.lower_keys(data.get("pc_metadata") or {}) if data.get("pc_metadata") else {}
    out["assured_date"] = data.get("assured_date") or metadata.get("date_assured")
    if metadata.get("date_modified"):
        out["last_modified"] = metadata["date_modified"]
    ctx.drop(SHAPE, "pc_metadata", metadata, ("date_assured", "date_modified"))
    modes = [_DELIVERY.get((c.text(data.get("attending_type")) or "").lower())]
    if modes[0]:
        out["x_delivery_modes"] = modes
    access = (c.text(data.get("attending_access")) or "").lower().replace("-", " ")
    if access in _ACCESS:
        out["x_referral"] = _ACCESS[access]
    if ident:
        _nested(data, out, ident, ctx)
    ctx.drop(SHAPE, "service", data, _SERVICE_USED, c.key_names(raw))
    return c.Converted("service", {k: v for k, v in out.items() if v is not None}, warnings)


def _organization(value: Any, ctx: c.Context) -> JSON | None:
    if not isinstance(value, dict):
        return None
    org = c.lower_keys(value)
    name = c.text(org.get("name"))
    ident = ctx.ident(SHAPE, "organization", org.get("id")) or (
        ctx.ident(SHAPE, "organization", f"name:{name}") if name else None
    )
    if ident is None:
        return None
    ctx.drop(SHAPE, "organization", org, ("id", "name", "description", "email", "url", "logo",
                                            "uri", "website"))  # fmt: skip
    out = {
        "id": ident,
        "name": name,
        "description": org.get("description"),
        "email": org.get("email"),
        "website": org.get("url") or org.get("website"),
        "logo": org.get("logo"),
        "uri": org.get("uri"),
    }
    return {k: v for k, v in out.items() if v is not None}


def _nested(data: dict[str, Any], out: JSON, ident: str, ctx: c.Context) -> None:
    sals, sal_ids = _locations(data, ident, ctx)
    schedules = []
    for i, item in enumerate(c.items(data.get("regular_schedules"))):
        schedule = _schedule(item, ctx.child_id(ident, "schedules", i), ctx)
        sal = c.lower_keys(item.get("service_at_location") or {})
        source_sal = c.text(sal.get("id")) or c.text(item.get("service_at_location_id"))
        target = sal_ids.get(str(source_sal))
        if target is not None:
            schedule["service_at_location_id"] = target["id"]
        schedules.append(schedule)
    for sal in sals:
        schedules.extend(sal.pop("schedules"))
    if "regular_schedules" in data or schedules:
        out["schedules"] = schedules
    if "service_at_locations" in data:
        out["service_at_locations"] = sals
    _eligibility(c.items(data.get("eligibilitys")), out)
    simple = (
        ("cost_options", "cost_options", ("option", "amount", "amount_description", "valid_from",
                                           "valid_to")),
        ("fundings", "funding", ("source",)),
        ("service_areas", "service_areas", ("service_area", "name", "extent", "uri")),
    )  # fmt: skip
    for key, target_key, fields in simple:
        if key in data:
            out[target_key] = [
                {"id": ctx.child_id(ident, key, i), **{f: item[f] for f in fields if f in item}}
                for i, item in enumerate(c.items(data[key]))
            ]
    if "languages" in data:
        out["languages"] = [_language(item, ctx.child_id(ident, "languages", i))
                            for i, item in enumerate(c.items(data["languages"]))]  # fmt: skip
    if "contacts" in data:
        out["contacts"] = [_contact(item, ctx.child_id(ident, "contacts", i), ctx)
                           for i, item in enumerate(c.items(data["contacts"]))]  # fmt: skip
    _terms(data, out, ident, ctx)


def _locations(
    data: dict[str, Any], ident: str, ctx: c.Context
) -> tuple[list[JSON], dict[str, JSON]]:
    sals: list[JSON] = []
    by_source_id: dict[str, JSON] = {}
    for i, item in enumerate(c.items(data.get("service_at_locations"))):
        location = c.lower_keys(item.get("location") or {})
        loc_id = ctx.ident(SHAPE, "location", location.get("id")) or ctx.child_id(
            ident, "location", i
        )
        addresses = [
            a
            for j, raw in enumerate(c.items(location.get("physical_addresses")))
            if (a := c.address(raw, ctx.child_id(loc_id, "addresses", j))) is not None
        ]
        ctx.drop(SHAPE, "location", location, _LOCATION_USED)
        ctx.drop(SHAPE, "service_at_location", item, _SAL_USED)
        point = c.coordinates(location.get("latitude"), location.get("longitude"))
        if not addresses and point is None and not c.text(location.get("name")):
            continue
        place: JSON = {"id": loc_id, "name": location.get("name"), "addresses": addresses}
        if c.text(location.get("description")):
            place["description"] = location["description"]
        if point is not None:
            place["latitude"], place["longitude"] = point
        access = c.items(location.get("accessibility_for_disabilities"))
        place["accessibility"] = [
            {"id": ctx.child_id(loc_id, "accessibility", j), "description": a.get("accessibility")}
            for j, a in enumerate(access)
            if c.text(a.get("accessibility"))
        ]
        sal_id = ctx.ident(SHAPE, "service_at_location", item.get("id")) or ctx.child_id(
            ident, "service_at_locations", i
        )
        sal = {"id": sal_id, "location": place, "schedules": []}
        for j, schedule in enumerate(c.items(item.get("regular_schedule") or
                                             item.get("regular_schedules"))):  # fmt: skip
            found = _schedule(schedule, ctx.child_id(sal_id, "schedules", j), ctx)
            sal["schedules"].append({**found, "service_at_location_id": sal_id})
        sals.append(sal)
        if c.text(item.get("id")):
            by_source_id[str(c.text(item.get("id")))] = sal
    return sals, by_source_id


def _schedule(item: dict[str, Any], ident: str, ctx: c.Context) -> JSON:
    out: JSON = {"id": ident, **{k: item[k] for k in _SCHEDULE_FIELDS if k in item}}
    if not c.text(out.get("byday")) and item.get("weekday") is not None:
        out["byday"] = c.weekday_byday(item["weekday"])
        out.setdefault("freq", "WEEKLY")
    ctx.drop(SHAPE, "regular_schedule", item,
             (*_SCHEDULE_FIELDS, "id", "weekday", "service_id", "service_at_location",
              "service_at_location_id"))  # fmt: skip
    return {k: v for k, v in out.items() if v is not None}


def _eligibility(items: list[dict[str, Any]], out: JSON) -> None:
    """Ages from every eligibility row (ORUK 1.0 writes -1, and 0 for "no maximum")."""
    lows = [a for i in items if (a := _age(i.get("minimum_age"))) is not None]
    highs = [a for i in items if (a := _age(i.get("maximum_age"))) not in (None, 0)]
    if lows and min(lows) > 0:
        out["minimum_age"] = min(lows)
    if highs:
        out["maximum_age"] = max(highs)
    words = [w for i in items if (w := c.text(i.get("eligibility")))]
    if words:
        out["eligibility_description"] = ", ".join(dict.fromkeys(words))


def _age(value: Any) -> float | None:
    try:
        age = float(value)
    except (TypeError, ValueError):
        return None
    return age if age >= 0 else None


def _language(item: dict[str, Any], ident: str) -> JSON:
    value = c.text(item.get("language") or item.get("name"))
    if value and len(value) <= 3 and value.isalpha():
        return {"id": ident, "code": value.lower()}
    return {"id": ident, "name": value}


def _contact(item: dict[str, Any], ident: str, ctx: c.Context) -> JSON:
    numbers = [
        (number, p.get("type"))
        for p in c.items(item.get("phones"))
        for number in (c.split_phones(p.get("number")) or [None])
    ]
    phones = [
        {"id": ctx.child_id(ident, "phones", j), "number": number, "type": kind}
        for j, (number, kind) in enumerate(numbers)
    ]
    out = {"id": ident, "name": item.get("name"), "title": item.get("title"),
           "email": item.get("email")}  # fmt: skip
    out["phones"] = [{k: v for k, v in p.items() if v is not None} for p in phones]
    return {k: v for k, v in out.items() if v is not None}


def _terms(data: dict[str, Any], out: JSON, ident: str, ctx: c.Context) -> None:
    links = []
    for item in c.items(data.get("service_taxonomys")):
        taxonomy = c.lower_keys(item.get("taxonomy") or {})
        parent = taxonomy.get("parent")
        if isinstance(parent, dict):
            parent_pair = (parent.get("id"), parent.get("name"))
        else:
            parent_pair = (parent, None) if c.text(parent) else None
        link = ctx.terms.link(
            ident,
            taxonomy.get("vocabulary") or "ORUK 1.0 taxonomy",
            taxonomy.get("id"),
            taxonomy.get("name"),
            parent=parent_pair,
        )
        if link:
            links.append(link)
    for item in c.items(data.get("pc_targetaudience")):
        link = ctx.terms.link(ident, "pcTargetAudience", item.get("id"), item.get("audiencetype"))
        if link:
            links.append(link)
    if "service_taxonomys" in data or "pc_targetaudience" in data:
        out["x_source_terms"] = links
