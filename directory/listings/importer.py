"""Import Open Referral UK 3.0 data: JSON as the API gives it, or the HSDS CSV package.

Each record is cleaned, checked against the ORUK schema and our own rules, and written inside
its own SAVEPOINT: a record that fails is reported with its id and reason and leaves nothing
behind, and the rest still goes in. Re-importing the same data changes nothing, so imports can
be re-run safely (see :mod:`directory.listings.writer`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.listings.cleaning import Issues, clean
from directory.listings.records import JSON, RecordError, canonical_id
from directory.listings.service_writer import ServiceWriter
from directory.listings.sources import SourceError, read_path
from directory.listings.validation import checked_copy
from directory.places.geocode import Geocoder, current_geocoder

__all__ = [
    "ImportReport",
    "Problem",
    "SourceError",
    "classify",
    "import_path",
    "import_records",
    "import_services",
]

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
_COMMIT_EVERY = 200

_SERVICE_KEYS = {
    "status", "service_at_locations", "schedules", "contacts", "service_areas", "fees",
    "x_listing_status", "organization", "organization_id", "cost_options", "languages",
    "funding", "eligibility_description", "url", "accreditations", "minimum_age",
}  # fmt: skip
_ORGANIZATION_KEYS = {"services", "organization_identifiers", "website", "logo"}
_LOCATION_KEYS = {"addresses", "location_type", "latitude", "longitude", "accessibility", "x_kind"}
_TERM_KEYS = {"x_synonyms", "x_phrases", "parent_id", "taxonomy_id", "term", "term_uri", "taxonomy"}


@dataclass(frozen=True)
class Problem:
    record_type: str
    record_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id or '(no id)'}: {self.message}"


@dataclass
class ImportReport:
    """What an import did: counts per record type, then every error and warning."""

    source: str = ""
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, record_type: str, status: str, n: int = 1) -> None:
        self.counts.setdefault(record_type, Counter())[status] += n

    def total(self, status: str) -> int:
        return sum(c[status] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.total("created") or self.total("updated"))

    def lines(self) -> list[str]:
        out = [f"Imported {self.source}" if self.source else "Import summary"]
        for record_type in sorted(self.counts, key=_order):
            counts = self.counts[record_type]
            parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES)
            out.append(f"  {record_type}: {parts}")
        out.extend(f"Note: {note}" for note in self.notes)
        if self.errors:
            out.append(f"{len(self.errors)} record(s) skipped:")
            out.extend(f"  ERROR {problem}" for problem in self.errors)
        if self.warnings:
            out.append(f"{len(self.warnings)} warning(s):")
            out.extend(f"  WARNING {problem}" for problem in self.warnings)
        return out


def _order(record_type: str) -> int:
    return RECORD_ORDER.index(record_type) if record_type in RECORD_ORDER else len(RECORD_ORDER)


def classify(raw: Any) -> str:
    """Which ORUK record type an object is, from the keys it has."""
    if not isinstance(raw, dict):
        return "service"
    keys = {str(k).strip().lower() for k in raw}
    if keys & {"taxonomy_terms", "terms"}:
        return "taxonomy"
    if "service" in keys and ({"location", "location_id"} & keys):
        return "service_at_location"
    if keys & _SERVICE_KEYS:
        return "service"
    if keys & _ORGANIZATION_KEYS:
        return "organization"
    if keys & _LOCATION_KEYS:
        return "location"
    if keys & _TERM_KEYS:
        return "taxonomy_term"
    if keys & {"version", "uri"}:
        return "taxonomy"
    return "service"


def _expand(records: Iterable[tuple[str | None, Any]]) -> list[tuple[str, Any]]:
    """Give every record its type, and split organisations from the services they list."""
    out: list[tuple[str, Any]] = []
    for given, raw in records:
        record_type = given or classify(raw)
        if record_type == "organization" and isinstance(raw, dict) and raw.get("services"):
            services = raw["services"]
            raw = {k: v for k, v in raw.items() if k != "services"}
            for service in services if isinstance(services, list) else []:
                if isinstance(service, dict) and not service.get("organization"):
                    service = {**service, "organization_id": raw.get("id")}
                out.append(("service", service))
        out.append((record_type, raw))
    out.sort(key=lambda item: _order(item[0]))
    return out


def _raw_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("id", raw.get("ID", raw.get("Id")))
        return canonical_id(value)[0] or (str(value) if value else None)
    return None


def _ensure_transaction(session: Session) -> None:
    """Start the database transaction before the first SAVEPOINT.

    Python's sqlite3 driver only begins a transaction before a write; a SAVEPOINT issued
    outside one starts a transaction of its own, whose RELEASE then commits everything.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")


def _prepare(record_type: str, raw: Any, issues: Issues) -> JSON:
    record = clean(record_type, raw, issues)
    assert record is not None
    if record_type != "service_at_location":
        return checked_copy(record_type, record, issues)
    for key, kind in (("service", "service"), ("location", "location")):
        if record.get(key):
            record[key] = checked_copy(kind, record[key], issues)
    return record


def import_records(
    session: Session,
    records: Iterable[tuple[str | None, Any]],
    *,
    geocoder: Geocoder | None = None,
    progress: Callable[[int], None] | None = None,
    source: str = "",
) -> ImportReport:
    """Import ``(record_type or None, object)`` pairs; the type is guessed when None."""
    report = ImportReport(source=source)
    geocoder = geocoder or current_geocoder()
    if geocoder.gazetteer() is None:
        report.notes.append(
            "the offline gazetteer is not built, so no coordinates were taken from postcodes "
            "(flask --app wsgi gazetteer build)"
        )
    writer = ServiceWriter(session, geocoder)
    seen: set[tuple[str, str]] = set()
    unknown: Counter[str] = Counter()
    saved_info = {k: session.info.get(k) for k in ("skip_geocoding", "updated_by")}
    session.info["skip_geocoding"] = True
    session.info.setdefault("updated_by", "import")
    try:
        for number, (record_type, raw) in enumerate(_expand(records), start=1):
            issues = Issues()
            record_id = _raw_id(raw)
            try:
                record = _prepare(record_type, raw, issues)
                record_id = record["id"]
                if (record_type, record_id) in seen:
                    raise RecordError("duplicate id: an earlier record has it and was kept")
                seen.add((record_type, record_id))
                _write(session, writer, record_type, record, issues)
            except (RecordError, LookupError, SQLAlchemyError, ValueError) as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                report.errors.append(Problem(record_type, record_id, message))
                report.count(record_type, "skipped")
            else:
                prefix = f"{record_type} {record_id}: "
                report.warnings.extend(
                    Problem(record_type, record_id, w.removeprefix(prefix)) for w in issues.warnings
                )
            unknown.update(issues.unknown_fields)
            if number % _COMMIT_EVERY == 0:
                session.commit()
            if progress:
                progress(1)
        session.commit()
    finally:
        for key, value in saved_info.items():
            if value is None:
                session.info.pop(key, None)
            else:
                session.info[key] = value
    for (record_type, _ident), status in writer.statuses.items():
        report.count(record_type, status)
    if unknown:
        names = ", ".join(sorted(unknown))
        report.notes.append(f"fields that are not part of ORUK 3.0 were ignored: {names}")
    return report


def _write(
    session: Session, writer: ServiceWriter, record_type: str, record: JSON, issues: Issues
) -> None:
    handlers: dict[str, Callable[[JSON], Any]] = {
        "service": writer.service,
        "organization": writer.organization,
        "location": writer.location,
        "taxonomy": writer.taxonomy,
        "taxonomy_term": writer.taxonomy_term,
        "service_at_location": writer.link_service_to_location,
    }
    _ensure_transaction(session)
    with session.begin_nested():
        writer.start_record(issues)
        with session.no_autoflush:
            handlers[record_type](record)
        session.flush()
    writer.finish_record()


def import_services(
    session: Session, records: Iterable[Any], *, geocoder: Geocoder | None = None
) -> ImportReport:
    """Import full ORUK service objects (as ``/api/services/{id}`` gives them)."""
    return import_records(session, (("service", r) for r in records), geocoder=geocoder)


def import_path(
    session: Session,
    path: str | Path,
    *,
    geocoder: Geocoder | None = None,
    progress_factory: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Import a JSON file, a CSV package folder or one of our export folders.

    Raises :class:`SourceError` when nothing could be read at all. ``progress_factory``, given
    the number of records, returns a context manager with ``update(n)`` (click.progressbar).
    """
    records, notes = read_path(Path(path))
    if progress_factory is None:
        report = import_records(session, records, geocoder=geocoder, source=str(path))
    else:
        with progress_factory(len(records)) as bar:
            report = import_records(
                session, records, geocoder=geocoder, progress=bar.update, source=str(path)
            )
    report.notes[:0] = notes
    return report
