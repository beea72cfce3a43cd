"""The first phase of an import: every record typed, converted, cleaned and checked, with
nothing written yet (see :mod:`directory.listings.importer` for the second)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from directory.listings.cleaning import Issues, clean
from directory.listings.records import JSON, canonical_id
from directory.listings.validation import checked_copy, fit_lengths

_SERVICE_KEYS = {
    "status", "service_at_locations", "schedules", "contacts", "service_areas", "fees",
    "x_listing_status", "organization", "organization_id", "cost_options", "languages",
    "funding", "eligibility_description", "url", "accreditations", "minimum_age",
}  # fmt: skip
_ORGANIZATION_KEYS = {"services", "organization_identifiers", "website", "logo"}
_LOCATION_KEYS = {"addresses", "location_type", "latitude", "longitude", "accessibility", "x_kind"}
_TERM_KEYS = {"x_synonyms", "x_phrases", "parent_id", "taxonomy_id", "term", "term_uri", "taxonomy"}


def classify(raw: Any) -> str:
    """Which ORUK record type an object is, from the keys it has."""
    if not isinstance(raw, dict):
        return "service"
    keys = {str(k).strip().lower() for k in raw}
    if keys & {"taxonomy_terms", "terms"}:
        return "taxonomy"
    if "service" in keys and ({"location", "location_id"} & keys):
        return "service_at_location"
    if keys & _SERVICE_KEYS:
        return "service"
    if keys & _ORGANIZATION_KEYS:
        return "organization"
    if keys & _LOCATION_KEYS:
        return "location"
    if keys & _TERM_KEYS:
        return "taxonomy_term"
    if keys & {"version", "uri"}:
        return "taxonomy"
    return "service"


def expand(records: Iterable[tuple[str | None, Any]]) -> list[tuple[str, Any]]:
    """Give every record its type, and split organisations from the services they list."""
    out: list[tuple[str, Any]] = []
    for given, raw in records:
        record_type = given or classify(raw)
        if record_type == "organization" and isinstance(raw, dict) and raw.get("services"):
            services = raw["services"]
            raw = {k: v for k, v in raw.items() if k != "services"}
            for service in services if isinstance(services, list) else []:
                if isinstance(service, dict) and not service.get("organization"):
                    service = {**service, "organization_id": raw.get("id")}
                out.append(("service", service))
        out.append((record_type, raw))
    return out


def raw_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("id", raw.get("ID", raw.get("Id")))
        return canonical_id(value)[0] or (str(value)[:64] if value else None)
    return None


def prepare_record(record_type: str, raw: Any, issues: Issues) -> JSON:
    record = clean(record_type, raw, issues)
    assert record is not None
    if record_type != "service_at_location":
        record = checked_copy(record_type, record, issues)
    else:
        for key, kind in (("service", "service"), ("location", "location")):
            if record.get(key):
                record[key] = checked_copy(kind, record[key], issues)
    fit_lengths(record_type, record, issues)
    return record


def fingerprint(record: JSON) -> str:
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Prepared:
    """A record that passed every check, ready to write."""

    record_type: str
    record_id: str
    record: JSON
    issues: Issues
    reported: int = 0
