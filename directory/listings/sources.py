"""Read the records out of whatever was handed to the importer.

Accepted: a JSON file holding a list of ORUK objects, a page envelope (``contents``), a single
object, or an object of named lists (``{"taxonomies": [...], "services": [...]}``); a folder
of HSDS CSV files (with or without ``datapackage.json``) or a single CSV file; and a folder
written by ``export-hsds`` (its JSON files, in dependency order).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from directory.listings import csv_package

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


class SourceError(Exception):
    """The input could not be read at all (missing, unreadable, not JSON, no records)."""


def read_path(path: Path) -> tuple[Records, list[str]]:
    """``(records, notes)`` from a file or folder; raises :class:`SourceError`."""
    if not path.exists():
        raise SourceError(f"{path} does not exist")
    if path.is_dir():
        if any(path.glob("*.csv")) or (path / "datapackage.json").is_file():
            return _csv(path)
        json_files = sorted(path.glob("*.json"), key=_export_order)
        if not json_files:
            raise SourceError(f"{path} holds no .json or .csv files")
        records: Records = []
        for file in json_files:
            records.extend(read_json(file))
        return records, []
    if path.suffix.lower() == ".csv":
        return _csv(path)
    return read_json(path), []


def _csv(path: Path) -> tuple[Records, list[str]]:
    try:
        package = csv_package.read_package(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{path}: {exc}") from exc
    if not package.records:
        raise SourceError(f"{path} holds no HSDS tables with records")
    return package.records, package.notes


def _export_order(path: Path) -> tuple[int, str]:
    name = path.name
    return (EXPORT_FILES.index(name) if name in EXPORT_FILES else len(EXPORT_FILES), name)


def read_json(path: Path) -> Records:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path} cannot be read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path} is not valid JSON: {exc}") from exc
    records = records_from_json(data)
    if not records:
        raise SourceError(f"{path} holds no records")
    return records


def records_from_json(data: Any) -> Records:
    """The records in parsed JSON of any accepted shape (types left to the importer)."""
    if isinstance(data, list):
        return [(None, item) for item in data]
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("contents"), list):
        return [(None, item) for item in data["contents"]]
    named = [key for key in NAMED_LISTS if isinstance(data.get(key), list)]
    if named and "id" not in data:
        return [(NAMED_LISTS[key], item) for key in named for item in data[key]]
    return [(None, data)]
