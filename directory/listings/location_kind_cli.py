"""``flask --app wsgi places set-kind`` and ``places suggest-kinds``: an editor's say over
which places are community hubs, Let's Talk sites or online.

The commands join the ``places`` group when another module has made one, so every command
about places sits under one name; otherwise they make it. The work is done by plain functions
in :mod:`directory.listings.location_kinds`, which a staff page can call the same way.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from directory.db import db
from directory.listings.location_kinds import (
    KindError,
    apply_suggestions,
    kind_suggestions,
    set_location_kind,
)
from directory.places.models import LocationKind

KIND_NAMES = {
    LocationKind.VENUE: "a venue",
    LocationKind.COMMUNITY_HUB: "a community hub",
    LocationKind.LETS_TALK: "a Let's Talk site",
    LocationKind.VIRTUAL: "online",
}


@click.command("set-kind")
@click.argument("location_id")
@click.argument("kind")
def set_kind_command(location_id: str, kind: str) -> None:
    """Make LOCATION_ID a venue, community_hub, lets_talk or virtual place.

    Every record of the same place changes with it, and no later import undoes it."""
    with db.new_session() as session:
        try:
            records = set_location_kind(session, location_id, kind)
        except KindError as exc:
            raise click.ClickException(str(exc)) from None
        first = records[0]
        others = f" (and {len(records) - 1} other record(s) of it)" if len(records) > 1 else ""
        click.echo(f"{first.name or first.id} is now {KIND_NAMES[first.kind]}{others}.")


@click.command("suggest-kinds")
@click.option(
    "--apply",
    is_flag=True,
    help="Make it so for places still stored as venues whose kind nobody has set by hand.",
)
def suggest_kinds_command(apply: bool) -> None:
    """List places whose words say they are a hub, a Let's Talk site or online."""
    with db.new_session() as session:
        found = kind_suggestions(session)
        for location, kind, hand_set in found:
            note = " (kind set by hand: left alone)" if hand_set else ""
            stored = KIND_NAMES[location.kind]
            click.echo(
                f"{location.id}  {location.name or '(no name)'}: {stored}, "
                f"looks like {KIND_NAMES[kind]}{note}"
            )
        if not found:
            click.echo("Every place's kind agrees with its words.")
        elif apply:
            changed = apply_suggestions(session)
            click.echo(f"Changed {len(changed)} place(s).")
        else:
            click.echo(
                f"{len(found)} suggestion(s). Run again with --apply to take those for venues, "
                "or set one with: flask --app wsgi places set-kind LOCATION_ID KIND"
            )


def register(app: Flask) -> None:
    """Add the commands to the ``places`` group (made here if nobody else has made it)."""
    existing = app.cli.commands.get("places")
    if isinstance(existing, click.Group):
        group = existing
    else:
        # A plain command already called "places" keeps its name; ours then go elsewhere.
        group = AppGroup("places" if existing is None else "place-kinds", help="Kinds of place.")
        app.cli.add_command(group)
    group.add_command(set_kind_command)
    group.add_command(suggest_kinds_command)
