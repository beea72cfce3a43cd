"""Validate JSON against the Open Referral UK 3.0 schemas, offline.

``assert_valid(instance, "service_list")`` looks for ``compiled/service_list.json`` first and
then for the per-table ``service_list.json``, so both compiled objects (service,
service_at_location, ...) and plain tables (taxonomy, taxonomy_term) can be checked. References
between schema files (``"$ref": "taxonomy_term.json"`` and the raw GitHub URLs the OpenAPI file
uses) resolve to the local copies; any other reference fails instead of reaching the network.

Formats are checked (uuid, email, date-time, uri), using the
validator class for each schema's ``$schema`` (JSON Schema 2020-12, the OpenAPI file's
``jsonSchemaDialect``, when a schema does not say).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

#: The ORUK 3.0 standard as published (schemas, OpenAPI file, examples), vendored under
#: tests/oruk_standard so the suite runs anywhere; ORUK_STANDARD_DIR points at another copy.
STANDARD_DIR = Path(
    os.environ.get("ORUK_STANDARD_DIR") or Path(__file__).resolve().parents[1] / "oruk_standard"
).resolve()
SCHEMA_DIR = STANDARD_DIR / "schema"
_REMOTE_BASES = (
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/",
    "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/",
)


def _offline(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("compiled/*.json")):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        relative = path.relative_to(SCHEMA_DIR).as_posix()
        names = {relative} | {base + relative for base in _REMOTE_BASES}
        if path.parent == SCHEMA_DIR:
            names.add(path.name)
        resources.extend((name, resource) for name in names)
    return Registry(retrieve=_offline).with_resources(resources)


def schema_path(name: str) -> Path:
    """The file for a schema name: ``compiled/<name>.json`` if it exists, else ``<name>.json``."""
    stem = name.removesuffix(".json")
    for candidate in (SCHEMA_DIR / "compiled" / f"{stem}.json", SCHEMA_DIR / f"{stem}.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"No ORUK schema called {name!r} in {SCHEMA_DIR}")


@cache
def validator(name: str) -> Any:
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    cls = validators.validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)


def errors(instance: Any, schema_name: str) -> list[str]:
    """Every validation error as "path: message" (empty when the instance is valid)."""
    found = validator(schema_name).iter_errors(instance)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in found]


def assert_valid(instance: Any, schema_name: str) -> None:
    """Fail with the most relevant error (and a count of the rest) if instance is invalid."""
    problems = list(validator(schema_name).iter_errors(instance))
    if problems:
        best = best_match(problems)
        where = "/".join(map(str, best.absolute_path)) or "<root>"
        raise AssertionError(
            f"Not a valid ORUK {schema_name}: {where}: {best.message} "
            f"({len(problems)} error(s) in all)"
        )
