"""The shapes every insight comes in: a period of whole months, and tables of figures that the
page, the CSV downloads and the command line all print from, so they can never disagree."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str | None) -> date | None:
    """``"2026-03"`` -> 1 March 2026; empty -> None. Raises ValueError with a message that
    says how to fix it."""
    text = (text or "").strip()
    if not text:
        return None
    match = _MONTH_RE.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValueError("Enter a month as a year and month, like 2026-03")
    return date(int(match.group(1)), int(match.group(2)), 1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_key(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` inclusive; either end may be open."""

    first: date | None = None
    last: date | None = None

    @classmethod
    def parse(cls, first: str | None, last: str | None) -> Period:
        """From two ``YYYY-MM`` texts (either may be empty). ValueError if unreadable or the
        wrong way round."""
        period = cls(parse_month(first), parse_month(last))
        if period.first and period.last and period.first > period.last:
            raise ValueError("The first month must not be after the last month")
        return period

    @property
    def start(self) -> datetime | None:
        return datetime(self.first.year, self.first.month, 1, tzinfo=UTC) if self.first else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the period."""
        if self.last is None:
            return None
        after = next_month(self.last)
        return datetime(after.year, after.month, 1, tzinfo=UTC)

    def holds(self, moment: datetime | None) -> bool:
        if moment is None:
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        start, end = self.start, self.end
        return (start is None or moment >= start) and (end is None or moment < end)

    def where(self, column: Any) -> list[Any]:
        """SQL conditions keeping ``column`` inside the period."""
        out = []
        if self.start is not None:
            out.append(column >= self.start)
        if self.end is not None:
            out.append(column < self.end)
        return out

    @property
    def label(self) -> str:
        if self.first and self.last:
            return f"{month_key(self.first)} to {month_key(self.last)}"
        if self.first:
            return f"from {month_key(self.first)}"
        if self.last:
            return f"up to {month_key(self.last)}"
        return "all time"

    def query(self) -> dict[str, str]:
        """The query string that asks for this period again (for CSV links)."""
        out = {}
        if self.first:
            out["from"] = month_key(self.first)
        if self.last:
            out["to"] = month_key(self.last)
        return out


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    numeric: bool = False


@dataclass(frozen=True)
class Chart:
    """A bar chart of one table: a bar per row (the first ``limit``), labelled by column
    ``label`` (or columns ``"area+need"``, shown "CH2: Food") and as long as column
    ``value``."""

    title: str
    label: str
    value: str
    limit: int = 20


@dataclass
class Table:
    key: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    chart: Chart | None = None

    def index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    def column(self, key: str) -> list[Any]:
        i = self.index(key)
        return [row[i] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def chart_bars(self) -> list[tuple[str, float]]:
        """``(label, value)`` for each bar of the chart, in the table's order."""
        if self.chart is None:
            return []
        labels = [self.index(key) for key in self.chart.label.split("+")]
        j = self.index(self.chart.value)
        shown = self.rows[: self.chart.limit]
        return [(": ".join(str(row[i]) for i in labels), row[j]) for row in shown]


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will show, never run: text starting like a formula gets a ``'``."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    """The table as CSV: a header row of the column headings, then every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()
