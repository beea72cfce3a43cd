"""``flask --app wsgi import-hsds PATH`` and ``flask --app wsgi export-hsds DIR``.

Exit codes of ``import-hsds``: 0 when the input was read (even if some records were skipped:
the summary lists them), 1 when it could not be read at all, and 2 with ``--strict`` when any
record was skipped.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext

from directory.db import db
from directory.listings.exporter import export_directory
from directory.listings.importer import ImportReport, SourceError, import_path


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


@click.command("import-hsds")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with status 2 if any record was skipped.")
def import_hsds(path: Path, strict: bool) -> None:
    """Import ORUK 3.0 JSON (a file or an export folder) or an HSDS CSV package folder."""
    with db.new_session() as session:
        try:
            report = import_path(session, path, progress_factory=progress_factory())
        except SourceError as exc:
            raise click.ClickException(str(exc)) from exc
    echo_report(report)
    if strict and report.errors:
        sys.exit(2)


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
    import directory.places.geocode  # noqa: F401  (saving a location fills in coordinates)

    app.cli.add_command(import_hsds)
    app.cli.add_command(export_hsds)
