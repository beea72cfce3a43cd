"""``flask --app wsgi gazetteer build``: build the offline postcode and town gazetteer;
``flask --app wsgi places refresh|check``: the home area's own place names."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

gazetteer_cli = AppGroup("gazetteer", help="The offline gazetteer of UK postcodes and towns.")


@gazetteer_cli.command("build")
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--letters", default=None, help="Only postcodes starting with these letters.")
@click.option("--force", is_flag=True, help="Rebuild even if the file is complete.")
def build(path: Path | None, letters: str | None, force: bool) -> None:
    """Build the gazetteer file (GAZETTEER_PATH, or seeds/gazetteer/gazetteer.sqlite)."""
    from directory.places import build as builder

    configured = current_app.config.get("GAZETTEER_PATH")
    target = path or (Path(configured) if configured else builder.default_path())
    if not force and builder.is_complete(target, letters):
        click.echo(f"Gazetteer already built at {target} (use --force to rebuild).")
        return
    stats = builder.build_gazetteer(
        target, letters, progress=lambda message: click.echo(message, err=True)
    )
    click.echo(stats.summary())
    if stats.unnamed_authorities:
        click.echo(f"No names for: {', '.join(stats.unnamed_authorities)}", err=True)


places_cli = AppGroup("places", help="Places: local place names, and kinds of place.")


def _gazetteer():
    from directory.places.gazetteer import GazetteerMissing, get_gazetteer

    try:
        return get_gazetteer(current_app.config.get("GAZETTEER_PATH"))
    except GazetteerMissing as exc:
        raise click.ClickException(str(exc)) from exc


@places_cli.command("refresh")
def refresh() -> None:
    """Rebuild the place names found in listings' addresses (also done by the web app, at
    most every PLACE_NAMES_CHECK_SECONDS, whenever listings have changed)."""
    from directory.core.uow import unit_of_work
    from directory.db import db
    from directory.places.listing_places import PLACE_NAMES_ACTOR, refresh_place_names

    gazetteer = _gazetteer()
    with db.new_session() as session, unit_of_work(session, PLACE_NAMES_ACTOR):
        report = refresh_place_names(session, gazetteer)
    click.echo(report.summary())


@places_cli.command("check")
def check() -> None:
    """Check the curated local places file: every postcode known, inside its council, and no
    two rows that cannot be told apart. Exits 1 if anything is wrong."""
    from directory.places.local import LocalPlacesError, check_rows, read_local_places

    gazetteer = _gazetteer()
    try:
        rows = read_local_places(gazetteer.local_places_path)
    except LocalPlacesError as exc:
        raise click.ClickException(str(exc)) from exc
    problems = check_rows(gazetteer, rows)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{len(rows)} local places, all found inside their councils.")


def register(app: Flask) -> None:
    app.cli.add_command(gazetteer_cli)
    existing = app.cli.commands.get("places")
    if isinstance(existing, click.Group) and existing is not places_cli:
        # Another part (kinds of place) made the group first: join it rather than replace it.
        for command in places_cli.commands.values():
            existing.add_command(command)
    else:
        app.cli.add_command(places_cli)


__all__ = ["gazetteer_cli", "places_cli", "register"]
