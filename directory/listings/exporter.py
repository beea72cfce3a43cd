"""Export the whole directory as ORUK 3.0 JSON and as an HSDS CSV data package.

It is a full backup: every listing whatever its ``x_listing_status``, every organisation and
location (also those no service uses yet, e.g. a new community hub) and every taxonomy term
with our search vocabulary. Values come from :mod:`directory.listings.serialise`, the one place
that decides what our ORUK JSON looks like, so ``services.json`` holds exactly what
``/api/services/{id}`` gives and an import of either form reproduces it.

Not exported: the change history (ORUK ``metadata`` and our change sequence), which belongs to
the database it was recorded in.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings import serialise as s
from directory.listings.models import Organization, Service
from directory.listings.validation import SCHEMA_DIR
from directory.places.models import Location
from directory.taxonomy.models import Attribute, Taxonomy, TaxonomyTerm

JSON = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """One CSV file: its ORUK schema (for names and types), extra columns and its rows."""

    schema: str
    extra: tuple[tuple[str, str], ...]
    rows: Callable[[Session], Iterable[JSON]]


def _services(session: Session) -> list[Service]:
    return list(session.scalars(select(Service).order_by(Service.id)).unique())


def _locations(session: Session) -> list[Location]:
    return list(session.scalars(select(Location).order_by(Location.id)))


def _organizations(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.id)).unique())


def _each(items: Callable[[Session], list[Any]], child: str, to_json: Callable) -> Callable:
    def rows(session: Session) -> Iterator[JSON]:
        for item in items(session):
            for sub in getattr(item, child):
                yield to_json(sub)

    return rows


def _contact_phones(session: Session) -> Iterator[JSON]:
    for service in _services(session):
        for contact in service.contacts:
            yield from (s.phone_json(p) for p in contact.phones)


def _attribute_rows(session: Session) -> Iterator[JSON]:
    for attribute in session.scalars(select(Attribute).order_by(Attribute.id)).unique():
        out = s.attribute_json(attribute)
        out.pop("taxonomy_term", None)
        yield out


def _sal_rows(session: Session) -> Iterator[JSON]:
    for service in _services(session):
        for sal in service.service_at_locations:
            out = s.service_at_location_json(sal, with_service=False, full=False)
            out.pop("location", None)
            yield out


_TEXT, _BOOL, _LIST, _NUM = "string", "boolean", "array", "number"
TABLES: tuple[Table, ...] = (
    Table("organization", (("x_demonstration", _BOOL),), lambda db: (
        s.organization_json(o, full=False) | {"x_demonstration": o.is_demonstration}
        for o in _organizations(db))),
    Table("organization_identifier", (), _each(_organizations, "identifiers", s.identifier_json)),
    Table("service", (
        ("alternate_name", _TEXT), ("application_process", _TEXT),
        ("eligibility_description", _TEXT), ("x_listing_status", _TEXT),
        ("x_demonstration", _BOOL), ("x_data_notes", _TEXT), ("x_delivery_modes", _LIST),
        ("x_referral", _TEXT),
    ), lambda db: (s.service_list_json(x) for x in _services(db))),
    Table("service_at_location", (("description", _TEXT),), _sal_rows),
    Table("location", (("x_kind", _TEXT),), lambda db: (
        s.location_json(x, full=False) for x in _locations(db))),
    Table("address", (("address_2", _TEXT),), _each(_locations, "addresses", s.address_json)),
    Table("accessibility", (), _each(_locations, "accessibility", s.accessibility_json)),
    Table("contact", (("email", _TEXT),), _each(_services, "contacts", s.contact_json)),
    Table("phone", (("extension", _TEXT), ("type", _TEXT)), _contact_phones),
    Table("schedule", (
        ("location_id", _TEXT), ("timezone", _TEXT), ("until", "date"), ("count", "integer"),
        ("wkst", _TEXT), ("byweekno", _TEXT), ("byyearday", _TEXT),
    ), _each(_services, "schedules", s.schedule_json)),
    Table("service_area", (), _each(_services, "service_areas", s.service_area_json)),
    Table("language", (("name", _TEXT), ("code", _TEXT), ("note", _TEXT)),
          _each(_services, "languages", s.language_json)),
    Table("funding", (), _each(_services, "funding", s.funding_json)),
    Table("cost_option", (), _each(_services, "cost_options", s.cost_option_json)),
    Table("attribute", (("link_entity", _TEXT), ("value", _TEXT)), _attribute_rows),
    Table("taxonomy", (), lambda db: (
        s.taxonomy_json(t) for t in db.scalars(select(Taxonomy).order_by(Taxonomy.id)))),
    Table("taxonomy_term", (("x_synonyms", _LIST), ("x_phrases", _LIST)), lambda db: (
        s.taxonomy_term_full_json(t)
        for t in db.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.id)))),
)  # fmt: skip


def _schema(name: str) -> JSON:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text())


def _field_type(spec: JSON) -> tuple[str, str | None]:
    kind = spec.get("datapackage_type") or spec.get("type", "string")
    kind = {"date-time": "datetime"}.get(kind, kind)
    return kind, spec.get("format") if kind == "string" else None


def _columns(table: Table) -> list[JSON]:
    """The ORUK columns of this table (array columns aside) and then our extra ones."""
    fields = []
    for name, spec in _schema(table.schema).get("properties", {}).items():
        if spec.get("type") in ("array", "object") or "$ref" in spec or "type" not in spec:
            continue
        kind, fmt = _field_type(spec)
        if spec.get("format") == "date-time":
            kind, fmt = "datetime", None
        fields.append({"name": name, "type": kind} | ({"format": fmt} if fmt else {}))
    known = {f["name"] for f in fields}
    fields.extend({"name": n, "type": t} for n, t in table.extra if n not in known)
    return fields


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


@dataclass
class ExportSummary:
    directory: Path
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"Exported to {self.directory}"]
        out.extend(f"  {name}: {count}" for name, count in self.counts.items())
        return out


def export_json(session: Session, directory: Path, summary: ExportSummary) -> None:
    services = [s.service_json(x) for x in _services(session)]
    taxonomies: list[JSON] = []
    for taxonomy in session.scalars(select(Taxonomy).order_by(Taxonomy.id)):
        terms = sorted(taxonomy.terms, key=lambda t: t.id)
        taxonomies.append(
            s.taxonomy_json(taxonomy)
            | {"taxonomy_terms": [s.taxonomy_term_full_json(t) for t in terms]}
        )
    loose = select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id.is_(None)).order_by(TaxonomyTerm.id)
    vocabulary = {
        "taxonomies": taxonomies,
        "taxonomy_terms": [s.taxonomy_term_full_json(t) for t in session.scalars(loose)],
    }
    files: dict[str, Any] = {
        "services.json": services,
        "taxonomies.json": vocabulary,
        "organizations.json": [s.organization_json(o) for o in _organizations(session)],
        "locations.json": [s.location_json(x) for x in _locations(session)],
    }
    for name, content in files.items():
        text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        (directory / name).write_text(text, encoding="utf-8")
        summary.counts[name] = (
            sum(map(len, content.values())) if name == "taxonomies.json" else len(content)
        )


def export_csv(session: Session, directory: Path, summary: ExportSummary) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    resources = []
    for table in TABLES:
        schema = _schema(table.schema)
        fields = _columns(table)
        names = [f["name"] for f in fields]
        path = directory / schema["path"]
        count = 0
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in table.rows(session):
                writer.writerow([_cell(row.get(n)) for n in names])
                count += 1
        summary.counts[f"csv/{schema['path']}"] = count
        resources.append(
            {
                "name": schema["name"],
                "path": schema["path"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": schema.get("description", ""),
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    descriptor = {
        "name": "community-directory",
        "title": "Community directory (Open Referral UK 3.0)",
        "profile": "tabular-data-package",
        "licenses": [{"name": "OGL-UK-3.0"}],
        "resources": resources,
    }
    (directory / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")


def export_directory(session: Session, directory: str | Path) -> ExportSummary:
    """Write ``services.json``, ``taxonomies.json`` (``{"taxonomies": [each with its
    taxonomy_terms], "taxonomy_terms": [terms in no taxonomy]}``), ``organizations.json``,
    ``locations.json`` and ``csv/`` (one file per table plus ``datapackage.json``)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(target)
    export_json(session, target, summary)
    export_csv(session, target / "csv", summary)
    return summary
