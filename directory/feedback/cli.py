"""``flask --app wsgi reports purge``: forget reply addresses the privacy notice says we no
longer keep. Safe to run twice and from cron (a second run blanks nothing and says so).

``feedback purge`` is the older name for the same command, kept for existing crontabs.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.feedback.services import purge_reply_addresses
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
def purge(days: int | None) -> None:
    """Blank reply addresses on reports older than DAYS, and on reports already replied to."""
    days = days or reply_days(current_app.config)
    with db.new_session() as session, unit_of_work(session, Actor.system("reports-purge")):
        count = purge_reply_addresses(session, days)
    click.echo(
        f"Removed the reply address from {count} report(s) older than {days} days "
        "or already replied to."
    )


reports_cli.add_command(purge)
feedback_cli.add_command(purge)


def register(app: Flask) -> None:
    app.cli.add_command(reports_cli)
    app.cli.add_command(feedback_cli)
