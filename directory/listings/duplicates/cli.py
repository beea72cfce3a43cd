"""``flask --app wsgi duplicates scan|list|resolve``: duplicate listings for staff.

``scan`` checks the whole directory and stores flags; ``list`` prints the open ones with both
listings' names, postcodes and the reasons; ``resolve`` records a decision. ``--csv FILE`` writes
the same rows for a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.listings.duplicates.candidates import LIVE_STATUSES, _chunks
from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.listings.duplicates.store import DecisionError, flag_duplicates, open_flags, resolve
from directory.listings.models import Service
from directory.places.models import Address, ServiceAtLocation

duplicates_cli = AppGroup("duplicates", help="Listings that look like the same service.")

_STRENGTH = click.option(
    "--strength", type=click.Choice([s.value for s in Strength]), help="Only this strength."
)
_CSV = click.option(
    "--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write a CSV."
)
_COLUMNS = (
    "strength",
    "score",
    "service_a_id",
    "service_a_name",
    "service_a_postcodes",
    "service_b_id",
    "service_b_name",
    "service_b_postcodes",
    "reasons",
    "first_seen",
    "last_seen",
)


_OUTCOME = {
    FlagStatus.NOT_DUPLICATE: "are different services and will not be flagged again",
    FlagStatus.CONFIRMED: "are the same service (search shows one of them)",
    FlagStatus.OPEN: "are open for review again",
}


def _describe(session: Session, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Name (with its status when not public) and postcodes of each listing, for people."""
    out: dict[str, tuple[str, list[str]]] = {}
    for chunk in _chunks(sorted(set(ids))):
        for sid, name, status in session.execute(
            select(Service.id, Service.name, Service.listing_status).where(Service.id.in_(chunk))
        ):
            label = name or "(no name)"
            out[sid] = (label if status == "active" else f"{label} [{status}]", [])
        postcodes = (
            select(ServiceAtLocation.service_id, Address.postal_code)
            .join(Address, Address.location_id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(chunk))
        )
        for sid, postcode in session.execute(postcodes):
            if postcode and postcode not in out[sid][1]:
                out[sid][1].append(postcode)
    return {sid: (name, ", ".join(codes) or "no postcode") for sid, (name, codes) in out.items()}


def _rows(session: Session, flags: list[DuplicateFlag]) -> list[dict[str, str]]:
    about = _describe(session, [i for f in flags for i in (f.service_a_id, f.service_b_id)])
    return [
        {
            "strength": f.strength.value,
            "score": f"{f.score:.2f}",
            "service_a_id": f.service_a_id,
            "service_a_name": about[f.service_a_id][0],
            "service_a_postcodes": about[f.service_a_id][1],
            "service_b_id": f.service_b_id,
            "service_b_name": about[f.service_b_id][0],
            "service_b_postcodes": about[f.service_b_id][1],
            "reasons": "; ".join(f.reasons),
            "first_seen": f.first_seen.isoformat(timespec="seconds"),
            "last_seen": f.last_seen.isoformat(timespec="seconds"),
        }
        for f in flags
    ]


def _print(rows: list[dict[str, str]], csv_path: Path | None) -> None:
    for row in rows:
        click.echo(f"{row['strength']} ({row['score']}): {row['reasons']}")
        for side in ("a", "b"):
            click.echo(
                f"    {row[f'service_{side}_name']} ({row[f'service_{side}_postcodes']}) "
                f"{row[f'service_{side}_id']}"
            )
    if csv_path is not None:
        try:
            with csv_path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise click.ClickException(f"Cannot write {csv_path}: {exc.strerror}") from exc
        click.echo(f"Wrote {len(rows)} row(s) to {csv_path}")


@duplicates_cli.command("scan")
@_STRENGTH
@_CSV
def scan(strength: str | None, csv_path: Path | None) -> None:
    """Check every listing against the whole directory, store flags, print the open ones."""
    with db.new_session() as session:
        ids = list(
            session.scalars(select(Service.id).where(Service.listing_status.in_(LIVE_STATUSES)))
        )
        with unit_of_work(session, Actor.system("duplicates-scan")):
            flags = flag_duplicates(session, ids)
        new = sum(f.is_new for f in flags)
        likely = sum(f.strength == Strength.LIKELY for f in flags)
        click.echo(
            f"Checked {len(ids)} listing(s): {likely} likely and {len(flags) - likely} possible "
            f"duplicate pair(s) open, {new} of them new."
        )
        shown = [f for f in flags if strength is None or f.strength == strength]
        _print(_rows(session, shown), csv_path)


@duplicates_cli.command("list")
@_STRENGTH
@_CSV
def list_flags(strength: str | None, csv_path: Path | None) -> None:
    """Print the open flags: both listings' names, postcodes and ids, and the reasons."""
    with db.new_session() as session:
        flags = open_flags(session, strength)
        click.echo(f"{len(flags)} open duplicate flag(s).")
        _print(_rows(session, flags), csv_path)


@duplicates_cli.command("resolve")
@click.argument("first")
@click.argument("second")
@click.option("--not-duplicate", "decision", flag_value=FlagStatus.NOT_DUPLICATE.value)
@click.option("--confirmed", "decision", flag_value=FlagStatus.CONFIRMED.value)
@click.option("--reopen", "decision", flag_value=FlagStatus.OPEN.value)
@click.option("--by", "decided_by", default="command line", show_default=True, help="Who decided.")
def resolve_pair(first: str, second: str, decision: str | None, decided_by: str) -> None:
    """Record a decision on two listings: --not-duplicate, --confirmed or --reopen."""
    if decision is None:
        raise click.UsageError("Say --not-duplicate, --confirmed or --reopen.")
    with db.new_session() as session:
        try:
            with unit_of_work(session, Actor.system("duplicates-resolve")):
                flag = resolve(session, first.strip(), second.strip(), decision, decided_by)
        except DecisionError as exc:
            raise click.ClickException(str(exc)) from exc
        names = _describe(session, [flag.service_a_id, flag.service_b_id])
    a, b = names[flag.service_a_id][0], names[flag.service_b_id][0]
    click.echo(f"Recorded: {a} and {b} {_OUTCOME[flag.status]}.")


def register(app: Flask) -> None:
    app.cli.add_command(duplicates_cli)
