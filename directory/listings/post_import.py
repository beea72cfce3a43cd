"""What runs after an import has written its listings: the one hook other parts plug into.

The importer calls :func:`post_import` once per committed write (once for a file, once per page
of a paged feed), after the listings are safely in the database, so work that reads them sees
exactly what was imported:

1. need inference from the listings' words and their feed's own categories
   (``directory.inference``), so untagged listings are found by need;
2. duplicate detection within the feed and against the directory
   (``directory.listings.duplicates``): flagged for staff, never merged; search shows one card
   per likely duplicate group, so every listing whose group changed is re-indexed;
3. place names from the listings' addresses (``directory.places.listing_places``), so
   "Upton" or "Lache" named in a feed's addresses resolve at once, not on a later request.

Each step is a unit of work of its own (:func:`directory.core.uow.unit_of_work`, opened here,
so this hook owns them and the steps themselves never commit): the import's own transaction
has already been committed, and a step that fails is rolled back and reported in the summary
without undoing the import or the other steps. The steps' changes are logged under the
import's actor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.core.actor import current_actor
from directory.core.uow import unit_of_work

if TYPE_CHECKING:
    from directory.listings.importer import ImportReport

log = logging.getLogger(__name__)


def post_import(session: Session, service_ids: list[str], report: ImportReport) -> None:
    """Called after a successful write with the ids of every service that write held.

    ``service_ids`` lists each service of the committed write once (created, updated or
    unchanged; skipped records are not in it), in input order. Lines for people go to
    ``report.inferred`` and ``report.duplicates``; the import summary prints them.
    """
    if not service_ids:
        return
    actor = current_actor(session)
    for name, step in (
        ("need inference", _infer),
        ("duplicate check", _duplicates),
        ("place names", _place_names),
    ):
        try:
            with unit_of_work(session, actor):
                step(session, service_ids, report)
        except (SQLAlchemyError, OSError, ValueError) as exc:
            log.warning("after import, %s failed: %s", name, type(exc).__name__)
            report.notes.append(
                f"the {name} after the import did not finish ({type(exc).__name__}); "
                "the listings were imported, run it again with its own command"
            )


def _infer(session: Session, service_ids: list[str], report: ImportReport) -> None:
    from directory.inference.services import infer_after_import

    report.inferred.extend(infer_after_import(session, service_ids))


def _duplicates(session: Session, service_ids: list[str], report: ImportReport) -> None:
    from directory.listings.duplicates import flag_duplicates
    from directory.listings.duplicates.store import report_lines

    flags = flag_duplicates(session, service_ids)  # re-indexes the listings it changed
    report.duplicates.extend(report_lines(flags))


def _place_names(session: Session, service_ids: list[str], report: ImportReport) -> None:
    from flask import current_app, has_app_context

    from directory.places.gazetteer import GazetteerError, get_gazetteer
    from directory.places.listing_places import refresh_place_names

    path = current_app.config.get("GAZETTEER_PATH") if has_app_context() else None
    try:
        gazetteer = get_gazetteer(path)
    except GazetteerError:
        return  # the import's notes already say the gazetteer is not built
    refresh_place_names(session, gazetteer)
