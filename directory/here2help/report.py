"""What an import did, file by file, in words a council officer can act on.

The report never holds personal data: rows are named by their number (the spreadsheet row:
the header is row 1), problems by what was wrong with which column, never by the value;
unmapped needs are shown scrubbed (:func:`directory.here2help.needs.reportable`). Only
organisations' names (not people's) and directory listings' names appear.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

#: Row numbers shown per message before "and N more".
MAX_ROWS_SHOWN = 30


@dataclass
class OrganisationMatch:
    """An organisation of organisations.csv already in the directory (or waiting for
    moderation): reported, not created."""

    row: int
    name: str
    listing: str
    listing_id: str
    reasons: list[str]


@dataclass
class FileReport:
    """Counts and problems for one CSV file."""

    file: str
    found: bool = True
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    matched: int = 0
    extra_columns: list[str] = field(default_factory=list)
    #: Row -> why it was skipped (nothing written for it).
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: Row -> what was left out or changed while importing it.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)
    matches: list[OrganisationMatch] = field(default_factory=list)
    #: Anything else worth saying once ("how imported offers' status was set").
    notes: list[str] = field(default_factory=list)
    #: Counts by the status or outcome records were given.
    statuses: Counter[str] = field(default_factory=Counter)

    def error(self, row: int, message: str) -> None:
        self.errors.append((row, message))
        self.skipped += 1

    def warn(self, row: int, message: str) -> None:
        self.warnings.append((row, message))

    def lines(self) -> list[str]:
        if not self.found:
            return [f"{self.file}: not found, skipped"]
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        )
        if self.matched or self.file == "organisations.csv":
            counts += f", {self.matched} matched to the directory"
        out = [f"{self.file}: {self.read} rows read: {counts}"]
        if self.extra_columns:
            out.append(f"  Extra columns, ignored: {', '.join(self.extra_columns)}")
        if self.statuses:
            parts = ", ".join(f"{n} {label}" for label, n in sorted(self.statuses.items()))
            out.append(f"  Written as: {parts}")
        out += [f"  {note}" for note in self.notes]
        if self.errors:
            out.append("  Rows not imported:")
            out += _grouped(self.errors)
        if self.warnings:
            out.append("  Rows imported with a problem:")
            out += _grouped(self.warnings)
        if self.unmapped:
            total = sum(self.unmapped.values())
            out.append(f"  Needs that could not be mapped to the need list ({total}):")
            for words, n in sorted(self.unmapped.items(), key=lambda item: (-item[1], item[0])):
                out.append(f"    {words!r}: {n}")
        if self.matches:
            out.append("  Already in the directory, so not proposed again:")
            for m in self.matches:
                out.append(
                    f"    row {m.row}: {m.name!r} matches {m.listing!r} ({m.listing_id}): "
                    + ", ".join(m.reasons)
                )
        return out


def _grouped(items: list[tuple[int, str]]) -> list[str]:
    """One line per message with the rows it applies to."""
    rows: dict[str, list[int]] = defaultdict(list)
    for row, message in items:
        rows[message].append(row)
    out = []
    for message, numbers in rows.items():
        shown = ", ".join(str(n) for n in numbers[:MAX_ROWS_SHOWN])
        if len(numbers) > MAX_ROWS_SHOWN:
            shown += f" and {len(numbers) - MAX_ROWS_SHOWN} more"
        label = "row" if len(numbers) == 1 else "rows"
        out.append(f"    {label} {shown}: {message}")
    return out


@dataclass
class RunReport:
    """The whole run: one report per file, in the order they were imported."""

    folder: str
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def file(self, name: str) -> FileReport:
        for report in self.files:
            if report.file == name:
                return report
        raise KeyError(name)

    def lines(self) -> list[str]:
        head = f"Here2Help import from {self.folder}"
        if self.dry_run:
            head += " (dry run: nothing was written)"
        out = [head]
        out += self.notes
        for report in self.files:
            out += report.lines()
        return out
