"""Freshness commands (docs/freshness.md):

* ``flask --app wsgi send-reminders [--dry-run] [--today YYYY-MM-DD]``: the reminder emails,
  then the sweep. Run it daily from cron; running it twice sends nothing new.
* ``flask --app wsgi freshness sweep [--dry-run] [--today YYYY-MM-DD]``: the sweep alone.

Output is counts only, never an address or a name, so cron can mail it anywhere. The exit
status is 1 when some reminders could not be sent (they are tried again on the next run).
"""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from directory.db import db
from directory.freshness import reminders, sweep

freshness_cli = AppGroup("freshness", help="Listing freshness: reminders and the daily sweep.")

_TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this day (YYYY-MM-DD); default: today (UTC).",
)
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


@click.command("send-reminders")
@_DRY_RUN
@_TODAY
@with_appcontext
def send_reminders_command(dry_run: bool, today: object) -> None:
    """Email the 6- and 11-month reminders due today, then run the freshness sweep."""
    report = reminders.send_reminders(db.session, _day(today), dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    swept = sweep.sweep(db.session, _day(today), dry_run=dry_run)
    for line in swept.lines():
        click.echo(line)
    if report.failed:
        raise SystemExit(1)


@freshness_cli.command("sweep")
@_DRY_RUN
@_TODAY
def sweep_command(dry_run: bool, today: object) -> None:
    """Record a change for each listing that crossed the stale or hidden line since the last
    sweep, so every search index re-reads it."""
    for line in sweep.sweep(db.session, _day(today), dry_run=dry_run).lines():
        click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(freshness_cli)
