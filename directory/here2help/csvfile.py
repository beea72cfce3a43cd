"""Reading the three Here2Help CSV files: encoding, headers and rows, before anything is written.

Every file is read whole and checked first, so a missing column in the last file stops the run
before the first is written. Headers are matched ignoring case, surrounding spaces and the
difference between spaces, hyphens and underscores ("Matched Offer" is ``matched_offer``), in
any order; columns we do not know are reported and ignored. Rows are numbered as a
spreadsheet shows them: the header is row 1. Blank rows are skipped without comment.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from directory.listings.limits import SourceError, max_bytes, read_text

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

REQUESTS = "requests.csv"
OFFERS = "offers.csv"
ORGANISATIONS = "organisations.csv"

#: The columns each file must have (the issue's list); more are allowed and reported.
HEADERS: dict[str, tuple[str, ...]] = {
    REQUESTS: (
        "reference",
        "created",
        "need",
        "details",
        "postcode",
        "name",
        "phone",
        "email",
        "status",
        "outcome",
        "matched_offer",
    ),
    OFFERS: (
        "reference",
        "created",
        "name",
        "needs",
        "postcode",
        "radius_km",
        "capacity",
        "phone",
        "email",
        "status",
    ),
    ORGANISATIONS: ("name", "postcode", "phone", "email", "website", "description"),
}
#: Imported in this order: requests name the offers they were matched to.
ORDER = (ORGANISATIONS, OFFERS, REQUESTS)
_HEADER_SPACE = re.compile(r"[\s\-]+")


class HeaderError(Exception):
    """A file cannot be imported as it is: the message names the file and what is wrong."""


@dataclass
class Table:
    """One file's rows as ``(row number, {column: cell})``, with what was odd about it."""

    name: str
    path: Path | None
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    #: Rows with more cells than the header has columns: (row, how many more).
    long_rows: list[tuple[int, int]] = field(default_factory=list)
    encoding_note: str | None = None

    @property
    def found(self) -> bool:
        return self.path is not None


def header_key(text: str) -> str:
    """``" Matched-Offer "`` -> ``"matched_offer"``."""
    return _HEADER_SPACE.sub("_", text.replace("\ufeff", "").strip().lower())


def find_file(folder: Path, name: str) -> Path | None:
    """``folder/name``, ignoring the case of the file name ("Requests.CSV")."""
    exact = folder / name
    if exact.is_file():
        return exact
    for candidate in sorted(folder.iterdir()):
        if candidate.name.lower() == name and candidate.is_file():
            return candidate
    return None


def read_folder(folder: Path) -> dict[str, Table]:
    """Every file of :data:`ORDER` that is there, read and checked; a missing file gives a
    table with no path. Raises :class:`HeaderError` listing every problem at once."""
    if not folder.is_dir():
        raise HeaderError(f"{folder} is not a folder")
    tables: dict[str, Table] = {}
    problems: list[str] = []
    for name in ORDER:
        path = find_file(folder, name)
        if path is None:
            tables[name] = Table(name, None)
            continue
        try:
            tables[name] = read_table(name, path)
        except HeaderError as exc:
            problems.append(str(exc))
    if not problems and not any(t.found for t in tables.values()):
        problems.append(f"{folder} holds none of {', '.join(ORDER)}")
    if problems:
        raise HeaderError("\n".join(problems))
    return tables


def read_table(name: str, path: Path) -> Table:
    """One file, read and checked against :data:`HEADERS`."""
    try:
        text, note = read_text(path, max_bytes())
    except SourceError as exc:
        raise HeaderError(f"{name}: {exc}") from None
    return parse_table(name, text, path=path, encoding_note=note)


def parse_table(
    name: str, text: str, *, path: Path | None = None, encoding_note: str | None = None
) -> Table:
    """Rows of CSV ``text`` (already decoded) as the file ``name``."""
    required = HEADERS[name]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise HeaderError(f"{name}: the first row must name the columns; it is empty")
        keys = [header_key(cell) for cell in header]
        seen: set[str] = set()
        for key in keys:
            if key and key in seen:
                raise HeaderError(f"{name}: the column {key!r} appears twice")
            seen.add(key)
        missing = [column for column in required if column not in seen]
        if missing:
            plural = "columns" if len(missing) > 1 else "column"
            raise HeaderError(
                f"{name}: missing {plural} {', '.join(missing)} (the first row must name "
                f"every one of: {', '.join(required)}; see docs/here2help-import.md)"
            )
        table = Table(name, path or Path(name), encoding_note=encoding_note)
        table.extra_columns = [
            key or f"column {i + 1} (no header)"
            for i, key in enumerate(keys)
            if key not in required
        ]
        for index, cells in enumerate(reader):
            row = index + 2
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(keys):
                table.long_rows.append((row, len(cells) - len(keys)))
            values = {
                key: cells[i] if i < len(cells) else ""
                for i, key in enumerate(keys)
                if key in required
            }
            table.rows.append((row, values))
    except csv.Error as exc:
        raise HeaderError(
            f"{name}: not readable as CSV near line {reader.line_num}: {exc}"
        ) from None
    return table
