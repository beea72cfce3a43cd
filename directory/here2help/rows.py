"""What every request and offer row must have before anything of it is written: a reference
(unique in its file, and not one of this directory's own records), a date and a status; and
the contact cells both files share (phone, email, postcode)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from directory.here2help import values
from directory.here2help.context import SOURCE
from directory.here2help.report import FileReport
from directory.places.geocode import Geocoder

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


def parse_cells(
    report: FileReport,
    row: int,
    raw: dict[str, str],
    parsers: dict[str, Callable[[str], Any]],
    *,
    left: str = "left out",
) -> dict[str, Any]:
    """Each column of ``parsers`` read by its parser; a cell that cannot be read is None, with
    a warning on its row ("...; left out")."""
    cells: dict[str, Any] = {}
    for column, parse in parsers.items():
        try:
            cells[column] = parse(raw[column])
        except values.BadCell as exc:
            cells[column] = None
            report.warn(row, f"{exc}; {left}")
    return cells


def parse_place(
    report: FileReport, row: int, raw: dict[str, str], geocoder: Geocoder
) -> values.Place:
    """The row's postcode and its coordinates; an unreadable one is left out with a warning."""
    try:
        return values.parse_postcode(raw["postcode"], geocoder)
    except values.BadCell as exc:
        report.warn(row, f"{exc}; left out")
        return values.Place()


def contacts_and_place(
    report: FileReport, row: int, raw: dict[str, str], geocoder: Geocoder
) -> tuple[str | None, str | None, values.Place]:
    """``(phone, email, place)`` of a request's or an offer's row, each left out (with a
    warning) when it cannot be read."""
    cells = parse_cells(
        report, row, raw, {"phone": values.parse_phone, "email": values.parse_email}
    )
    return cells["phone"], cells["email"], parse_place(report, row, raw, geocoder)
