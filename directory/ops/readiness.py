"""The readiness checks behind ``GET /readyz``: plain functions, each returning None when all
is well or a short reason (no personal data, no connection string) when it is not.

* the database answers ``SELECT 1`` within ``READINESS_TIMEOUT`` seconds (a separate
  connection with its own timeouts, run in a thread the probe stops waiting for, so a hung
  database makes the probe answer 503 on time rather than hang with it);
* its migrations are at the head revision of this code (a node started before
  ``flask db upgrade`` ran is not ready; a database already migrated by a newer release,
  during a rolling upgrade, is);
* the read replica, when ``DATABASE_REPLICA_URL`` is set, answers too;
* the search index opens and reads (``IndexStore.check``) and is not being repaired.
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
    return frozenset(_scripts().get_heads())


@cache
def code_revisions() -> frozenset[str]:
    """Every revision shipped with this code: one not among them was made by a newer release."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _scripts() -> Any:
    from alembic.script import ScriptDirectory

    from directory.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def probe_engine(app: Flask, setting: str = "DATABASE_URL") -> Engine:
    """A pool-less engine for the probe of the database in ``setting`` (the primary, or the
    read replica): each check opens a fresh connection with the short timeouts, so it never
    waits behind the site's busy pool."""
    engines = app.extensions.setdefault("readiness_engines", {})
    found = engines.get(setting)
    if found is None:
        url = app.config[setting]
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
        found = engines[setting] = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    return found


def _probe(app: Flask, setting: str, work: Callable[[Any], Any]) -> tuple[str | None, Any]:
    """Run ``work(connection)`` on a fresh connection to the database in ``setting``, giving
    up after ``READINESS_TIMEOUT``: (reason or None, what ``work`` returned)."""
    timeout = float(app.config.get("READINESS_TIMEOUT") or 2)
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            with probe_engine(app, setting).connect() as connection:
                connection.execute(text("SELECT 1"))
                result["value"] = work(connection)
        except Exception as exc:  # any driver or network error: not ready, say which kind
            result["error"] = exc.__class__.__name__

    worker = threading.Thread(target=run, name="readyz-database", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if worker.is_alive():
        return f"no answer within {timeout:g} seconds", None
    if "error" in result:
        return f"unreachable ({result['error']})", None
    return None, result.get("value")


def database_and_migrations(app: Flask) -> tuple[str | None, str | None]:
    """(database reason, migrations reason), each None when fine."""
    from alembic.runtime.migration import MigrationContext

    def heads_of(connection: Any) -> frozenset[str]:
        return frozenset(MigrationContext.configure(connection).get_current_heads())

    reason, heads = _probe(app, "DATABASE_URL", heads_of)
    if reason is not None:
        return reason, None
    if heads != code_heads() and not _ahead(heads):
        current = ", ".join(sorted(heads)) or "none"
        return None, f"at {current}, not at head {', '.join(sorted(code_heads()))}"
    return None, None


def _ahead(heads: frozenset[str]) -> bool:
    """Whether the database was migrated by a newer release (its revisions are unknown to
    this code). Such a node stays ready: in a rolling upgrade the database is migrated first
    and the old nodes serve until each is restarted (docs/deploy.md, "Upgrades"); a database
    *behind* the code is not ready, since the code would query columns it lacks."""
    return bool(heads) and not heads & code_revisions()


def replica(app: Flask) -> str | None:
    """None when the read replica (``DATABASE_REPLICA_URL``) answers: a node whose replica
    is away would answer every visitor's page with an error."""
    reason, _ = _probe(app, "DATABASE_REPLICA_URL", lambda connection: None)
    return reason


def search_index(app: Flask) -> str | None:
    """None when the live index generation opens and reads; "repairing" while this process
    rebuilds it in the background (searches answer 503 meanwhile, so the node is not ready;
    it comes back by itself when the repair ends)."""
    from search_index.sync import get_sync

    try:
        sync = get_sync(app)
        if sync.repairer.running():
            return "repairing"
        return sync.store.check()
    except Exception as exc:  # a check that cannot even run is a reason too
        return f"cannot be checked ({exc.__class__.__name__})"


def readiness(app: Flask) -> dict[str, str]:
    """Every check by name: "ok" or its reason (``replica`` only when one is configured)."""
    database, migrations = database_and_migrations(app)
    checks = {
        "database": database or "ok",
        "migrations": migrations or ("ok" if database is None else "not checked"),
    }
    if str(app.config.get("DATABASE_REPLICA_URL") or "").strip():
        checks["replica"] = replica(app) or "ok"
    checks["search_index"] = search_index(app) or "ok"
    return checks
