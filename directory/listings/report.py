"""What an import did, in the words the summary prints: counts, errors, warnings and notes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

#: Records are written in this order so that what a record refers to already exists.
RECORD_ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "service",
    "service_at_location",
)
STATUSES = ("created", "updated", "unchanged", "skipped")


@dataclass(frozen=True)
class Problem:
    record_type: str
    record_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id or '(no id)'}: {self.message}"


def record_order(record_type: str) -> int:
    return RECORD_ORDER.index(record_type) if record_type in RECORD_ORDER else len(RECORD_ORDER)


@dataclass
class ImportReport:
    """What an import did: counts per record type, then every error and warning.

    ``duplicates`` and ``inferred`` are filled by :func:`directory.listings.post_import`
    (duplicate detection and need inference); ``retired`` lists the listings a feed dropped.
    ``written`` is False when nothing was written (``--strict`` with errors, or a failure).
    """

    source: str = ""
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    written: bool = True
    #: True when listings should have been retired but were not (more than half of the feed).
    retire_refused: bool = False
    run_id: str | None = None
    #: Why a run stopped part-way (a feed that could not be fetched), or None.
    failed: str | None = None

    def count(self, record_type: str, status: str, n: int = 1) -> None:
        self.counts.setdefault(record_type, Counter())[status] += n

    def total(self, status: str) -> int:
        return sum(c[status] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.total("created") or self.total("updated") or self.retired)

    def summary_counts(self) -> dict[str, object]:
        """The counts as plain JSON (kept on the run's ``import_run`` row)."""
        return {
            **{kind: dict(counts) for kind, counts in self.counts.items()},
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "retired": len(self.retired),
        }

    def lines(self) -> list[str]:
        out = [f"Imported {self.source}" if self.source else "Import summary"]
        for record_type in sorted(self.counts, key=record_order):
            counts = self.counts[record_type]
            parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES)
            out.append(f"  {record_type}: {parts}")
        out.extend(f"Note: {note}" for note in self.notes)
        if self.retired:
            out.append(f"{len(self.retired)} listing(s) retired (gone from the feed):")
            out.extend(f"  RETIRED {line}" for line in self.retired)
        for title, lines in (("possible duplicate(s)", self.duplicates),
                             ("inferred term(s)", self.inferred)):  # fmt: skip
            if lines:
                out.append(f"{len(lines)} {title}:")
                out.extend(f"  {line}" for line in lines)
        if self.errors:
            out.append(f"{len(self.errors)} record(s) skipped:")
            out.extend(f"  ERROR {problem}" for problem in self.errors)
        if self.warnings:
            out.append(f"{len(self.warnings)} warning(s):")
            out.extend(f"  WARNING {problem}" for problem in self.warnings)
        return out
