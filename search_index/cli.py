"""``flask --app wsgi reindex`` and ``flask --app wsgi search-index status|sync|check``.

The index can always be rebuilt from the database, so these commands are safe to run at any
time on a live site: a rebuild writes a new generation and swaps it in while searches go on.
"""

from __future__ import annotations

import math
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from directory.priority import lower_bulk_priority
from search_index.sync import get_sync

search_index_cli = AppGroup("search-index", help="Inspect and maintain the search index.")


class _ProgressPrinter:
    """Prints at most one line a second (and the last one), so logs stay readable."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        elapsed = now - self.started
        if phase == "replay":
            click.echo(f"  {elapsed:6.1f} s  replaying changes made during the rebuild")
            return
        if now - self.last < 1.0 and done < total:
            return
        self.last = now
        percent = 100 * done / total if total else 100
        click.echo(f"  {elapsed:6.1f} s  {done:,} of {total:,} services ({percent:.0f}%)")


@click.command("reindex")
@click.option(
    "--procs",
    type=click.IntRange(1, 32),
    default=None,
    help="Build processes (default: SEARCH_REINDEX_PROCS for large directories, else 1).",
)
@with_appcontext
def reindex_command(procs: int | None) -> None:
    """Rebuild the search index from the database and swap it in atomically (at niceness
    BULK_JOB_NICE, as are its build processes)."""
    lower_bulk_priority(current_app.config)
    sync = get_sync(current_app)
    click.echo(f"Rebuilding the search index in {sync.store.root}")
    report = sync.rebuild(procs=procs, progress=_ProgressPrinter())
    click.echo(
        f"Done: generation {report.generation}: {report.services:,} services, "
        f"{report.documents:,} documents, {report.replayed:,} changes replayed; "
        f"{report.procs} process(es); built in {report.build_seconds:.1f} s, "
        f"{report.seconds:.1f} s in all; {report.size_bytes / 1e6:.1f} MB on disk."
    )
    if report.procs > 1:
        _echo_phases(report.seconds - report.build_seconds)
    if report.removed:
        click.echo(f"Removed old generations: {', '.join(report.removed)}")


def _echo_phases(publish_seconds: float) -> None:
    """Where a parallel rebuild's time went: each worker's phases, then the parent's."""
    from search_index.build import last_build

    for number, worker in enumerate(last_build.workers, 1):
        click.echo(f"  worker {number}: {worker.line()}")
    click.echo(
        f"  phases: workers {last_build.wait:.1f} s (start to last segment), commit and "
        f"spelling {last_build.commit:.1f} s, manifest, replay and swap {publish_seconds:.1f} s"
    )


@search_index_cli.command("status")
@with_appcontext
def status_command() -> None:
    """Show the live generation, its size and how far behind the database it is."""
    sync = get_sync(current_app)
    try:
        info = sync.store.status()
    except Exception as exc:  # a damaged index raises anything; say so instead of a traceback
        click.echo(
            f"The search index cannot be read ({exc.__class__.__name__}): run "
            "`flask search-index check --repair` or `flask reindex`."
        )
        sys.exit(1)
    if info.get("generation") is None:
        click.echo(f"No search index in {info['root']} yet: run `flask reindex`.")
        sys.exit(1)
    db_seq = sync.database_seq()
    click.echo(f"Index directory: {info['root']}")
    click.echo(f"Live generation: {info['generation']} (built {info['built_at']})")
    click.echo(f"Documents: {info['documents']:,} in {info['segments']} segment(s)")
    click.echo(f"Size on disk: {info['size_bytes'] / 1e6:.1f} MB")
    click.echo(
        f"Changes applied up to: {info['last_seq']:,} of {db_seq:,} "
        f"({max(0, db_seq - info['last_seq']):,} behind, {info['gaps']} gap(s) awaited)"
    )
    others = [g for g in info["generations"] if g != info["generation"]]
    if others:
        click.echo(f"Other generations (removed after the next rebuild): {', '.join(others)}")


@search_index_cli.command("sync")
@with_appcontext
def sync_command() -> None:
    """Apply every change in the database that the index has not seen yet."""
    sync = get_sync(current_app)
    sync.ready_store(wait=math.inf)
    click.echo(f"Applied {sync.catch_up():,} change(s).")


@search_index_cli.command("check")
@click.option("--repair", is_flag=True, help="Rebuild when a problem is found.")
@with_appcontext
def check_command(repair: bool) -> None:
    """Check every file a searcher reads, to the last byte (checksums of what the rebuild
    wrote, the arrays files' structure, every posting of later segments); exit 1 when one is
    damaged (unless repaired)."""
    sync = get_sync(current_app)
    problem = sync.problem(deep=True)
    if problem is None:
        click.echo("The search index is healthy.")
        return
    click.echo(f"Problem: {problem}.")
    if not repair:
        sys.exit(1)
    lower_bulk_priority(current_app.config)
    sync.repair(deep=True)
    click.echo("Rebuilt.")


def register(app: Flask) -> None:
    app.cli.add_command(reindex_command)
    app.cli.add_command(search_index_cli)
