"""Import Open Referral UK data, whatever shape it came in, validating everything first.

An import has two phases. **Prepare**: every record is converted from its feed's shape
(:mod:`directory.listings.shapes`), cleaned, checked against the ORUK schema and our own
rules, and checked for repeated ids, with nothing written. **Write**: the prepared records go
into the database in the caller's transaction, each inside its own SAVEPOINT, so a record the
database refuses leaves nothing behind and the rest still go in. :func:`import_records` writes
a whole input in ONE transaction, so an import killed part-way leaves nothing half-applied;
with ``strict`` any error, found in either phase, means nothing is written at all.
Re-importing the same data changes nothing (see :mod:`directory.listings.writer`).

Units of work: an import is the one owner of its transactions, and deliberately so (ADR 0001,
``docs/adr/0013-one-public-rule-actors-and-units-of-work.md``): a file is one transaction and a
paged feed commits page by page (:mod:`directory.listings.feed_import`), so the commits below
are the import's own, not a domain service committing behind its caller's back. The change log
names the caller's actor when one is set (:func:`directory.core.actor.default_actor`), else the
import run (``import:<run id>``, set by :mod:`directory.listings.feed_import`), else
``system:import``.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.core.actor import Actor, default_actor
from directory.listings import shapes
from directory.listings.cleaning import Issues
from directory.listings.limits import max_bytes as configured_max_bytes
from directory.listings.post_import import post_import
from directory.listings.prepare import Prepared, classify, expand, prepare_record, raw_id
from directory.listings.prepare import fingerprint as record_fingerprint
from directory.listings.records import JSON, RecordError
from directory.listings.report import ImportReport, Problem, record_order
from directory.listings.service_writer import ServiceWriter
from directory.listings.sources import SourceError, read_path
from directory.listings.validation import walk_record
from directory.places.geocode import Geocoder, current_geocoder

__all__ = [
    "ImportReport",
    "Importer",
    "Problem",
    "SourceError",
    "classify",
    "import_path",
    "import_records",
    "import_services",
]

#: The setting (docs/configuration.md) giving seconds to wait before writing each record;
#: set only by the kill -9 tests, so that an import is reliably still running when the test
#: kills it.
TEST_DELAY_VARIABLE = "DIRECTORY_IMPORT_TEST_DELAY"
_RECORD_ERRORS = (RecordError, LookupError, ValueError, TypeError, RecursionError)
#: Who wrote an import's changes when neither the caller nor a recorded run named anyone.
IMPORT_ACTOR = Actor.system("import")


def _test_delay() -> float:
    from flask import current_app, has_app_context

    return float(current_app.config.get(TEST_DELAY_VARIABLE) or 0) if has_app_context() else 0.0


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


class Importer:
    """One import: :meth:`prepare` batches of records, then :meth:`write` them.

    Shared across the pages of a paged feed, so repeated ids, source terms, dropped-field
    tallies and counts are kept for the whole feed. ``namespace`` is the feed's identity, from
    which UUIDs are made for ids that are not UUIDs (two councils' service "12" differ).
    """

    def __init__(
        self,
        session: Session,
        *,
        geocoder: Geocoder | None = None,
        source: str = "",
        namespace: str | None = None,
        source_name: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.session = session
        self.report = ImportReport(source=source)
        self.geocoder = geocoder or current_geocoder()
        self.writer = ServiceWriter(session, self.geocoder)
        self.context = shapes.Context(
            namespace=namespace or source or "import",
            source_name=source_name or Path(source).stem or "import",
        )
        self.progress = progress
        #: Every service id the input held, written or not: listings still in the feed.
        self.feed_service_ids: dict[str, None] = {}
        self._seen: dict[tuple[str, str], str] = {}
        self._unknown: Counter[str] = Counter()
        self._skipped: Counter[str] = Counter()
        self._snapshot: dict[tuple[str, str], str] = {}
        if self.geocoder.gazetteer() is None:
            self.report.notes.append(
                "the offline gazetteer is not built, so no coordinates were taken from "
                "postcodes (flask --app wsgi gazetteer build)"
            )

    def prepare(self, records: Iterable[tuple[str | None, Any]]) -> list[Prepared]:
        """Convert, clean and check every record; nothing is written. Errors go in the report."""
        batch: list[Prepared] = []
        converted = shapes.convert(expand(records), self.context)
        for item in sorted(converted, key=lambda item: record_order(item.record_type)):
            record_type, issues = item.record_type, Issues()
            record_id = raw_id(item.record)
            issues.warnings.extend(item.warnings)
            try:
                if item.error:
                    raise RecordError(item.error)
                record = prepare_record(record_type, item.record, issues)
                record_id = record["id"]
                if record_type == "service":
                    self.feed_service_ids[record_id] = None
                fingerprint = record_fingerprint(record)
                earlier = self._seen.get((record_type, record_id))
                if earlier == fingerprint:
                    again = Issues(
                        warnings=[f"{record_type} {record_id}: appears again, the same; read once"]
                    )
                    self._report_warnings(Prepared(record_type, record_id, record, again))
                    continue
                if earlier is not None:
                    raise RecordError("duplicate id: an earlier record has it and was kept")
                self._seen[(record_type, record_id)] = fingerprint
            except _RECORD_ERRORS as exc:
                self._error(record_type, record_id, exc)
                if record_type == "service" and record_id:
                    self.feed_service_ids[record_id] = None
                continue
            finally:
                self._unknown.update(issues.unknown_fields)
                if self.progress:
                    self.progress(1)
            prepared = Prepared(record_type, record_id, record, issues)
            self._report_warnings(prepared)
            batch.append(prepared)
        return batch

    def write(self, batch: list[Prepared]) -> list[str]:
        """Write a prepared batch in the session's current transaction (the caller commits).

        Returns the ids of the services written, in order. Call :meth:`forget` if the caller
        rolls the transaction back, so the counts do not claim what was undone.
        """
        self._snapshot = dict(self.writer.statuses)
        saved = {"skip_geocoding": self.session.info.get("skip_geocoding")}
        self.session.info["skip_geocoding"] = True
        delay = _test_delay()
        written: list[str] = []
        ids: dict[str, set[str]] = defaultdict(set)
        for item in batch:
            for _where, part, kind in walk_record(item.record_type, item.record):
                if isinstance(part.get("id"), str):
                    ids[kind].add(part["id"])
        self.writer.expect(ids)
        try:
            with default_actor(self.session, IMPORT_ACTOR):
                self._write_all(batch, delay, written)
        finally:
            for key, value in saved.items():
                if value is None:
                    self.session.info.pop(key, None)
                else:
                    self.session.info[key] = value
        return list(dict.fromkeys(written))

    def _write_all(self, batch: list[Prepared], delay: float, written: list[str]) -> None:
        for item in batch:
            if delay:
                time.sleep(delay)
            try:
                _write(self.session, self.writer, item)
            except (*_RECORD_ERRORS, SQLAlchemyError) as exc:
                self._error(item.record_type, item.record_id, exc)
            else:
                self._report_warnings(item)
                if item.record_type == "service":
                    written.append(item.record_id)
                elif item.record_type == "service_at_location":
                    service = item.record.get("service") or {}
                    ident = service.get("id") or item.record.get("service_id")
                    if ident:
                        written.append(ident)
            if self.progress:
                self.progress(1)

    def forget(self) -> None:
        """The last batch was rolled back: its records count as nothing written."""
        self.writer.statuses = self._snapshot
        self.writer.forget_shared()

    def finish(self) -> ImportReport:
        """Counts and notes into the report, once the last batch is written."""
        report = self.report
        report.counts = {}
        for record_type, skipped in self._skipped.items():
            report.count(record_type, "skipped", skipped)
        for (record_type, _ident), status in self.writer.statuses.items():
            report.count(record_type, status)
        notes = self.context.notes()
        if self._unknown:
            names = ", ".join(sorted(self._unknown))
            notes.append(f"fields that are not part of ORUK 3.0 were ignored: {names}")
        report.notes.extend(note for note in notes if note not in report.notes)
        return report

    def _error(self, record_type: str, record_id: str | None, exc: BaseException) -> None:
        if isinstance(exc, RecursionError):
            message = "nests objects deeper than any real record does"
        else:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self.report.errors.append(Problem(record_type, record_id, message[:500]))
        self._skipped[record_type] += 1

    def _report_warnings(self, item: Prepared) -> None:
        prefix = f"{item.record_type} {item.record_id}: "
        for warning in item.issues.warnings[item.reported :]:
            self.report.warnings.append(
                Problem(item.record_type, item.record_id, warning.removeprefix(prefix))
            )
        item.reported = len(item.issues.warnings)


def _write(session: Session, writer: ServiceWriter, item: Prepared) -> None:
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
        writer.start_record(item.issues)
        with session.no_autoflush:
            handlers[item.record_type](item.record)
        session.flush()
    writer.finish_record()


def import_records(
    session: Session,
    records: Iterable[tuple[str | None, Any]],
    *,
    geocoder: Geocoder | None = None,
    progress: Callable[[int], None] | None = None,
    source: str = "",
    strict: bool = False,
    namespace: str | None = None,
    source_name: str | None = None,
    before_commit: Callable[[Importer, list[str]], None] | None = None,
) -> ImportReport:
    """Import ``(record_type or None, object)`` pairs (the type is guessed when None) in one
    transaction; with ``strict``, any error means nothing is written (``report.written``).

    ``before_commit`` runs inside the transaction after the records are written (the feed
    bookkeeping uses it, so retirements commit or roll back with the data)."""
    importer = Importer(
        session,
        geocoder=geocoder,
        source=source,
        namespace=namespace,
        source_name=source_name,
        progress=progress,
    )
    batch = importer.prepare(records)
    report = importer.report
    if strict and report.errors:
        report.written = False
        report.notes.append(
            f"nothing was written: --strict, and {len(report.errors)} record(s) have errors"
        )
        return importer.finish()
    with default_actor(session, IMPORT_ACTOR):
        return _write_and_commit(session, importer, batch, strict, before_commit)


def _write_and_commit(
    session: Session,
    importer: Importer,
    batch: list[Prepared],
    strict: bool,
    before_commit: Callable[[Importer, list[str]], None] | None,
) -> ImportReport:
    """The import's one transaction: write, bookkeeping, commit; then the post-import steps."""
    report = importer.report
    try:
        written = importer.write(batch)
        if strict and report.errors:
            raise _StrictAbort
        if before_commit is not None:
            before_commit(importer, written)
        session.commit()
    except _StrictAbort:
        session.rollback()
        importer.forget()
        report.written = False
        report.notes.append(
            f"nothing was written: --strict, and {len(report.errors)} record(s) could not "
            "be written"
        )
        return importer.finish()
    except BaseException:
        session.rollback()
        importer.forget()
        raise
    report = importer.finish()
    post_import(session, written, report)
    return report


class _StrictAbort(Exception):
    pass


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
    strict: bool = False,
    max_bytes: int | None = None,
    namespace: str | None = None,
    source_name: str | None = None,
    before_commit: Callable[[Importer, list[str]], None] | None = None,
) -> ImportReport:
    """Import a JSON file, a CSV package folder, a spreadsheet or one of our export folders.

    Raises :class:`SourceError` when nothing could be read at all. ``progress_factory``, given
    the number of steps, returns a context manager with ``update(n)`` (click.progressbar).
    """
    path = Path(path)
    records, notes = read_path(path, max_bytes=max_bytes or configured_max_bytes())
    options: dict[str, Any] = {
        "geocoder": geocoder,
        "source": str(path),
        "strict": strict,
        "namespace": namespace or str(path.resolve()),
        "source_name": source_name or path.stem,
        "before_commit": before_commit,
    }
    if progress_factory is None:
        report = import_records(session, records, **options)
    else:
        with progress_factory(2 * len(records)) as bar:
            report = import_records(session, records, progress=bar.update, **options)
    report.notes[:0] = notes
    return report
