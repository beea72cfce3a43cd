"""``flask --app wsgi infer-needs``: infer needs and client groups and say what was inferred.

    infer-needs [--service ID ...] [--feed NAME] [--dry-run] [--csv FILE] [--semantic/--no-semantic]

With no ``--service`` or ``--feed``, every listing is read. The output lists, per listing, the
inferred terms with their method, confidence and evidence; then how many listings hold each
term; then the listings that got nothing (the ones a person should look at first). With
``--dry-run`` nothing is saved. Exit code 0, or 1 when the feed or a listing is not known.
"""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.inference.services import InferenceReport, infer_services
from directory.listings.models import Service

#: The change log's name for this command's changes.
INFER_NEEDS = Actor.system("infer-needs")
CSV_COLUMNS = (
    "service_id", "listing", "link_type", "term", "method", "confidence", "evidence", "change",
)  # fmt: skip


def feed_service_ids(session: Session, feed: str) -> list[str]:
    """The listings a feed currently holds (as the importer recorded them)."""
    try:
        from directory.listings.runs import FeedListing
    except ImportError as exc:  # pragma: no cover - depends on the checkout
        raise click.ClickException(
            "this directory does not record which feed a listing came from"
        ) from exc
    ids = list(
        session.scalars(
            select(FeedListing.service_id)
            .where(FeedListing.feed == feed, FeedListing.retired_at.is_(None))
            .order_by(FeedListing.service_id)
        )
    )
    if not ids:
        known = sorted(set(session.scalars(select(FeedListing.feed))))
        hint = f" Feeds known: {', '.join(known[:10])}" if known else " No feed is recorded."
        raise click.ClickException(f"no listings recorded for feed {feed!r}.{hint}")
    return ids


def report_lines(report: InferenceReport, limit: int | None = None) -> list[str]:
    lines = [report.summary(), ""]
    shown = sorted(
        (r for r in report.listings if r.terms), key=lambda r: (r.name.lower(), r.service_id)
    )
    for result in shown[:limit] if limit else shown:
        lines.append(f"{result.name or '(no name)'} [{result.service_id}]")
        for decision in sorted(result.terms, key=lambda d: (d.link_type, -d.confidence)):
            change = (
                " (new)" if decision.term_id in result.added
                else " (updated)" if decision.term_id in result.updated else ""
            )  # fmt: skip
            label = report.labels.get(decision.term_id, decision.term_id)
            kind = "need" if decision.link_type == "need" else "for"
            lines.append(
                f"  {kind}: {label}  {decision.method} {decision.confidence:.2f}{change}"
                f"  {decision.evidence}"
            )
        for term_id in result.removed:
            lines.append(f"  removed: {report.labels.get(term_id, term_id)}")
    if limit and len(shown) > limit:
        lines.append(f"... and {len(shown) - limit} more listings with inferred terms")
    counts = report.per_term()
    if counts:
        lines += ["", "Listings per inferred term:"]
        lines += [f"  {count:5d}  {label}" for label, count in counts.most_common()]
    empty = report.without_terms()
    if empty:
        lines += ["", f"Listings with nothing inferred ({len(empty)}):"]
        lines += [
            f"  {r.name or '(no name)'} [{r.service_id}]"
            for r in sorted(empty, key=lambda r: (r.name.lower(), r.service_id))
        ]
    return lines


def write_csv(report: InferenceReport, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for result in report.listings:
            for d in result.terms:
                change = (
                    "added" if d.term_id in result.added
                    else "updated" if d.term_id in result.updated else "kept"
                )  # fmt: skip
                label = report.labels.get(d.term_id, d.term_id)
                writer.writerow([result.service_id, result.name, d.link_type, label, d.method,
                                 f"{d.confidence:.3f}", d.evidence, change])  # fmt: skip
            for term_id in result.removed:
                label = report.labels.get(term_id, term_id)
                writer.writerow([result.service_id, result.name, "", label, "", "", "", "removed"])


@click.command("infer-needs")
@with_appcontext
@click.option("--service", "services", multiple=True, help="A listing's id (repeatable).")
@click.option("--feed", help="Only the listings this feed holds (as import-hsds recorded it).")
@click.option("--dry-run", is_flag=True, help="Show what would be inferred; save nothing.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every inferred term to this CSV file.")  # fmt: skip
@click.option("--semantic/--no-semantic", default=None,
              help="Use the optional sentence model (default: INFERENCE_SEMANTIC).")  # fmt: skip
@click.option("--limit", type=int, default=None, help="List at most this many listings.")
def infer_needs(
    services: tuple[str, ...],
    feed: str | None,
    dry_run: bool,
    csv_path: Path | None,
    semantic: bool | None,
    limit: int | None,
) -> None:
    """Infer needs and client groups from listings' own words and feed terms."""
    with db.new_session() as session:
        ids: list[str] | None = None
        if feed:
            ids = feed_service_ids(session, feed)
        if services:
            known = set(session.scalars(select(Service.id).where(Service.id.in_(services))))
            missing = [s for s in services if s not in known]
            if missing:
                raise click.ClickException(f"no listing with id {', '.join(missing)}")
            ids = [s for s in services if ids is None or s in ids]
        if dry_run:
            report = infer_services(session, ids, semantic=semantic)
            session.rollback()
        else:
            with unit_of_work(session, INFER_NEEDS):
                report = infer_services(session, ids, semantic=semantic)
    for line in report_lines(report, limit):
        click.echo(line)
    if dry_run:
        click.echo("\nDry run: nothing was saved.")
    if csv_path is not None:
        write_csv(report, csv_path)
        click.echo(f"Written to {csv_path}")
    current_app.logger.info("infer-needs: %s", report.summary())


def register(app: Flask) -> None:
    app.cli.add_command(infer_needs)
