"""The readiness checks behind ``GET /readyz``: plain functions, each returning None when all
is well or a short reason (no personal data, no connection string) when it is not.

* the database answers ``SELECT 1`` within ``READINESS_TIMEOUT`` seconds (a separate
  connection with its own timeouts, run in a thread the probe stops waiting for, so a hung
  database makes the probe answer 503 on time rather than hang with it);
* its migrations are at the head revision of this code (a node started before
  ``flask db upgrade`` ran is not ready);
* the search index opens and reads (``IndexStore.check``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

Check = Callable[[], str | None]


@cache
def code_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code."""
    from alembic.script import ScriptDirectory

    from directory.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def probe_engine(app: Flask) -> Engine:
    """A pool-less engine for the probe: each check opens a fresh connection with the short
    timeouts, so it never waits behind the site's busy pool."""
    found = app.extensions.get("readiness_engine")
    if found is None:
        url = app.config["DATABASE_URL"]
        timeout = float(app.config.get("READINESS_TIMEOUT") or 2)
        if url.startswith("sqlite"):
            connect_args: dict[str, Any] = {"timeout": timeout}
        elif url.startswith("postgresql"):
            connect_args = {
                "connect_timeout": max(1, round(timeout)),
                "options": f"-c statement_timeout={int(timeout * 1000)}",
            }
        else:
            connect_args = {}
        found = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        app.extensions["readiness_engine"] = found
    return found


def database_and_migrations(app: Flask) -> tuple[str | None, str | None]:
    """(database reason, migrations reason), each None when fine."""
    from alembic.runtime.migration import MigrationContext

    timeout = float(app.config.get("READINESS_TIMEOUT") or 2)
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            with probe_engine(app).connect() as connection:
                connection.execute(text("SELECT 1"))
                result["heads"] = frozenset(
                    MigrationContext.configure(connection).get_current_heads()
                )
        except Exception as exc:  # any driver or network error: not ready, say which kind
            result["error"] = exc.__class__.__name__

    worker = threading.Thread(target=run, name="readyz-database", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if worker.is_alive():
        return f"no answer within {timeout:g} seconds", None
    if "error" in result:
        return f"unreachable ({result['error']})", None
    heads = result["heads"]
    if heads != code_heads():
        current = ", ".join(sorted(heads)) or "none"
        return None, f"at {current}, not at head {', '.join(sorted(code_heads()))}"
    return None, None


def search_index(app: Flask) -> str | None:
    """None when the live index generation opens and reads."""
    from search_index.sync import get_sync

    try:
        return get_sync(app).store.check()
    except Exception as exc:  # a check that cannot even run is a reason too
        return f"cannot be checked ({exc.__class__.__name__})"


def readiness(app: Flask) -> dict[str, str]:
    """Every check by name: "ok" or its reason."""
    database, migrations = database_and_migrations(app)
    return {
        "database": database or "ok",
        "migrations": migrations or ("ok" if database is None else "not checked"),
        "search_index": search_index(app) or "ok",
    }
