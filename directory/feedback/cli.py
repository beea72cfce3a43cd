"""``flask --app wsgi reports purge``: forget what the privacy notice says we no longer keep:
reply addresses (``REPORT_REPLY_DAYS``) and the text of resolved reports
(``REPORT_TEXT_DAYS``). Safe to run twice and from cron (a second run changes nothing and says
so). Day counts below 1 are refused, in the options and in the settings alike.

``feedback purge`` is the older name for the same command, kept for existing crontabs.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.feedback.services import (
    REPORT_TEXT_DAYS,
    purge_reply_addresses,
    purge_report_text,
)
from directory.feedback.workflow import reply_days

reports_cli = AppGroup("reports", help="Problem reports from the public.")
feedback_cli = AppGroup("feedback", help="Problem reports from the public (old name of 'reports').")


@click.command("purge")
@with_appcontext
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep addresses this many days (default: REPORT_REPLY_DAYS, else 90).",
)
@click.option(
    "--text-days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep resolved reports' text this many days (default: REPORT_TEXT_DAYS, else 365).",
)
def purge(days: int | None, text_days: int | None) -> None:
    """Blank reply addresses on reports older than DAYS, and on reports already replied to;
    delete what the reporter wrote on reports resolved more than TEXT_DAYS ago."""
    days = days or reply_days(current_app.config)
    text_days = text_days or _setting_days("REPORT_TEXT_DAYS", REPORT_TEXT_DAYS)
    with db.new_session() as session, unit_of_work(session, Actor.system("reports-purge")):
        count = purge_reply_addresses(session, days)
        texts = purge_report_text(session, text_days)
    click.echo(
        f"Removed the reply address from {count} report(s) older than {days} days "
        "or already replied to."
    )
    click.echo(f"Deleted the text of {texts} report(s) resolved more than {text_days} days ago.")


def _setting_days(name: str, default: int) -> int:
    """A day count from the settings; below 1 is refused rather than read as "everything"."""
    value = current_app.config.get(name)
    days = int(value) if value not in (None, "") else default
    if days < 1:
        raise click.UsageError(f"{name} must be 1 or more, got {days}")
    return days


reports_cli.add_command(purge)
feedback_cli.add_command(purge)


def register(app: Flask) -> None:
    app.cli.add_command(reports_cli)
    app.cli.add_command(feedback_cli)
