"""``flask --app wsgi seed``: load the taxonomy and the starter listings through the importer.

Seeding is just an import of files kept in the repository, so it follows every rule an import
does (validation, geocoding, change tracking) and is safe to run again: the second run reports
everything unchanged and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from directory.config import PROJECT_ROOT
from directory.core.actor import Actor, current_actor, default_actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.listings.importer import ImportReport, import_path

DEFAULT_SEEDS_DIR = PROJECT_ROOT / "seeds"
#: The change log's name for everything seeding writes.
SEED_ACTOR = Actor.system("seed")
#: Loaded in this order: services refer to the taxonomy terms.
SEED_FILES = ("taxonomy.json", "listings/brief.json", "listings/demo.json")


def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed files that exist, in loading order."""
    return [seeds_dir / name for name in SEED_FILES if (seeds_dir / name).is_file()]


def seed_database(session: Session, seeds_dir: Path = DEFAULT_SEEDS_DIR) -> list[ImportReport]:
    """Import every seed file present; one report per file. The change log names
    ``system:seed`` unless the caller set an actor of its own."""
    reports = []
    with default_actor(session, SEED_ACTOR):
        for path in seed_files(seeds_dir):
            reports.append(import_path(session, path))
            if path.name == "taxonomy.json":
                _mirror_taxonomy(session)
    return reports


def _mirror_taxonomy(session: Session) -> None:
    """Inferred terms are shown on the API under a taxonomy mirroring the curated one; it must
    follow the curated taxonomy as soon as that is loaded (a second run changes nothing)."""
    from directory.inference.mirror import ensure_inferred_taxonomy

    with unit_of_work(session, current_actor(session)):
        ensure_inferred_taxonomy(session)


@click.command("seed")
@with_appcontext
@click.option(
    "--dir",
    "seeds_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding taxonomy.json and listings/ (default: the repository's seeds/).",
)
def seed(seeds_dir: Path | None) -> None:
    """Load seeds/taxonomy.json, seeds/listings/brief.json and seeds/listings/demo.json."""
    folder = seeds_dir or Path(current_app.config.get("SEEDS_DIR") or DEFAULT_SEEDS_DIR)
    files = seed_files(folder)
    if not files:
        raise click.ClickException(f"No seed files in {folder} ({', '.join(SEED_FILES)})")
    missing = [name for name in SEED_FILES if not (folder / name).is_file()]
    if missing:
        click.echo(f"Not found, skipped: {', '.join(missing)}", err=True)
    with db.new_session() as session, default_actor(session, SEED_ACTOR):
        for path in files:
            for line in import_path(session, path).lines():
                click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(seed)
