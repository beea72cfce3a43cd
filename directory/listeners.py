"""The session listeners every write to the directory goes through, installed in one place.

Four parts of the directory watch sessions rather than being called by each view:

0. text cleaning (:mod:`directory.core.cleaning`, ``before_flush``): control characters and
   lone surrogates are removed from every String, Text and JSON column (PostgreSQL refuses a
   NUL), first, so everything after sees the text as stored;
1. geocoding (:mod:`directory.places.geocode`, ``before_flush``): a saved location without
   coordinates gets them from its postcode;
2. change tracking (:mod:`directory.listings.changes`, ``before_flush``): ``last_modified``,
   the ORUK ``metadata`` log with the session's actor, and a ``listing_change`` row per
   service touched;
3. index sync (:mod:`search_index.sync`, ``after_flush``/``after_commit``/``after_rollback``):
   the services a commit touched are re-indexed.

Geocoding runs before change tracking, so the log records the coordinates it filled in.
They are not import side effects: the app factory installs them on the app's session
factory (:meth:`directory.db.Database.init_app`), so web requests, CLI commands and
``db.new_session()`` all get them; code that makes its own sessions (a test seeding a database
outside any app, a benchmark) calls :func:`install` on its own ``sessionmaker``.
"""

from __future__ import annotations

from typing import Any


def install(target: Any) -> None:
    """Install every listener, in order, on ``target``: a ``sessionmaker`` (its sessions only)
    or a ``Session`` class. Safe to call twice."""
    from directory.core import cleaning
    from directory.listings import changes
    from directory.places import geocode
    from search_index import sync

    cleaning.install(target)
    geocode.install(target)
    changes.install(target)
    sync.install(target)
