"""Read the records out of whatever was handed to the importer.

Accepted: a JSON file holding a list of records, a page envelope (ORUK 3.0 ``contents``,
Spring's ``content`` as ORUK 1.0 APIs and Outpost serve it, with ``totalElements``,
``totalPages``...), a single object, or an object of named lists (``{"taxonomies": [...],
"services": [...]}``); a folder of HSDS CSV files (with or without ``datapackage.json``) or a
single CSV file; a council's own one-row-per-service spreadsheet saved as CSV; and a folder
written by ``export-hsds`` (its JSON files, in dependency order). Every file is read within
the limits of :mod:`directory.listings.limits`, so a bad file is a clear message, never a
traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from directory.listings import csv_package
from directory.listings.limits import (
    MAX_BYTES,
    SourceError,
    check_size,
    describe_scalar,
    parse_json,
    read_text,
)

__all__ = ["SourceError", "page_records", "read_json", "read_path", "records_from_json"]

Records = list[tuple[str | None, Any]]

#: Named lists in a JSON object, and the record type each holds.
NAMED_LISTS = {
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "organizations": "organization",
    "locations": "location",
    "services": "service",
    "service_at_locations": "service_at_location",
}
#: The files ``export-hsds`` writes, in the order they must be read.
EXPORT_FILES = ("taxonomies.json", "organizations.json", "locations.json", "services.json")
#: Keys that hold a page's records in the envelopes feeds use.
PAGE_KEYS = ("contents", "content", "items", "data", "results")


def read_path(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[Records, list[str]]:
    """``(records, notes)`` from a file or folder; raises :class:`SourceError`."""
    if not path.exists():
        raise SourceError(f"{path} does not exist")
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file()]
        check_size(sum(p.stat().st_size for p in files), str(path), max_bytes)
        if any(path.glob("*.csv")) or (path / "datapackage.json").is_file():
            return _csv(path, max_bytes)
        json_files = sorted(path.glob("*.json"), key=_export_order)
        if not json_files:
            raise SourceError(f"{path} holds no .json or .csv files")
        records: Records = []
        notes: list[str] = []
        for file in json_files:
            found, file_notes = read_json(file, max_bytes=max_bytes)
            records.extend(found)
            notes.extend(file_notes)
        return records, notes
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return _csv(path, max_bytes)
    return read_json(path, max_bytes=max_bytes)


def _csv(path: Path, max_bytes: int) -> tuple[Records, list[str]]:
    try:
        package = csv_package.read_package(path, max_bytes=max_bytes)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: {exc}") from exc
    if not package.records:
        raise SourceError(
            f"{path} holds no HSDS tables with records, and is not a spreadsheet with a "
            "service or organisation column and at least two others we know (description, "
            "address, postcode, phone, email, website, opening times, category)"
        )
    return package.records, package.notes


def _export_order(path: Path) -> tuple[int, str]:
    name = path.name
    return (EXPORT_FILES.index(name) if name in EXPORT_FILES else len(EXPORT_FILES), name)


def read_json(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[Records, list[str]]:
    """The records of one JSON file, and notes about reading it."""
    text, note = read_text(path, max_bytes)
    data = parse_json(text, str(path))
    records = records_from_json(data)
    if not records:
        if not isinstance(data, list | dict):
            raise SourceError(f"{path} holds {describe_scalar(data)}, not records")
        raise SourceError(f"{path} holds no records")
    return records, [note] if note else []


def page_records(data: Any) -> list[Any] | None:
    """The records of a page envelope, or None when ``data`` is not one."""
    if not isinstance(data, dict) or "id" in data:
        return None
    for key in PAGE_KEYS:
        if isinstance(data.get(key), list):
            return data[key]
    return None


def records_from_json(data: Any) -> Records:
    """The records in parsed JSON of any accepted shape (types left to the importer)."""
    if isinstance(data, list):
        return [(None, item) for item in data]
    if not isinstance(data, dict):
        return []
    page = page_records(data)
    if page is not None:
        return [(None, item) for item in page]
    named = [key for key in NAMED_LISTS if isinstance(data.get(key), list)]
    if named and "id" not in data:
        return [(NAMED_LISTS[key], item) for key in named for item in data[key]]
    return [(None, data)]
