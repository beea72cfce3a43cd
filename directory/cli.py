"""Command-line interface: ``flask --app wsgi <command>``.

Every command reads ``DATABASE_URL`` and ``SEARCH_INDEX_DIR`` through the app config, so a second
directory can be stood up beside the first just by setting them.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from directory import migrate

db_cli = AppGroup("db", help="Create and migrate the database.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database or migrate it to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    migrate.current(current_app.config["DATABASE_URL"])


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    migrate.revision(current_app.config["DATABASE_URL"], message)


#: Every module with commands, in one place: each exposes ``register(app)``. A module named
#: here must exist; a missing one is an error at start-up, not a command silently gone.
CLI_MODULES = (
    "directory.listings.cli",
    "directory.listings.duplicates.cli",
    "directory.places.cli",
    "directory.listings.location_kind_cli",
    "directory.seeding",
    "search_index.cli",
    "directory.mylist.cli",
    "directory.feedback.cli",
    "directory.inference.cli",
    "directory.accounts.cli",
    "directory.freshness.cli",
    "directory.help_offers.cli",
    "directory.insights.cli",
    "directory.here2help.cli",
    "directory.privacy.cli",
)


def register_cli(app: Flask) -> None:
    """Attach every command group to the app (flaskr style)."""
    app.cli.add_command(db_cli)
    for module_name in CLI_MODULES:
        import_module(module_name).register(app)
