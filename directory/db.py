"""Database engine, session and declarative base.

Plain SQLAlchemy 2 rather than Flask-SQLAlchemy so that domain functions take a ``Session``
and run the same from a request, a CLI command, a test or a worker process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic migrations are reproducible."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a busy timeout for several processes,
    and a new database file is created readable by our own user only (0600)."""
    if url.startswith("sqlite"):
        from directory.core.files import create_private_sqlite

        create_private_sqlite(url)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@dataclass
class DatabaseState:
    """One app's engine and session factory, kept in ``app.extensions["database"]``."""

    engine: Engine
    sessionmaker: sessionmaker[Session]


class Database:
    """Binds an engine and session factory to each Flask app, like a Flask extension.

    State lives on the app, not on this object, so two apps in one process (a test copying
    data between two databases, say) each talk to their own database. ``db.session`` is one
    session per application context, closed at teardown.
    """

    def init_app(self, app: Flask) -> None:
        """Bind the engine and session factory, with every session listener installed on the
        factory (:mod:`directory.listeners`), so requests, commands and :meth:`new_session`
        sessions all geocode, log changes and keep the index in step."""
        from directory import listeners

        engine = make_engine(app.config["DATABASE_URL"])
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        listeners.install(factory)
        app.extensions["database"] = DatabaseState(engine, factory)
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def _state() -> DatabaseState:
        state = current_app.extensions.get("database")
        if state is None:
            raise RuntimeError("Database.init_app() has not been called for this app")
        return state

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self._state().sessionmaker()
        return g.db_session

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A session independent of the request's, for CLI commands and background work."""
        session = self._state().sessionmaker()
        try:
            yield session
        finally:
            session.close()

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
