"""Privacy commands.

``flask --app wsgi purge-personal-data [--days N] [--dry-run]`` removes the personal data of
help requests closed more than N days ago (``PERSONAL_DATA_DAYS``, 90 by default) and of
volunteers' offers closed or turned down as long ago. Safe to run twice and from cron: a second
run finds nothing and says so. It prints counts only, never a person's data. On SQLite it then
compacts the database file, so removed values do not linger in free pages (this also clears
what erasures from the staff pages left there since the last run).

``flask --app wsgi personal-data export|delete --reference R | --email E | --phone P`` answers
a person's request to see or erase their data, for the server's operator; the staff pages at
/staff/privacy do the same for admins. Both are written to the personal data access log.
"""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.privacy.services import compact, personal_data_days, purge_closed
from directory.privacy.subject import NothingToFindBy, delete_person, export_person, find_person

personal_data_cli = AppGroup(
    "personal-data", help="Export or erase one person's help requests and offers."
)


@click.command("purge-personal-data")
@with_appcontext
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep personal data this many days after closing (default: PERSONAL_DATA_DAYS, 90).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
def purge_personal_data(days: int | None, dry_run: bool) -> None:
    """Remove names, phones, emails, postcodes and free text from closed help requests and
    volunteers' offers older than DAYS."""
    days = days or personal_data_days(current_app.config)
    with db.new_session() as session:
        with unit_of_work(session, Actor.system("purge-personal-data")):
            result = purge_closed(session, days, dry_run=dry_run)
        if not dry_run:
            compact(session)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(
        f"{verb} personal data from {result.requests} closed help request(s) "
        f"and {result.offers} volunteer offer(s) closed before {result.cutoff:%Y-%m-%d} "
        f"({days} days); {result.notes} contact note(s) blanked."
    )


_who = [
    click.option("--reference", default=None, help="The reference the person was given."),
    click.option("--email", default=None, help="Their email address."),
    click.option("--phone", default=None, help="Their phone number (any format)."),
]


def _identified(command):  # type: ignore[no-untyped-def]
    for option in reversed(_who):
        command = option(command)
    return command


@personal_data_cli.command("export")
@_identified
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the JSON to this file (default: print it).",
)
def export(reference: str | None, email: str | None, phone: str | None, output: str | None):  # type: ignore[no-untyped-def]
    """Everything held about one person, as JSON (their subject access request)."""
    try:
        with db.new_session() as session, unit_of_work(session, Actor.system("personal-data")):
            data = export_person(
                session,
                reference,
                email,
                phone,
                service_name=current_app.config.get("SERVICE_NAME", ""),
            )
    except NothingToFindBy as error:
        raise click.UsageError(str(error)) from error
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    if output:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        click.echo(
            f"Wrote {len(data['help_requests'])} help request(s) and "
            f"{len(data['help_offers'])} offer(s) to {output}.",
            err=True,
        )
    else:
        click.echo(text)


@personal_data_cli.command("delete")
@_identified
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(reference: str | None, email: str | None, phone: str | None, yes: bool) -> None:
    """Erase one person's personal data from their help requests and offers, whatever their
    age (open ones are closed as withdrawn). Counts are printed, never the data."""
    try:
        with db.new_session() as session:
            found = find_person(session, reference, email, phone)
            count = (len(found.requests), len(found.offers))
    except NothingToFindBy as error:
        raise click.UsageError(str(error)) from error
    if not sum(count):
        click.echo("No help request or offer matches.")
        return
    if not yes:
        click.confirm(
            f"Erase the personal data of {count[0]} help request(s) and {count[1]} offer(s)?",
            abort=True,
        )
    with db.new_session() as session:
        with unit_of_work(session, Actor.system("personal-data")):
            result = delete_person(session, reference, email, phone)
        compact(session)
    click.echo(
        f"Erased personal data from {result.requests} help request(s) and {result.offers} "
        f"offer(s); {result.notes} contact note(s) blanked."
    )


def register(app: Flask) -> None:
    app.cli.add_command(purge_personal_data)
    app.cli.add_command(personal_data_cli)
