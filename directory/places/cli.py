"""``flask --app wsgi gazetteer build``: build the offline postcode and town gazetteer."""

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


def register(app: Flask) -> None:
    import directory.places.geocode  # noqa: F401  (saving a location fills in coordinates)

    app.cli.add_command(gazetteer_cli)


__all__ = ["gazetteer_cli", "register"]
