"""What runs after an import has written its listings: the one hook other parts plug into.

The importer calls :func:`post_import` once per committed write (once for a file, once per page
of a paged feed), after the listings are safely in the database, so work that reads them (need
inference from their words and source taxonomy terms, duplicate detection within a feed and
against the directory) sees exactly what was imported. Keeping it one function means the
importer never needs to know which of those exist, and each can be switched on here alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from directory.listings.importer import ImportReport


def post_import(session: Session, service_ids: list[str], report: ImportReport) -> None:
    """Called after a successful write with the ids of every service that write held.

    ``service_ids`` lists each service of the committed write once (created, updated or
    unchanged; skipped records are not in it), in input order. Append lines for people to
    ``report.duplicates`` and ``report.inferred``; the import summary prints them. Whatever
    this changes in the database must be committed here: the import's own transaction has
    already been committed. Does nothing yet.
    """
    return None
