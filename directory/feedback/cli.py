"""``flask --app wsgi feedback purge``: forget reply addresses past their retention period."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from directory.db import db
from directory.feedback.services import REPLY_ADDRESS_DAYS, purge_reply_addresses

feedback_cli = AppGroup("feedback", help="Problem reports from the public.")


@feedback_cli.command("purge")
@click.option("--days", default=REPLY_ADDRESS_DAYS, show_default=True)
def purge(days: int) -> None:
    """Blank reply email addresses on reports older than DAYS."""
    with db.new_session() as session:
        count = purge_reply_addresses(session, days)
    click.echo(f"Removed the reply address from {count} report(s) older than {days} days.")


def register(app: Flask) -> None:
    app.cli.add_command(feedback_cli)
