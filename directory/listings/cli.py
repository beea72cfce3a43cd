"""``flask --app wsgi import-hsds PATH|URL`` and ``flask --app wsgi export-hsds DIR``.

Exit codes of ``import-hsds``: 0 when the input was read and written (even if some records
were skipped: the summary lists them); 1 when it could not be read at all, a feed stopped
part-way, or another import of the same feed is running; 2 with ``--strict`` when any record
had an error (nothing is written then); 3 when the import was written but more than half of
the feed's listings would have been retired, so none were (``--allow-mass-retire``).
"""

from __future__ import annotations

import getpass
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from directory.db import db
from directory.listings.exporter import export_directory
from directory.listings.feed_import import ImportOptions, is_url, run_import
from directory.listings.importer import ImportReport, SourceError
from directory.listings.runs import FeedBusy
from directory.priority import lower_bulk_priority

EXIT_UNREADABLE, EXIT_STRICT, EXIT_RETIRE_REFUSED = 1, 2, 3


def progress_factory() -> Any:
    """A click progress bar on stderr for a person at a terminal; none in scripts and CI."""
    if not sys.stderr.isatty():
        return None

    def bar(length: int) -> Any:
        if length < 20:
            return nullcontext(_NoBar())
        return click.progressbar(length=length, label="Importing", file=sys.stderr)

    return bar


class _NoBar:
    def update(self, _n: int) -> None:
        return None


def echo_report(report: ImportReport) -> None:
    for line in report.lines():
        click.echo(line)


def _who() -> str:
    try:
        return f"import-hsds ({getpass.getuser()})"
    except (KeyError, OSError):
        return "import-hsds"


def _user_agent() -> str:
    name = str(current_app.config.get("SERVICE_NAME") or "Community directory")
    ascii_name = name.encode("ascii", "ignore").decode() or "Community directory"
    return f"{ascii_name} importer (community resource directory; ORUK)"


@click.command("import-hsds")
@with_appcontext
@click.argument("target")
@click.option("--strict", is_flag=True, help="Write nothing and exit 2 if any record has an error.")
@click.option("--all-pages", is_flag=True, help="URL: follow the feed's pages to the last one.")
@click.option("--feed", "feed", default=None, help="Name the feed (default: its URL or file path).")
@click.option(
    "--allow-mass-retire",
    is_flag=True,
    help="Retire listings even when more than half of the feed's listings are gone.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=None,
    help="URL: seconds to wait between pages (default: IMPORT_PAGE_DELAY, 1).",
)
@click.option("--per-page", type=click.IntRange(min=1), default=None, help="URL: page size.")
@click.option(
    "--max-size",
    type=click.FloatRange(min=0.001),
    default=None,
    help="Largest file or response read, in MB (default: IMPORT_MAX_BYTES, 200 MB).",
)
@click.option(
    "--restart", is_flag=True, help="URL: walk from page 1, not from where a run stopped."
)
def import_hsds(
    target: str,
    strict: bool,
    all_pages: bool,
    feed: str | None,
    allow_mass_retire: bool,
    delay: float | None,
    per_page: int | None,
    max_size: float | None,
    restart: bool,
) -> None:
    """Import TARGET: a file or folder (ORUK 3.0 or 1.0 JSON, an Outpost page, an HSDS CSV
    package, a spreadsheet saved as CSV, an export folder) or an http(s) feed URL."""
    if not is_url(target) and not Path(target).exists():
        raise click.ClickException(f"{target} does not exist")
    config = current_app.config
    lower_bulk_priority(config)  # BULK_JOB_NICE: visitors' requests go first
    options = ImportOptions(
        strict=strict,
        all_pages=all_pages,
        feed=feed,
        allow_mass_retire=allow_mass_retire,
        delay=float(config["IMPORT_PAGE_DELAY"]) if delay is None else delay,
        per_page=per_page,
        max_bytes=(
            int(config["IMPORT_MAX_BYTES"]) if max_size is None else int(max_size * 1024 * 1024)
        ),
        timeout=float(config["IMPORT_TIMEOUT"]),
        ran_by=_who(),
        restart=restart,
        user_agent=_user_agent(),
    )
    with db.new_session() as session:
        try:
            report = run_import(session, target, options, progress_factory=progress_factory())
        except (SourceError, FeedBusy) as exc:
            raise click.ClickException(str(exc)) from exc
    echo_report(report)
    if report.failed:
        sys.exit(EXIT_UNREADABLE)
    if strict and (report.errors or not report.written):
        sys.exit(EXIT_STRICT)
    if report.retire_refused:
        sys.exit(EXIT_RETIRE_REFUSED)


@click.command("export-hsds")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_hsds(directory: Path) -> None:
    """Write every listing as ORUK JSON (services.json, ...) and as CSV (DIRECTORY/csv)."""
    with db.new_session() as session:
        summary = export_directory(session, directory)
    for line in summary.lines():
        click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(import_hsds)
    app.cli.add_command(export_hsds)
