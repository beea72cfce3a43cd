"""``flask --app wsgi insights [--csv [DIR|-]] [--from YYYY-MM] [--to YYYY-MM]``
(docs/insights.md, "From the command line").

Without ``--csv``: every table printed as text, for a quick look or a cron mail. With
``--csv DIR``: one ``<table>.csv`` per table in DIR, the very files the page's download links
give. With ``--csv -`` or a bare ``--csv``: every table's CSV on standard output, each after a
``# <table>`` line. Nothing personal is ever printed: the tables hold none.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from directory.db import db
from directory.insights.reports import build_tables
from directory.insights.tables import Period, Table, to_csv


def _text(table: Table) -> list[str]:
    headings = [c.heading for c in table.columns]
    rows = [["not known" if v is None else str(v) for v in row] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headings)]
    lines = [table.title, "  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    if not rows:
        lines.append("(nothing)")
    return [*lines, ""]


@click.command("insights")
@click.option(
    "--csv",
    "csv_to",
    default=None,
    is_flag=False,
    flag_value="-",
    metavar="[DIR|-]",
    help="Write every table as CSV: one file per table in DIR, or all to stdout (- or no value).",
)
@click.option("--from", "first", default="", metavar="YYYY-MM", help="First month to count.")
@click.option("--to", "last", default="", metavar="YYYY-MM", help="Last month to count.")
@with_appcontext
def insights_command(csv_to: str | None, first: str, last: str) -> None:
    """Requests, offers, outcomes, unmet need and searches, as on /staff/insights."""
    try:
        period = Period.parse(first, last)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from/--to") from None
    tables = build_tables(db.session, period)
    if csv_to is None:
        click.echo(f"Insights: {period.label}")
        click.echo("")
        for table in tables:
            for line in _text(table):
                click.echo(line)
        return
    if csv_to == "-":
        for table in tables:
            click.echo(f"# {table.key}: {table.title}")
            click.echo(to_csv(table), nl=False)
            click.echo("")
        return
    folder = Path(csv_to)
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        (folder / f"{table.key}.csv").write_text(to_csv(table), encoding="utf-8", newline="")
    click.echo(f"Wrote {len(tables)} CSV files to {folder} ({period.label}).")


def register(app: Flask) -> None:
    app.cli.add_command(insights_command)
