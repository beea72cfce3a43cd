"""``flask --app wsgi import-here2help DIR [--dry-run]``.

Exit codes: 0 when the files were read and imported (rows that could not be read are listed
and skipped); 2 when a file is unreadable or lacks a column: nothing is written then.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from directory.db import db
from directory.here2help.csvfile import HeaderError
from directory.here2help.importer import import_here2help

EXIT_BAD_FILES = 2


@click.command("import-here2help")
@with_appcontext
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and check everything, then write nothing.")
def import_here2help_command(folder: Path, dry_run: bool) -> None:
    """Import requests.csv, offers.csv and organisations.csv from FOLDER (Here2Help data).

    Organisations become listings waiting for moderation unless already in the directory.
    Safe to run again: nothing already imported is created twice. No personal data is printed.
    """
    try:
        with db.new_session() as session:
            report = import_here2help(session, folder, dry_run=dry_run)
    except HeaderError as exc:
        for line in str(exc).splitlines():
            click.echo(f"Error: {line}", err=True)
        click.echo("Nothing was imported.", err=True)
        raise SystemExit(EXIT_BAD_FILES) from None
    for line in report.lines():
        click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(import_here2help_command)
