"""What each ORUK record type holds, and the cleaning of incoming records into one canonical form.

Cleaning turns whatever a file held into the JSON our own API would give for the same data:
canonical UUIDs, ISO dates and times, numbers as numbers, RFC 5545 days in upper case, phone
numbers in their readable UK form. Only then is a record checked against the ORUK schema and
written, so the schema check, the comparison with what is stored ("did anything change?") and
the writer all see one spelling of every value.

A value that cannot be read is a warning and is left out; a record with no usable id, or an
entity missing a field it cannot exist without (a service's name), is an error.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from directory.core.ids import normalise_uuid
from directory.listings import links
from directory.listings import normalise as n
from directory.listings.models import ListingStatus
from directory.listings.serialise import iso_datetime
from directory.places.models import LocationKind

JSON = dict[str, Any]
#: Namespace for ids derived from non-UUID ids ("svc-12") and for nested items without one.
ID_NAMESPACE = uuid.UUID("8f4d54a6-3c0e-4b5e-9d7e-2a61c0b1e5d3")

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
DELIVERY_MODES = ("in_person", "phone", "online")


class RecordError(Exception):
    """The record cannot be imported at all; the message says why."""


@dataclass(frozen=True)
class Entity:
    """One ORUK table: field kinds (by JSON key), nested lists and nested objects."""

    name: str
    fields: dict[str, str]
    lists: dict[str, str] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)


_T = "text"
ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "service",
            {
                "id": "id", "organization_id": "ref", "name": _T, "alternate_name": _T,
                "description": _T, "url": "url", "email": "email", "status": "status",
                "fees": _T, "accreditations": _T, "application_process": _T,
                "eligibility_description": _T, "minimum_age": "number",
                "maximum_age": "number", "assured_date": "date", "assurer_email": "email",
                "alert": _T, "last_modified": "datetime", "x_listing_status": "listing_status",
                "x_demonstration": "bool", "x_data_notes": _T,
                "x_delivery_modes": "delivery_modes", "x_referral": _T,
            },
            lists={
                "schedules": "schedule", "service_areas": "service_area",
                "service_at_locations": "service_at_location", "languages": "language",
                "funding": "funding", "cost_options": "cost_option", "contacts": "contact",
                "attributes": "attribute", "phones": "phone",
                # Source taxonomy terms (link_type "source_term"), kept apart from
                # curated attributes: see directory/listings/shapes/terms.py.
                "x_source_terms": "attribute",
            },
            objects={"organization": "organization"},
            aliases={"fees_description": "fees"},
            required=("name",),
            defaults={"status": "active"},
        ),
        Entity(
            "organization",
            {
                "id": "id", "name": _T, "description": _T, "email": "email", "website": "url",
                "logo": _T, "uri": "url", "parent_organization_id": "ref",
                "x_demonstration": "bool",
            },
            lists={"organization_identifiers": "organization_identifier",
                   "attributes": "attribute", "services": "service"},
            required=("name",),
            defaults={"description": ""},
        ),
        Entity(
            "organization_identifier",
            {"id": "id", "organization_id": "ref", "identifier_scheme": _T,
             "identifier_type": _T, "identifier": _T},
            defaults={"identifier_type": "", "identifier": ""},
        ),
        Entity(
            "schedule",
            {
                "id": "id", "service_id": "ref", "service_at_location_id": "ref",
                "location_id": "ref", "valid_from": "date", "valid_to": "date",
                "dtstart": "date", "timezone": _T, "until": "date", "count": "int",
                "wkst": "wkst", "freq": "freq", "interval": "int", "byday": "byday",
                "byweekno": "numlist", "bymonthday": "numlist", "byyearday": "numlist",
                "description": _T, "opens_at": "time", "closes_at": "time",
                "schedule_link": "url", "attending_type": _T, "notes": _T,
            },
        ),
        Entity(
            "service_area",
            {"id": "id", "service_id": "ref", "name": _T, "extent": _T, "extent_type": _T,
             "uri": "url"},
            aliases={"service_area": "name"},
        ),
        Entity(
            "language",
            {"id": "id", "service_id": "ref", "phone_id": "ref", "name": _T, "code": _T,
             "note": _T},
        ),
        Entity("funding", {"id": "id", "service_id": "ref", "source": _T}),
        Entity(
            "cost_option",
            {"id": "id", "service_id": "ref", "valid_from": "date", "valid_to": "date",
             "option": _T, "amount": "number", "amount_description": _T},
        ),
        Entity(
            "contact",
            {"id": "id", "service_id": "ref", "name": _T, "title": _T, "email": "email"},
            lists={"phones": "phone"},
        ),
        Entity(
            "phone",
            {"id": "id", "contact_id": "ref", "number": "phone", "extension": _T, "type": _T,
             "description": _T, "service_id": "ref", "location_id": "ref",
             "organization_id": "ref"},
        ),
        Entity(
            "service_at_location",
            {"id": "id", "service_id": "ref", "location_id": "ref", "description": _T},
            lists={"schedules": "schedule"},
            objects={"location": "location", "service": "service"},
        ),
        Entity(
            "location",
            {
                "id": "id", "location_type": "location_type", "name": _T, "description": _T,
                "latitude": "number", "longitude": "number", "external_identifier": _T,
                "external_identifier_type": _T, "x_kind": "location_kind",
            },
            lists={"addresses": "address", "accessibility": "accessibility",
                   "attributes": "attribute"},
            defaults={"location_type": "physical"},
        ),
        Entity(
            "address",
            {
                "id": "id", "location_id": "ref", "attention": _T, "address_1": _T,
                "address_2": _T, "city": _T, "region": _T, "state_province": _T,
                "postal_code": _T, "country": "country", "address_type": "location_type",
            },
            defaults={"address_1": "", "city": "", "state_province": "", "postal_code": "",
                      "country": "GB", "address_type": "physical"},
        ),
        Entity(
            "accessibility",
            {"id": "id", "location_id": "ref", "description": _T, "details": _T, "url": "url"},
            aliases={"accessibility": "description"},
        ),
        Entity(
            "attribute",
            {"id": "id", "link_id": "ref", "link_type": _T, "link_entity": _T,
             "taxonomy_term_id": "ref", "value": _T},
            objects={"taxonomy_term": "taxonomy_term"},
        ),
        Entity(
            "taxonomy_term",
            {
                "id": "id", "name": _T, "description": _T, "parent_id": "ref", "taxonomy": _T,
                "taxonomy_id": "ref", "term_uri": "url", "term": _T, "x_synonyms": "words",
                "x_phrases": "words",
            },
            required=("name",),
            defaults={"description": ""},
        ),
        Entity(
            "taxonomy",
            {"id": "id", "name": _T, "description": _T, "uri": "url", "version": _T},
            lists={"taxonomy_terms": "taxonomy_term"},
            aliases={"terms": "taxonomy_terms"},
            required=("name",),
            defaults={"description": ""},
        ),
    )
}  # fmt: skip


def derived_id(text: str) -> str:
    """A stable UUID for a non-UUID identifier, so re-importing the same file matches it."""
    return str(uuid.uuid5(ID_NAMESPACE, text.strip().lower()))


def canonical_id(value: Any) -> tuple[str | None, bool]:
    """(uuid, was_derived). Upper case, missing hyphens and braces are the same id."""
    text = n.clean_text(value)
    if text is None:
        return None, False
    found = normalise_uuid(text.strip("{}"))
    return (found, False) if found else (derived_id(text), True)


def _words(value: Any) -> list[str]:
    if isinstance(value, list):
        items = value
    else:
        text = n.clean_text(value)
        if text is None:
            return []
        if text.startswith("["):
            items = json.loads(text)
        else:
            items = re.split(r"[;|\n]" if re.search(r"[;|\n]", text) else ",", text)
    return [w for w in (n.clean_text(i) for i in items) if w]


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str | None:
    text = n.clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[\s_-]+", " ", text.lower())
    for option in allowed:
        if key == option.replace("_", " "):
            return option
    raise ValueError(f"{text!r} is not a {what} ({', '.join(allowed)})")


def _number(value: Any) -> int | float | None:
    number = n.parse_number(value)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def _url(value: Any) -> str | None:
    """Only http(s) web addresses are kept; a bare domain gets ``https://`` (see
    :mod:`directory.listings.links`: a ``javascript:`` link must never reach a page)."""
    return links.web_address(n.clean_text(value))


def _email(value: Any) -> str | None:
    text = n.clean_text(value)
    return re.sub(r"(?i)^mailto:", "", text) if text else None


def _numlist(value: Any) -> str | None:
    text = n.clean_text(value)
    if text is None:
        return None
    parts = [p for p in re.split(r"[\s,;]+", text) if p]
    if not all(re.fullmatch(r"[+-]?\d{1,3}", p) for p in parts):
        raise ValueError(f"{text!r} is not a list of numbers")
    return ",".join(parts)


CONVERTERS: dict[str, Any] = {
    "text": n.clean_text,
    "url": _url,
    "email": _email,
    "number": _number,
    "int": n.parse_int,
    "bool": n.parse_bool,
    "date": lambda v: (d := n.parse_date(v)) and d.isoformat(),
    "datetime": lambda v: (d := n.parse_datetime(v)) and iso_datetime(d),
    "time": lambda v: (t := n.parse_time(v)) and t.strftime("%H:%M:%S"),
    "byday": n.normalise_byday,
    "wkst": lambda v: (d := n.normalise_byday(v)) and d.split(",")[0],
    "freq": n.normalise_freq,
    "numlist": _numlist,
    "words": _words,
    "status": lambda v: _choice(v, SERVICE_STATUSES, "service status"),
    "listing_status": lambda v: _choice(v, tuple(s.value for s in ListingStatus), "status"),
    "location_type": lambda v: _choice(v, ("physical", "postal", "virtual"), "location type"),
    "location_kind": lambda v: _choice(v, tuple(k.value for k in LocationKind), "kind"),
    "delivery_modes": lambda v: [_choice(m, DELIVERY_MODES, "delivery mode") for m in _words(v)],
    "country": lambda v: (t := n.clean_text(v)) and _country(t),
}


def _country(text: str) -> str:
    upper = text.upper()
    if upper in {"UK", "GBR", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND", "WALES", "SCOTLAND"}:
        return "GB"
    if len(upper) != 2 or not upper.isalpha():
        raise ValueError(f"{text!r} is not a two-letter country code")
    return upper
