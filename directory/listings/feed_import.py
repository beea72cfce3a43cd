"""One import run of a feed, from a file or a URL, recorded so it can be trusted.

A **file** is prepared in full (converted, cleaned, validated) and then written in ONE
transaction together with its feed bookkeeping, retirements and the run's "completed" status:
kill the process at any point and the database holds either all of it or none of it. A
**paged URL** is written page by page, each page committed together with the run's cursor, so
the next run resumes exactly after the last committed page; retirements wait for a walk that
reached the last page. Either way the run's row was committed before the first write, so a
dead run is found and reported by the next one (see ``docs/adr/0001-import-transactions.md``).

This module (with :mod:`directory.listings.importer` and :mod:`directory.listings.runs`) is the
owner of an import's units of work: it commits at exactly those points and nowhere else, and
callers do not wrap a run in :func:`directory.core.uow.unit_of_work`. Every change a run makes
is logged as written by ``import:<run id>`` unless the caller named an actor of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from directory.core.actor import Actor, default_actor
from directory.core.ids import utcnow
from directory.listings import runs
from directory.listings.feeds import record_seen, retire_missing
from directory.listings.fetch import PAGE_DELAY, TIMEOUT, Fetcher, FetchError
from directory.listings.importer import Importer, ImportReport, import_path
from directory.listings.limits import MAX_BYTES, SourceError
from directory.listings.paging import Page, feed_identity, page_of, walk
from directory.listings.post_import import post_import
from directory.places.geocode import Geocoder


@dataclass
class ImportOptions:
    strict: bool = False
    #: URLs: follow the feed's pages to the end (otherwise only the first page is read).
    all_pages: bool = False
    #: A name for the feed, instead of its URL or file path (keeps ids when a file moves).
    feed: str | None = None
    allow_mass_retire: bool = False
    delay: float = PAGE_DELAY
    per_page: int | None = None
    max_bytes: int = MAX_BYTES
    #: URLs: seconds to wait for the feed to answer.
    timeout: float = TIMEOUT
    ran_by: str = "import"
    #: URLs: start the walk from the first page even if an earlier run stopped part-way.
    restart: bool = False
    user_agent: str = "community-directory-importer/1.0"


def is_url(target: str) -> bool:
    return urlsplit(target).scheme.lower() in ("http", "https")


def run_import(
    session: Session,
    target: str,
    options: ImportOptions,
    *,
    geocoder: Geocoder | None = None,
    progress_factory: Callable[[int], Any] | None = None,
    fetcher: Fetcher | None = None,
) -> ImportReport:
    """Import ``target`` (a path or an http(s) URL) as one recorded run.

    Raises :class:`SourceError` when nothing could be read (the run is recorded as failed)
    and :class:`runs.FeedBusy` when another live process is importing the same feed."""
    if is_url(target):
        return _UrlRun(session, target, options, geocoder, fetcher).run()
    return _file_run(session, Path(target), options, geocoder, progress_factory)


def _interrupted_notes(dead: list[runs.ImportRun], kind: str) -> list[str]:
    after = {
        "file": "it wrote nothing (a file is written in one transaction); this run imports "
        "the whole file again",
        "url": "the pages it committed are kept",
    }[kind]
    return [
        f"the previous run of this feed (run {run.id}, started {run.started_at:%Y-%m-%d %H:%M} "
        f"UTC) was interrupted before it finished; {after}"
        for run in dead
    ]


def _finish(
    session: Session, importer: Importer, run: runs.ImportRun, options: ImportOptions
) -> None:
    """Retire what the completed walk did not see, and mark the run completed (the caller
    commits, with the data when there is any)."""
    retirement = retire_missing(
        session, run.feed, run.walk_id, allow_mass=options.allow_mass_retire
    )
    report = importer.report
    report.retired = [f"{name} ({ident})" for ident, name in retirement.retired]
    if retirement.refused:
        gone, total = retirement.refused
        report.retire_refused = True
        report.notes.append(
            f"{gone} of this feed's {total} active listings are gone from it; more than half "
            "at once looks like a broken feed, so none were retired (run again with "
            "--allow-mass-retire if the feed really dropped them)"
        )
    run.complete = True
    run.retired = len(retirement.retired)
    runs.finish_run(run, runs.COMPLETED, counts=importer.finish().summary_counts())


def _file_run(
    session: Session,
    path: Path,
    options: ImportOptions,
    geocoder: Geocoder | None,
    progress_factory: Callable[[int], Any] | None,
) -> ImportReport:
    feed = options.feed or str(path.resolve())
    notes = _interrupted_notes(runs.notice_dead_runs(session, feed), "file")
    run = runs.start_run(session, feed, kind="file", ran_by=options.ran_by, strict=options.strict)
    with default_actor(session, Actor.import_run(run.id)):
        return _file_run_started(session, path, options, geocoder, progress_factory, run, notes)


def _file_run_started(
    session: Session,
    path: Path,
    options: ImportOptions,
    geocoder: Geocoder | None,
    progress_factory: Callable[[int], Any] | None,
    run: runs.ImportRun,
    notes: list[str],
) -> ImportReport:
    feed = run.feed

    def before_commit(importer: Importer, _written: list[str]) -> None:
        record_seen(session, feed, importer.feed_service_ids, run.walk_id)
        _finish(session, importer, run, options)

    try:
        report = import_path(
            session,
            path,
            geocoder=geocoder,
            progress_factory=progress_factory,
            strict=options.strict,
            max_bytes=options.max_bytes,
            namespace=feed,
            source_name=options.feed or path.stem,
            before_commit=before_commit,
        )
    except BaseException as exc:
        session.rollback()
        runs.finish_run(run, runs.FAILED, counts=None, message=str(exc) or type(exc).__name__)
        session.commit()
        raise
    if not report.written:
        runs.finish_run(
            run, runs.FAILED, counts=report.summary_counts(), message="; ".join(report.notes)
        )
        session.commit()
    report.notes[:0] = notes
    report.run_id = run.id
    return report


class _UrlRun:
    """A paged feed walked page by page, each page committed with the run's cursor."""

    def __init__(
        self,
        session: Session,
        url: str,
        options: ImportOptions,
        geocoder: Geocoder | None,
        fetcher: Fetcher | None,
    ) -> None:
        self.session, self.url, self.options = session, url, options
        self.feed = options.feed or feed_identity(url)
        self.log: list[str] = []
        self.fetcher = fetcher or Fetcher(
            user_agent=options.user_agent,
            max_bytes=options.max_bytes,
            timeout=options.timeout,
            log=self.log,
        )
        if self.fetcher.log is None:
            self.fetcher.log = self.log
        self.importer = Importer(
            session,
            geocoder=geocoder,
            source=url,
            namespace=self.feed,
            source_name=options.feed or urlsplit(url).netloc,
        )
        self.run_row: runs.ImportRun | None = None

    def run(self) -> ImportReport:
        session, options = self.session, self.options
        notes = _interrupted_notes(runs.notice_dead_runs(session, self.feed), "url")
        resumes = None if options.restart else runs.resumable_run(session, self.feed)
        run = self.run_row = runs.start_run(
            session, self.feed, kind="url", ran_by=options.ran_by, strict=options.strict,
            resumes=resumes,
        )  # fmt: skip
        with default_actor(session, Actor.import_run(run.id)):
            return self._walk(run, resumes, notes)

    def _walk(
        self, run: runs.ImportRun, resumes: runs.ImportRun | None, notes: list[str]
    ) -> ImportReport:
        session, options = self.session, self.options
        report = self.importer.report
        report.run_id = run.id
        start = self.url
        if resumes is not None:
            start = resumes.cursor["next"]
            notes.append(
                f"resumed the walk of run {resumes.id} from page {page_of(start) or start} "
                f"({resumes.cursor.get('pages', 0)} page(s) were already imported)"
            )
        report.notes[:0] = notes
        pages = walk(
            self.fetcher,
            start,
            per_page=options.per_page,
            all_pages=options.all_pages,
            resume=resumes is not None,
            delay=options.delay,
        )
        try:
            last = self._strict(pages) if options.strict else self._pages(pages)
        except (FetchError, SourceError) as exc:
            return self._failed(str(exc))
        except BaseException as exc:
            self._failed(str(exc) or type(exc).__name__)
            raise
        if last is None:  # --strict, and some record had an error: nothing was written
            report = self.importer.finish()
            report.written = False
            runs.finish_run(run, runs.FAILED, counts=report.summary_counts(),
                            message=report.notes[-1] if report.notes else None)  # fmt: skip
            session.commit()
            return report
        if last.says_last:
            _finish(session, self.importer, run, options)
        else:
            report.notes.append(
                "only the first page of the feed was read (use --all-pages for the rest); "
                "no listing was retired"
            )
            runs.finish_run(run, runs.COMPLETED, counts=self.importer.finish().summary_counts())
        session.commit()
        report.notes.extend(self.log)
        return self.importer.finish()

    def _prepare(self, page: Page) -> tuple[Page, list[Any], list[str]]:
        """A page's records prepared, and the service ids it held (written or not)."""
        before = len(self.importer.feed_service_ids)
        batch = self.importer.prepare((None, record) for record in page.records)
        return page, batch, list(self.importer.feed_service_ids)[before:]

    def _pages(self, pages: Any) -> Page | None:
        last = None
        for page in pages:
            self._commit(*self._prepare(page))
            last = page
        return last

    def _strict(self, pages: Any) -> Page | None:
        """Fetch and validate the whole feed first; write only when nothing is wrong."""
        prepared = [self._prepare(page) for page in pages]
        if self.importer.report.errors:
            self.importer.report.notes.append(
                f"nothing was written: --strict, and {len(self.importer.report.errors)} "
                "record(s) have errors"
            )
            return None
        for item in prepared:
            self._commit(*item)
        return prepared[-1][0] if prepared else None

    def _commit(self, page: Page, batch: list[Any], page_ids: list[str]) -> None:
        run, importer = self.run_row, self.importer
        assert run is not None
        try:
            written = importer.write(batch)
            record_seen(self.session, self.feed, page_ids, run.walk_id)
            cursor = dict(run.cursor or {})
            run.cursor = {
                "next": page.next_url,
                "pages": int(cursor.get("pages", 0)) + 1,
                "records": int(cursor.get("records", 0)) + len(page.records),
            }
            run.heartbeat_at = utcnow()
            self.session.commit()
        except BaseException:
            self.session.rollback()
            importer.forget()
            raise
        post_import(self.session, written, importer.report)

    def _failed(self, message: str) -> ImportReport:
        self.session.rollback()
        report = self.importer.finish()
        run = self.run_row
        assert run is not None
        report.written = bool(run.cursor)
        pages = (run.cursor or {}).get("pages", 0)
        if pages:
            after = f"; {pages} page(s) were imported and the next run resumes after them"
        else:
            after = "; no listing was retired"
        report.notes.append(f"stopped: {message}{after}")
        report.notes.extend(self.log)
        runs.finish_run(run, runs.FAILED, counts=report.summary_counts(), message=message)
        self.session.commit()
        report.failed = message
        return report
