"""A council's own spreadsheet, one row per service, into ORUK 3.0 service objects.

Councils keep their directory in Excel long before they have a feed: organisation, service
name, description, address, postcode, phone, email, website, opening times as text and a
category. Headers differ from sheet to sheet ("Post Code", "Tel", "Web address", "When"), so
they are matched without regard to case, spacing or punctuation against the synonyms below. A
sheet is taken to be one when it names a service (or organisation) and at least two other
columns we know; an HSDS CSV package is recognised first, by its table names and ``id`` column.
"""

from __future__ import annotations

import re
from typing import Any

from directory.listings import normalise as n
from directory.listings.records import JSON, derived_id
from directory.listings.shapes import common as c

SHAPE = "spreadsheet"
RECORD_TYPE = "spreadsheet_row"
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ref", "reference", "service id", "record id", "unique id"),
    "organisation": ("organisation", "organization", "organisation name", "organization name",
                     "provider", "provider name", "org", "group", "charity", "run by"),
    "name": ("service", "service name", "name", "title", "activity", "activity name",
             "group name", "project", "service title"),
    "description": ("description", "service description", "details", "about", "summary",
                    "what we offer", "what it is", "information", "more information"),
    "address": ("address", "address 1", "address line 1", "street", "venue", "venue address",
                "location", "building"),
    "address_2": ("address 2", "address line 2", "locality", "area"),
    "town": ("town", "city", "town city", "village"),
    "county": ("county",),
    "postcode": ("postcode", "post code", "postal code", "zip", "zip code"),
    "phone": ("phone", "telephone", "tel", "phone number", "telephone number",
              "contact number", "contact telephone", "mobile", "helpline"),
    "email": ("email", "e mail", "email address", "e mail address", "contact email"),
    "website": ("website", "web", "url", "web address", "website address", "link", "site"),
    "times": ("opening times", "opening hours", "hours", "times", "when", "days and times",
              "sessions", "session times", "day time", "days"),
    "category": ("category", "categories", "type", "service type", "theme", "themes", "tags",
                 "need", "needs", "subject"),
    "cost": ("cost", "costs", "price", "fees", "fee", "charges", "charge"),
    "eligibility": ("eligibility", "who it s for", "who is it for", "who can use it",
                    "who can attend", "audience", "target audience"),
}  # fmt: skip
_LOOKUP = {synonym: key for key, names in SYNONYMS.items() for synonym in names}
_DESCRIBING = {"description", "address", "postcode", "phone", "email", "website", "times",
               "category", "organisation"}  # fmt: skip


def header_key(header: str) -> str | None:
    """Which of our columns a header means ("Post Code:" -> "postcode"), or None."""
    words = re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()
    return _LOOKUP.get(words)


def recognise(headers: list[str]) -> dict[str, str] | None:
    """``{header: column}`` when the headers look like a one-row-per-service sheet."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = header_key(header or "")
        if key and key not in mapping.values():
            mapping[header] = key
    found = set(mapping.values())
    if not ({"name", "organisation"} & found) or len(found & _DESCRIBING - {"organisation"}) < 2:
        return None
    return mapping


def convert(row: dict[str, Any], ctx: c.Context) -> c.Converted:
    """``row`` holds our column names (see :data:`SYNONYMS`), mapped by the reader."""
    warnings: list[str] = []
    org_name = c.text(row.get("organisation"))
    name = c.text(row.get("name"))
    if not name and org_name:
        name = org_name
        warnings.append("no service name; the organisation's name was used")
    postcode = c.text(row.get("postcode"))
    raw_id = c.text(row.get("id"))
    if raw_id:
        ident = ctx.ident(SHAPE, "service", raw_id)
    elif name:
        # No id column: the listing is known by its organisation, name and postcode.
        key = "|".join((org_name or "", name, postcode or "")).lower()
        ident = derived_id(f"{ctx.namespace}|service|{key}")
        ctx.facts["row(s) had no id; each is known by its organisation, name and postcode"] += 1
    else:
        ident = None
    out: JSON = {
        "id": ident,
        "status": "active",
        "name": name,
        "description": row.get("description"),
        "url": row.get("website"),
        "email": row.get("email"),
        "fees": row.get("cost"),
        "eligibility_description": row.get("eligibility"),
    }
    if ident is None:
        return c.Converted("service", {k: v for k, v in out.items() if v is not None}, warnings)
    if org_name:
        out["organization"] = {"id": derived_id(f"{ctx.namespace}|organization|{org_name}"),
                               "name": org_name}  # fmt: skip
    address = c.address({**row, "address_1": row.get("address")}, derived_id(f"{ident}/address"))
    if address:
        place = {"id": derived_id(f"{ident}/location"), "addresses": [address]}
        out["service_at_locations"] = [{"id": derived_id(f"{ident}/sal"), "location": place}]
    phones = c.split_phones(row.get("phone"))
    out["contacts"] = (
        [{"id": derived_id(f"{ident}/contact"),
          "phones": [{"id": derived_id(f"{ident}/phone/{i}"), "number": number}
                     for i, number in enumerate(phones)]}]
        if phones else []
    )  # fmt: skip
    times = [t for t in re.split(r"\s*[;\n]\s*", c.text(row.get("times")) or "") if t]
    out["schedules"] = [
        _times(when, derived_id(f"{ident}/times/{i}")) for i, when in enumerate(times)
    ]
    links = []
    for label in re.split(r"\s*[;|,\n]\s*", c.text(row.get("category")) or ""):
        if label and (link := ctx.terms.link(ident, ctx.source_name, None, label)):
            links.append(link)
    out["x_source_terms"] = links
    return c.Converted("service", {k: v for k, v in out.items() if v is not None}, warnings)


def _times(text: str, ident: str) -> JSON:
    """A schedule from "Wednesdays 12pm-2pm" (days and hours read here, as a sheet's times
    are always prose; the words are kept as the description)."""
    out: JSON = {"id": ident, "description": text}
    hours = n.hours_in_text(text)
    if hours is None:
        return out
    out["opens_at"], out["closes_at"] = (t.strftime("%H:%M:%S") for t in hours)
    monthly = n.monthly_day_in_text(text)
    if monthly:
        out["byday"], out["freq"] = monthly, "MONTHLY"
    elif days := n.days_in_text(text):
        out["byday"], out["freq"] = days, "WEEKLY"
    return out
