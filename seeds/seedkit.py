"""Building blocks shared by the seed builders: stable ids, taxonomy look-ups and ORUK 3.0 objects.

Every object comes out in the shape ``/services/{id}`` returns (HSDS 3.0, UK profile) plus our
``x_`` extension keys, so the importer reads seed files exactly as it reads a partner's feed.
Ids are UUID 5 of a readable key, so rebuilding a file changes nothing unless its content does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vocabulary import CLIENT_GROUPS, GROUPS_TAXONOMY, NEEDS, NEEDS_TAXONOMY, Term, walk

JSON = dict[str, Any]

SEEDS_DIR = Path(__file__).resolve().parent
#: Fixed forever: changing it would change every id in every seed file.
SEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:seeds")
TAXONOMY_NAMESPACE = uuid.uuid5(SEED_NAMESPACE, "taxonomy")

AREAS = {
    "E06000050": "Cheshire West and Chester",
    "E10000034": "Worcestershire",
    "E07000234": "Bromsgrove",
    "E07000235": "Malvern Hills",
    "E07000236": "Redditch",
    "E07000237": "Worcester",
    "E07000238": "Wychavon",
    "E07000239": "Wyre Forest",
}


def seed_id(*parts: str) -> str:
    """A UUID 5 of the joined key, e.g. ``seed_id("demo", "service", "cwac/money/3")``."""
    return str(uuid.uuid5(SEED_NAMESPACE, "/".join(parts)))


def term_id(code: str) -> str:
    """Taxonomy term ids depend only on the term code, so they survive relabelling."""
    return str(uuid.uuid5(TAXONOMY_NAMESPACE, code))


def taxonomy_id(code: str) -> str:
    return str(uuid.uuid5(TAXONOMY_NAMESPACE, f"taxonomy:{code}"))


def _index() -> dict[str, tuple[Term, Term | None, str]]:
    index: dict[str, tuple[Term, Term | None, str]] = {}
    for terms, (tax_code, _name) in ((NEEDS, NEEDS_TAXONOMY), (CLIENT_GROUPS, GROUPS_TAXONOMY)):
        for item, parent in walk(terms):
            if item.code in index:
                raise ValueError(f"term code {item.code!r} is used twice")
            index[item.code] = (item, parent, tax_code)
    return index


TERMS = _index()


def top_level(code: str) -> str:
    """The top-level need a need term belongs to (itself when it is top level)."""
    _term, parent, _tax = TERMS[code]
    return code if parent is None else top_level(parent.code)


def taxonomy_term_json(code: str) -> JSON:
    """The nested ``taxonomy_term`` of an attribute (no ``parent_id`` at the top: the schema
    types it as a string, so a null would not validate)."""
    item, parent, tax_code = TERMS[code]
    out: JSON = {"id": term_id(code), "name": item.name, "description": item.description}
    if parent is not None:
        out["parent_id"] = term_id(parent.code)
    out["taxonomy_id"] = taxonomy_id(tax_code)
    out["term"] = code
    return out


def attribute(owner_id: str, code: str) -> JSON:
    link_type = "client_group" if TERMS[code][2] == GROUPS_TAXONOMY[0] else "need"
    return {
        "id": seed_id("attribute", owner_id, code),
        "link_id": owner_id,
        "link_type": link_type,
        "taxonomy_term_id": term_id(code),
        "taxonomy_term": taxonomy_term_json(code),
    }


def service_area(service_id: str, code: str) -> JSON:
    return {
        "id": seed_id("service_area", service_id, code),
        "service_id": service_id,
        "name": AREAS[code],
        "extent_type": "local_authority",
        "extent": code,
        "uri": f"http://statistics.data.gov.uk/id/statistical-geography/{code}",
    }


def phone(owner_id: str, number: str, description: str) -> JSON:
    return {"id": seed_id("phone", owner_id, number), "number": number, "description": description}


def contact(
    service_id: str,
    name: str,
    *,
    email: str | None = None,
    phones: Sequence[tuple[str, str]] = (),
) -> JSON:
    contact_id = seed_id("contact", service_id, name)
    out: JSON = {"id": contact_id, "service_id": service_id, "name": name}
    if email:
        out["email"] = email
    out["phones"] = [phone(contact_id, number, text) for number, text in phones]
    return out


def cost_option(service_id: str, option: str, amount: float, description: str) -> JSON:
    return {
        "id": seed_id("cost_option", service_id, option),
        "service_id": service_id,
        "option": option,
        "amount": amount,
        "amount_description": description,
    }


def schedule(service_id: str, key: str, **fields: Any) -> JSON:
    """A schedule; ``fields`` are ORUK schedule fields, None values left out."""
    out: JSON = {"id": seed_id("schedule", service_id, key), "service_id": service_id}
    out.update({name: value for name, value in fields.items() if value is not None})
    return out


def address(
    location_id: str, line_1: str, city: str, county: str, postcode: str, line_2: str | None = None
) -> JSON:
    out: JSON = {"id": seed_id("address", location_id), "location_id": location_id}
    out["address_1"] = line_1
    if line_2:
        out["address_2"] = line_2
    out |= {
        "city": city,
        "state_province": county,
        "postal_code": postcode,
        "country": "GB",
        "address_type": "physical",
    }
    return out


def location(
    location_id: str,
    name: str,
    kind: str,
    *,
    description: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    addresses: Sequence[JSON] = (),
    accessibility: Sequence[str] = (),
) -> JSON:
    out: JSON = {
        "id": location_id,
        "location_type": "virtual" if kind == "virtual" else "physical",
        "name": name,
    }
    if description:
        out["description"] = description
    if latitude is not None and longitude is not None:
        out["latitude"] = round(latitude, 5)
        out["longitude"] = round(longitude, 5)
    out["x_kind"] = kind
    out["addresses"] = list(addresses)
    out["accessibility"] = [
        {
            "id": seed_id("accessibility", location_id, text),
            "location_id": location_id,
            "description": text,
        }
        for text in accessibility
    ]
    out["attributes"] = []
    return out


def service_at_location(service_id: str, loc: JSON) -> JSON:
    return {
        "id": seed_id("service_at_location", service_id, loc["id"]),
        "service_id": service_id,
        "location_id": loc["id"],
        "location": loc,
    }


def organization(
    org_id: str,
    name: str,
    description: str,
    *,
    demonstration: bool,
    email: str | None = None,
    website: str | None = None,
) -> JSON:
    out: JSON = {"id": org_id, "name": name, "description": description}
    if email:
        out["email"] = email
    if website:
        out["website"] = website
    out["organization_identifiers"] = []
    out["attributes"] = []
    out["x_demonstration"] = demonstration
    return out


def service(
    service_id: str,
    org: JSON,
    name: str,
    description: str,
    *,
    status: str = "active",
    listing_status: str = "active",
    demonstration: bool,
    needs: list[str],
    client_groups: Sequence[str] = (),
    delivery_modes: list[str],
    referral: str | None,
    last_modified: str,
    **fields: Any,
) -> JSON:
    """A full ORUK service. ``fields`` carries the optional core fields (url, email, ages,
    assured_date, alert, fees, alternate_name, application_process, eligibility_description,
    schedules, service_areas, service_at_locations, cost_options, contacts, funding,
    x_data_notes); absent ones become empty lists or are left out."""
    out: JSON = {"id": service_id, "organization_id": org["id"], "name": name}
    out["description"] = description
    for key in ("alternate_name", "url", "email"):
        if fields.get(key):
            out[key] = fields[key]
    out["status"] = status
    for key in ("fees", "minimum_age", "maximum_age", "assured_date", "assurer_email", "alert"):
        if fields.get(key) is not None:
            out[key] = fields[key]
    out["last_modified"] = last_modified
    for key in ("schedules", "service_areas", "service_at_locations", "languages"):
        out[key] = list(fields.get(key, []))
    out["organization"] = org
    for key in ("funding", "cost_options", "contacts"):
        out[key] = list(fields.get(key, []))
    out["attributes"] = [attribute(service_id, code) for code in [*needs, *client_groups]]
    for key in ("application_process", "eligibility_description"):
        if fields.get(key):
            out[key] = fields[key]
    out["x_listing_status"] = listing_status
    out["x_demonstration"] = demonstration
    out["x_delivery_modes"] = list(delivery_modes)
    if referral:
        out["x_referral"] = referral
    if fields.get("x_data_notes"):
        out["x_data_notes"] = fields["x_data_notes"]
    unknown = set(fields) - _SERVICE_OPTIONAL
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    return out


_SERVICE_OPTIONAL = {
    "alternate_name",
    "url",
    "email",
    "fees",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "funding",
    "cost_options",
    "contacts",
    "application_process",
    "eligibility_description",
    "x_data_notes",
}


def write_json(data: Any, path: Path) -> None:
    """Pretty JSON with a final newline; UTF-8 kept readable (café, £)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
