"""Read the HSDS tabular form: a folder of CSV files, one per table, joined by id columns.

Real packages name their files inconsistently (the ORUK examples hold both ``schedule.csv`` and
``schedules.csv``, ``address.csv`` and ``addresses.csv``): every spelling of a table is read
and rows with the same id are merged. The rows are then nested into full ORUK service objects,
so a CSV package goes through exactly the same cleaning, checks and writing as JSON.
``datapackage.json``, when present, names the files; otherwise every ``*.csv`` is looked at.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directory.listings.limits import MAX_BYTES, SourceError, read_text
from directory.listings.shapes import spreadsheet

Row = dict[str, Any]
#: Python's csv module refuses fields over 131,072 characters unless told otherwise.
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)

#: Table -> the file stems it is found under (singular and plural, old HSDS names).
TABLES: dict[str, tuple[str, ...]] = {
    "organizations": ("organization", "organizations"),
    "organization_identifiers": ("organization_identifier", "organization_identifiers"),
    "services": ("service", "services"),
    "service_at_locations": ("service_at_location", "service_at_locations"),
    "locations": ("location", "locations"),
    "addresses": ("address", "addresses", "physical_address", "physical_addresses"),
    "accessibility": ("accessibility", "accessibilities", "accessibility_for_disabilities"),
    "contacts": ("contact", "contacts"),
    "phones": ("phone", "phones"),
    "schedules": ("schedule", "schedules", "regular_schedule", "regular_schedules"),
    "service_areas": ("service_area", "service_areas"),
    "languages": ("language", "languages"),
    "funding": ("funding", "fundings"),
    "cost_options": ("cost_option", "cost_options"),
    "attributes": ("attribute", "attributes"),
    "taxonomies": ("taxonomy", "taxonomies"),
    "taxonomy_terms": ("taxonomy_term", "taxonomy_terms"),
}
_STEMS = {stem: table for table, stems in TABLES.items() for stem in stems}
#: Per service: (table, key in the service object).
_SERVICE_CHILDREN = (
    ("service_areas", "service_areas"),
    ("languages", "languages"),
    ("funding", "funding"),
    ("cost_options", "cost_options"),
    ("contacts", "contacts"),
    ("schedules", "schedules"),
)


@dataclass
class Package:
    records: list[tuple[str | None, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _stem(name: str) -> str:
    return re.sub(r"[\s-]+", "_", Path(name).stem.strip().lower())


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    listed: list[Path] = []
    package_file = path / "datapackage.json"
    if package_file.is_file():
        descriptor = json.loads(package_file.read_text(encoding="utf-8-sig"))
        for resource in descriptor.get("resources", []):
            resource_path = resource.get("path")
            if isinstance(resource_path, str) and (path / resource_path).is_file():
                listed.append(path / resource_path)
    found = sorted(path.glob("*.csv"), key=lambda p: (len(p.stem), p.name))
    return listed + [p for p in found if p not in listed]


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Commas unless the header line is plainly tab- or semicolon-separated (Excel in some
    locales saves "CSV" with semicolons)."""
    header = text.split("\n", 1)[0]
    for delimiter in ("\t", ";"):
        if header.count(delimiter) > header.count(",") and header.count(delimiter) >= 2:
            return type("Sheet", (csv.excel,), {"delimiter": delimiter})
    return csv.excel


def raw_rows(
    path: Path, max_bytes: int = MAX_BYTES
) -> tuple[list[str], list[list[str]], list[str]]:
    """``(headers, rows, notes)`` of one CSV file, read within the size limit.

    A field longer than Python's default 131,072 characters is read, not refused (the
    importer cuts long text with a warning); a malformed file is a :class:`SourceError`
    naming the line."""
    text, note = read_text(path, max_bytes)
    csv.field_size_limit(max(max_bytes, _FIELD_LIMIT))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), _dialect(text)))
    except csv.Error as exc:
        raise SourceError(f"{path.name} is not a CSV file we can read: {exc}") from exc
    headers = rows[0] if rows else []
    return headers, rows[1:], [note] if note else []


def read_table(path: Path, max_bytes: int = MAX_BYTES) -> tuple[list[Row], str | None]:
    """Rows with lower-case headers and blank cells as None; handles a BOM and CRLF."""
    headers, lines, notes = raw_rows(path, max_bytes)
    keys = [re.sub(r"\s+", "_", (h or "").strip().lstrip("\ufeff").lower()) for h in headers]
    rows = []
    for line in lines:
        row = {
            key: (value.strip() if value else None) or None
            for key, value in zip(keys, line, strict=False)
            if key
        }
        if any(v is not None for v in row.values()):
            rows.append(row)
    return rows, notes[0] if notes else None


def spreadsheet_rows(path: Path, max_bytes: int = MAX_BYTES) -> tuple[list[Row], list[str]] | None:
    """A one-row-per-service sheet's rows keyed by our column names, or None when the file's
    headers do not look like one (see :mod:`directory.listings.shapes.spreadsheet`)."""
    headers, lines, notes = raw_rows(path, max_bytes)
    mapping = spreadsheet.recognise(headers)
    if mapping is None:
        return None
    columns = [mapping.get(header) for header in headers]
    rows = []
    for line in lines:
        row = {key: value.strip() or None for key, value in zip(columns, line, strict=False) if key}
        if any(row.values()):
            rows.append(row)
    ignored = [h for h in headers if h and h not in mapping]
    known = ", ".join(f"{h!r} as {mapping[h]}" for h in headers if h in mapping)
    notes.append(f"{path.name} read as a spreadsheet, one service a row: {known}")
    if ignored:
        notes.append(f"{path.name}: columns not used: {', '.join(map(repr, ignored))}")
    return rows, notes


def _merge(into: dict[str, Row], rows: list[Row], unnamed: list[Row]) -> int:
    """Merge rows by id across files: later files fill gaps and win conflicts. A second row
    with the same id in one file is kept apart, so the importer reports the duplicate.
    Returns the number of rows that conflicted with an earlier file."""
    conflicts = 0
    in_this_file: set[str] = set()
    for row in rows:
        ident = (row.get("id") or "").lower()
        if not ident or ident in in_this_file:
            unnamed.append(row)
            continue
        in_this_file.add(ident)
        existing = into.get(ident)
        if existing is None:
            into[ident] = row
            continue
        if any(existing.get(k) not in (None, v) for k, v in row.items() if v is not None):
            conflicts += 1
        existing.update({k: v for k, v in row.items() if v is not None})
    return conflicts


def read_tables(path: Path, max_bytes: int = MAX_BYTES) -> tuple[dict[str, list[Row]], list[str]]:
    merged: dict[str, dict[str, Row]] = defaultdict(dict)
    unnamed: dict[str, list[Row]] = defaultdict(list)
    notes: list[str] = []
    seen_files: dict[str, list[str]] = defaultdict(list)
    for file in _files(path):
        table = _STEMS.get(_stem(file.name))
        if table is None:
            notes.append(f"{file.name} is not a table we import; ignored")
            continue
        rows, note = read_table(file, max_bytes)
        if note:
            notes.append(note)
        conflicts = _merge(merged[table], rows, unnamed[table])
        seen_files[table].append(file.name)
        if conflicts:
            notes.append(
                f"{conflicts} row(s) of {file.name} differ from the same ids in "
                f"{', '.join(seen_files[table][:-1])}; {file.name} was used"
            )
    tables = {t: list(merged[t].values()) + unnamed[t] for t in TABLES}
    return tables, notes


def _by(rows: list[Row], key: str) -> dict[str, list[Row]]:
    index: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            index[row[key].lower()].append(row)
    return index


def _is_table(path: Path) -> bool:
    return _STEMS.get(_stem(path.name)) is not None


def read_package(path: Path, max_bytes: int = MAX_BYTES) -> Package:
    """Nest the tables into ORUK objects: taxonomies, terms, organisations, locations and
    full services, each list present so a package replaces what it covers. A single file (or
    a folder of files) that is no HSDS table but a one-row-per-service spreadsheet is read as
    one: its rows come back typed ``spreadsheet_row``."""
    files = [path] if path.is_file() else sorted(path.glob("*.csv"))
    if files and all(not _is_table(f) or not _has_id_column(f) for f in files):
        package = Package()
        for file in files:
            found = spreadsheet_rows(file, max_bytes)
            if found is None:
                if _is_table(file):
                    return _nested_package(path, max_bytes)
                package.notes.append(f"{file.name} is neither an HSDS table nor a spreadsheet")
                continue
            package.records.extend((spreadsheet.RECORD_TYPE, row) for row in found[0])
            package.notes.extend(found[1])
        return package
    return _nested_package(path, max_bytes)


def _has_id_column(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(65536).decode("utf-8", errors="replace")
    except OSError:
        return True
    return any(cell.strip().strip('"').lstrip("\ufeff").lower() == "id"
               for cell in re.split(r"[,;\t]", first))  # fmt: skip


def _nested_package(path: Path, max_bytes: int) -> Package:
    tables, notes = read_tables(path, max_bytes)
    package = Package(notes=notes)
    terms = {row["id"].lower(): row for row in tables["taxonomy_terms"] if row.get("id")}
    ids = {
        entity: {(r.get("id") or "").lower() for r in tables[table]}
        for entity, table in (
            ("service", "services"),
            ("organization", "organizations"),
            ("location", "locations"),
        )
    }
    attributes: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in tables["attributes"]:
        link = (row.get("link_id") or "").lower()
        entity = (row.get("link_entity") or "").lower() or next(
            (name for name, known in ids.items() if link in known), None
        )
        if entity is None:
            notes.append(f"attribute {row.get('id')} links to no record in the package; ignored")
            continue
        term = terms.get((row.get("taxonomy_term_id") or "").lower())
        attributes[(entity, link)].append({**row, "taxonomy_term": term} if term else row)

    def attrs(entity: str, row: Row) -> list[Row]:
        return attributes.get((entity, (row.get("id") or "").lower()), [])

    identifiers = _by(tables["organization_identifiers"], "organization_id")
    organizations: dict[str, Row] = {}
    for row in tables["organizations"]:
        key = (row.get("id") or "").lower()
        org = {**row, "organization_identifiers": identifiers.get(key, [])}
        organizations[key] = org | {"attributes": attrs("organization", row)}
    addresses = _by(tables["addresses"], "location_id")
    access = _by(tables["accessibility"], "location_id")
    locations: dict[str, Row] = {}
    for row in tables["locations"]:
        key = (row.get("id") or "").lower()
        locations[key] = {
            **row,
            "addresses": addresses.get(key, []),
            "accessibility": access.get(key, []),
            "attributes": attrs("location", row),
        }
    package.records.extend(("taxonomy", row) for row in tables["taxonomies"])
    package.records.extend(("taxonomy_term", row) for row in tables["taxonomy_terms"])
    services = _services(tables, organizations, locations, attrs, notes)
    used_orgs = {(s.get("organization_id") or "").lower() for s in services}
    used_locations = {(r.get("location_id") or "").lower() for r in tables["service_at_locations"]}
    package.records.extend(
        ("organization", org) for key, org in organizations.items() if key not in used_orgs
    )
    package.records.extend(
        ("location", loc) for key, loc in locations.items() if key not in used_locations
    )
    package.records.extend(("service", svc) for svc in services)
    return package


def _services(
    tables: dict[str, list[Row]],
    organizations: dict[str, Row],
    locations: dict[str, Row],
    attrs: Any,
    notes: list[str],
) -> list[Row]:
    sals = tables["service_at_locations"]
    sal_service = {(r.get("id") or "").lower(): r.get("service_id") for r in sals}
    for schedule in tables["schedules"]:
        if not schedule.get("service_id") and schedule.get("service_at_location_id"):
            schedule["service_id"] = sal_service.get(schedule["service_at_location_id"].lower())
    phones = _by(tables["phones"], "contact_id")
    service_phones = _by([p for p in tables["phones"] if not p.get("contact_id")], "service_id")
    stray = [p for p in tables["phones"] if not p.get("contact_id") and not p.get("service_id")]
    if stray:
        notes.append(f"{len(stray)} phone(s) belong to no contact or service; ignored")
    children = {table: _by(tables[table], "service_id") for table, _ in _SERVICE_CHILDREN}
    sal_by_service = _by(sals, "service_id")
    services = []
    for row in tables["services"]:
        key = (row.get("id") or "").lower()
        service = dict(row)
        org = organizations.get((row.get("organization_id") or "").lower())
        if org is not None:
            service["organization"] = org
        for table, name in _SERVICE_CHILDREN:
            service[name] = children[table].get(key, [])
        for contact in service["contacts"]:
            contact["phones"] = phones.get((contact.get("id") or "").lower(), [])
        if service_phones.get(key):
            service["phones"] = service_phones[key]
        service["service_at_locations"] = [
            {**sal, "location": locations.get((sal.get("location_id") or "").lower())}
            if (sal.get("location_id") or "").lower() in locations
            else sal
            for sal in sal_by_service.get(key, [])
        ]
        service["attributes"] = attrs("service", row)
        services.append(service)
    return services
