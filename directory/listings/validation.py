"""Check cleaned records against the ORUK 3.0 schemas, then against our own rules.

The schema check uses the compiled ORUK schemas with format checking on (uuid, email, uri,
date-time), so what we store always serialises to valid ORUK. A fault in an optional field
drops that field (a warning); a fault in a required field of a nested item drops the item; a
fault in a required field of the record itself is an error and the record is skipped.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import inspect

from directory.listings.cleaning import Issues
from directory.listings.records import ENTITIES, JSON, RecordError
from directory.listings.writer import FIELD_ATTRIBUTES, MODELS
from directory.places.geocode import valid_coordinates
from directory.places.postcodes import normalise_postcode

#: The vendored ORUK 3.0 schemas (see SOURCE.md there).
SCHEMA_DIR = Path(__file__).resolve().parent / "oruk_schema"
#: Which schema file checks each top-level record type.
SCHEMA_FILES = {
    "service": "compiled/service.json",
    "organization": "organization.json",
    "location": "location.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MAX_ROUNDS = 20


@cache
def validator(record_type: str) -> Draft202012Validator:
    """A format-checking validator; references between the schema files resolve locally."""
    registry: Registry = Registry()
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text())
        if isinstance(contents, dict):
            resource = Resource.from_contents(contents, default_specification=DRAFT202012)
            registry = registry.with_resource(path.name, resource)
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[record_type]).read_text())
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _schema_at(schema: JSON, path: list[Any]) -> JSON:
    for step in path:
        schema = (
            schema.get("items", {})
            if isinstance(step, int)
            else (schema.get("properties", {}).get(step, {}))
        )
    return schema


def _describe(path: list[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def check_schema(record_type: str, record: JSON, issues: Issues) -> None:
    """Validate ``record`` in place, dropping what fails; raise RecordError for the record."""
    checker = validator(record_type)
    for _ in range(_MAX_ROUNDS):
        errors = list(checker.iter_errors(_without_nulls(record)))
        if not errors:
            return
        drops: dict[tuple[Any, ...], str] = {}
        for error in errors:
            path = list(error.absolute_path)
            if error.validator == "required":
                target = path
            else:
                parent = _schema_at(checker.schema, path[:-1])
                target = path[:-1] if path and path[-1] in parent.get("required", ()) else path
            if not target:
                raise RecordError(f"does not match the ORUK schema: {error.message}")
            drops.setdefault(tuple(target), error.message)
        for target, message in sorted(drops.items(), key=lambda d: d[0], reverse=True):
            if any(target[:i] in drops for i in range(1, len(target))):
                continue
            _drop(record, list(target))
            issues.warn(f"{_describe(list(target))}: {message}; left out")
    raise RecordError("could not be made to match the ORUK schema")


def _drop(record: JSON, path: list[Any]) -> None:
    container: Any = record
    for step in path[:-1]:
        container = container[step]
    last = path[-1]
    if isinstance(container, list):
        container.pop(last)
    else:
        container.pop(last, None)


def own_checks(record_type: str, record: JSON, issues: Issues) -> None:
    """Rules the ORUK schema does not state: ranges, UK postcodes, ages, e-mail shape."""
    for where, item, kind in _walk(record_type, record, ""):
        for key in ("email", "assurer_email"):
            if item.get(key) and not _EMAIL_RE.match(item[key]):
                issues.warn(f"{where}{key}: {item[key]!r} is not an e-mail address; left out")
                item[key] = None
        if kind == "location":
            _check_coordinates(item, issues, where)
        elif kind == "address":
            _check_postcode(item, issues, where)
        elif kind == "service":
            _check_ages(item, issues, where)
        start, end = item.get("valid_from"), item.get("valid_to")
        if start and end and start > end:
            issues.warn(f"{where}valid_to is before valid_from")


def walk_record(kind: str, item: JSON, where: str = "") -> Iterator[tuple[str, JSON, str]]:
    """``(where, item, kind)`` for a record and everything nested in it."""
    return _walk(kind, item, where)


def _walk(kind: str, item: JSON, where: str) -> Iterator[tuple[str, JSON, str]]:
    yield where, item, kind
    entity = ENTITIES[kind]
    for key, child in entity.lists.items():
        for i, sub in enumerate(item.get(key) or []):
            yield from _walk(child, sub, f"{where}{key}[{i}].")
    for key, child in entity.objects.items():
        if item.get(key):
            yield from _walk(child, item[key], f"{where}{key}.")


def _check_coordinates(location: JSON, issues: Issues, where: str) -> None:
    lat, lon = location.get("latitude"), location.get("longitude")
    if lat is None and lon is None:
        return
    if not valid_coordinates(lat, lon):
        issues.warn(
            f"{where}latitude/longitude {lat}, {lon} are not a point on Earth; "
            "left out (taken from the postcode if it is known)"
        )
        location["latitude"] = location["longitude"] = None


def _check_postcode(address: JSON, issues: Issues, where: str) -> None:
    text = address.get("postal_code")
    if not text:
        return
    normal = normalise_postcode(text)
    if normal is None:
        country = address.get("country") or "GB"
        outside = f" (country {country})" if country != "GB" else ""
        issues.warn(f"{where}postal_code {text!r} is not a UK postcode{outside}; kept as text")
    else:
        address["postal_code"] = normal


def _check_ages(service: JSON, issues: Issues, where: str) -> None:
    for key in ("minimum_age", "maximum_age"):
        age = service.get(key)
        if age is not None and not 0 <= age <= 130:
            issues.warn(f"{where}{key} {age} is not an age; left out")
            service[key] = None
    low, high = service.get("minimum_age"), service.get("maximum_age")
    if low is not None and high is not None and low > high:
        issues.warn(f"{where}minimum_age {low} is above maximum_age {high}; both left out")
        service["minimum_age"] = service["maximum_age"] = None


def checked_copy(record_type: str, record: JSON, issues: Issues) -> JSON:
    """Schema check then our own checks, on a copy (the caller's record is left as read)."""
    record = copy.deepcopy(record)
    check_schema(record_type, record, issues)
    own_checks(record_type, record, issues)
    return record


def fit_lengths(record_type: str, record: JSON, issues: Issues) -> None:
    """Text longer than its column, found before anything is written: the record's own
    required field (a service's name) is an error; a nested required one is cut to fit; any
    other is left out. Each with a warning saying which."""
    for where, item, kind in _walk(record_type, record, ""):
        columns = inspect(MODELS[kind]).columns
        entity = ENTITIES[kind]
        for key, field_kind in entity.fields.items():
            value = item.get(key)
            attr = FIELD_ATTRIBUTES.get(key, key)
            if not isinstance(value, str) or field_kind != "text" or attr not in columns:
                continue
            length = getattr(columns[attr].type, "length", None)
            if length is None or len(value) <= length:
                continue
            message = f"{where}{key} is longer than {length} characters"
            if key in entity.required and not where:
                raise RecordError(message)
            if key in entity.required:
                item[key] = value[:length].rstrip()
                issues.warn(f"{message}; cut to fit")
            else:
                item[key] = None
                issues.warn(f"{message}; left out")
