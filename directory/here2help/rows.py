"""What every request and offer row must have before anything of it is written: a reference
(unique in its file, and not one of this directory's own records), a date and a status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from directory.here2help import values
from directory.here2help.context import SOURCE
from directory.here2help.report import FileReport

#: The longest reference the request and offer tables hold.
MAX_REFERENCE = 16


def reference_of(raw: str) -> str:
    """A reference as given, trimmed; :class:`values.BadCell` if empty or too long."""
    reference = values.clean(raw)
    if not reference:
        raise values.BadCell("reference is empty")
    if len(reference) > MAX_REFERENCE:
        raise values.BadCell(f"reference is longer than {MAX_REFERENCE} characters")
    return reference


def identify(
    report: FileReport,
    row: int,
    raw: dict[str, str],
    first_row: dict[str, int],
    existing: dict[str, Any],
) -> tuple[str, datetime, str, Any] | None:
    """``(reference, created, status, the record imported before or None)``, or None (the
    row is reported as skipped) when the row cannot be imported."""
    try:
        reference = reference_of(raw["reference"])
        created = values.parse_date(raw["created"])
        status = values.parse_status(raw["status"])
    except values.BadCell as exc:
        report.error(row, str(exc))
        return None
    if reference in first_row:
        report.error(
            row, f"reference {reference} appears again (first on row {first_row[reference]})"
        )
        return None
    first_row[reference] = row
    record = existing.get(reference)
    if record is not None and record.source != SOURCE:
        report.error(row, f"reference {reference} belongs to a record made in this directory")
        return None
    if record is not None and record.anonymised_at is not None:
        report.error(row, "personal data was removed from this record, so it is not imported again")
        return None
    return reference, created, status, record
