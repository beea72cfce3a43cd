"""``flask --app wsgi mylist purge-expired``: delete share links past their expiry date.

Run it daily (cron or a scheduled task); expired links already show "This link has expired",
so purging only stops the table growing and removes lists nobody can open any more.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.mylist.services import purge_expired

mylist_cli = AppGroup("mylist", help="Look after My list share links.")


@mylist_cli.command("purge-expired")
def purge_expired_command() -> None:
    """Delete every share link whose expiry date has passed."""
    with db.new_session() as session, unit_of_work(session, Actor.system("mylist-purge")):
        count = purge_expired(session)
    click.echo(f"Deleted {count} expired share link{'' if count == 1 else 's'}.")


def register(app: Flask) -> None:
    app.cli.add_command(mylist_cli)
