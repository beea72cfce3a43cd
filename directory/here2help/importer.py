"""``import_here2help(session, folder)``: Here2Help-style CSV files into the directory.

organisations.csv becomes draft listings for moderation (or is matched to listings already
there), offers.csv offers and requests.csv requests, in that order so that offers can link to
organisations and requests to the offers they were matched with. See
``docs/here2help-import.md`` for every column and rule.

The whole run is **one unit of work**, written by ``Actor.system("import-here2help")``: all
three files are read and their headers checked before anything is written
(:class:`~directory.here2help.csvfile.HeaderError` otherwise), rows that cannot be read are
skipped and reported, and either every other row is committed or, if the database refuses
something, nothing is. A dry run does all the same work and rolls it back. Running it twice
is safe: records are found again by their reference, organisations by their name words.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.here2help.context import Context
from directory.here2help.csvfile import OFFERS, ORDER, ORGANISATIONS, REQUESTS, read_folder
from directory.here2help.needs import NeedMapper
from directory.here2help.offers import import_offers
from directory.here2help.organisations import import_organisations
from directory.here2help.report import FileReport, RunReport
from directory.here2help.requests import import_requests
from directory.places.geocode import Geocoder, current_geocoder

ACTOR = Actor.system("import-here2help")
IMPORTERS = {
    ORGANISATIONS: import_organisations,
    OFFERS: import_offers,
    REQUESTS: import_requests,
}


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""


def import_here2help(
    session: Session,
    folder: Path,
    *,
    dry_run: bool = False,
    geocoder: Geocoder | None = None,
) -> RunReport:
    """Import the files in ``folder``; the report of what was (or would be) done.

    Raises :class:`~directory.here2help.csvfile.HeaderError` before writing anything when a
    file is unreadable or lacks a column."""
    tables = read_folder(folder)
    report = RunReport(str(folder), dry_run=dry_run)
    geocoder = geocoder or current_geocoder()
    if geocoder.gazetteer() is None:
        report.notes.append(
            "The gazetteer is not built, so no coordinates were set (run `make gazetteer`)."
        )
    try:
        with unit_of_work(session, ACTOR):
            ctx = Context(session, geocoder, NeedMapper(session))
            for name in ORDER:
                table = tables[name]
                file_report = FileReport(name, found=table.found)
                report.files.append(file_report)
                if not table.found:
                    continue
                if table.encoding_note:
                    file_report.notes.append(table.encoding_note)
                file_report.extra_columns = list(table.extra_columns)
                for row, more in table.long_rows:
                    file_report.warn(row, f"{more} more cells than columns; ignored")
                with session.no_autoflush:
                    IMPORTERS[name](ctx, table, file_report)
                session.flush()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
