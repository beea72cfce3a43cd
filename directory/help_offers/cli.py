"""Offer commands: ``flask --app wsgi offers purge-drafts``.

Unsent /offer-help drafts hold personal data, so any draft untouched for
:data:`directory.help_offers.drafts.DRAFT_HOURS` hours is deleted. Starting a new draft does
this too; the command is for cron on a quiet site. Safe to run twice. Output is a count.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.help_offers import drafts

offers_cli = AppGroup("offers", help="Offers of help: housekeeping.")


@offers_cli.command("purge-drafts")
@with_appcontext
def purge_drafts_command() -> None:
    """Delete unsent offer drafts untouched for a day (they hold personal data)."""
    with unit_of_work(db.session, Actor.system("offers-purge-drafts")):
        count = drafts.purge_expired(db.session)
    click.echo(f"Deleted {count} unsent offer draft{'' if count == 1 else 's'}.")


def register(app: Flask) -> None:
    app.cli.add_command(offers_cli)
