"""Database engine, session and declarative base, and where reads go with a read replica.

Plain SQLAlchemy 2 rather than Flask-SQLAlchemy so that domain functions take a ``Session``
and run the same from a request, a CLI command, a test or a worker process.

**The read replica** (``DATABASE_REPLICA_URL``, optional; docs/deploy.md, "PostgreSQL with a
read replica"). The routing rule lives in one place, :func:`reads_replica`, and reads:

* the request's ``db.session`` reads from the replica only for a *safe* request (GET or HEAD)
  from a visitor who is not signed in (nor half way through signing in), whose browser has
  not written anything in the last ``DATABASE_REPLICA_PIN_SECONDS`` (so "thank you" pages
  after a form see what the form wrote, whatever the replica's lag);
* everything else uses the primary (``DATABASE_URL``): every non-safe method, every signed-in
  user (staff and organisation people must see their own edits at once), CLI commands,
  background threads and jobs, ``db.new_session()``, ``db.engine`` and the search index's
  feed and sync, which are bound to the primary engine and never see the replica;
* within a replica-reading session only plain SELECTs go to the replica: the first flush, any
  other statement (DML, ``text()``, ``SELECT ... FOR UPDATE``) goes to the primary, and from
  then on the whole session does (:class:`RoutedSession`), so a write never lands on the
  replica and a request reads its own writes.

Replica connections are read-only at the server (PostgreSQL ``default_transaction_read_only``,
SQLite ``query_only``): a write wrongly sent there fails loudly instead of diverging. Without
the setting none of this exists: one engine, plain sessions, as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from flask import session as browser_session
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

_log = logging.getLogger(__name__)

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


#: Methods whose requests may read from the replica (they must not write).
SAFE_METHODS = frozenset({"GET", "HEAD"})
#: Session-cookie keys meaning someone is signed in (Flask-Login) or signing in (a pending
#: two-factor sign-in, directory.accounts.session): they read the primary.
SIGNED_IN_KEYS = ("_user_id", "pending_user")
#: Session-cookie key: until when (Unix time) this browser reads the primary, after a write.
PRIMARY_UNTIL = "_db_primary_until"
#: ``Session.info`` keys: the engine a session reads from, and "this session has written".
READ_ENGINE = "database.read_engine"
WROTE = "database.wrote"
READ_ONLY_OPTION = "-c default_transaction_read_only=on"


def make_replica_engine(url: str) -> Engine:
    """An engine for the read replica whose connections cannot write: PostgreSQL sessions
    start with ``default_transaction_read_only=on`` (kept beside any ``options`` in the URL),
    SQLite connections with ``PRAGMA query_only``. Other databases are refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        given = parsed.query.get("options") or ""
        given = " ".join(given) if isinstance(given, tuple) else given
        options = f"{given} {READ_ONLY_OPTION}".strip()
        return make_engine(url, connect_args={"options": options})
    if parsed.get_backend_name() == "sqlite":
        engine = make_engine(url)

        @event.listens_for(engine, "connect")
        def _query_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA query_only=ON")

        return engine
    from directory.config import ConfigError

    raise ConfigError(
        f"DATABASE_REPLICA_URL must be a PostgreSQL (or SQLite) URL, got {parsed.drivername!r}"
    )


def reads_replica() -> bool:
    """THE routing rule: whether this request's session may read from the replica (see the
    module docstring). Asked once per request, when ``db.session`` is first used."""
    if not has_request_context() or request.method not in SAFE_METHODS:
        return False
    if any(key in browser_session for key in SIGNED_IN_KEYS):
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False  # Flask-Login may sign this browser in from its remember cookie
    if PRIMARY_UNTIL in browser_session:
        until = browser_session[PRIMARY_UNTIL]
        if isinstance(until, int | float) and until > time.time():
            return False
    return True


def _plain_select(clause: Any) -> bool:
    return (
        clause is not None
        and bool(getattr(clause, "is_select", False))
        and getattr(clause, "_for_update_arg", None) is None
    )


class RoutedSession(Session):
    """A session that reads from ``info[READ_ENGINE]`` while it has only read.

    Sessions are bound to the primary as usual (``session.bind``, which the search index's
    commit hooks look up, is always the primary). Only when :class:`Database` has put a
    replica engine in ``info[READ_ENGINE]`` do plain SELECTs go there; a flush or any other
    statement goes to the primary and pins the session to it (``info[WROTE]``), so the
    request reads its own writes and nothing is ever written to the replica.

    ``get_bind()`` with no statement answers the engine the session reads from, so caches
    keyed by ``session.get_bind().url`` (the vocabulary, the taxonomy) keep one entry per
    database they read, each seeing its change number only go forwards; raw SQL on
    ``session.connection()`` in an anonymous GET meets the read-only replica and fails loudly.
    """

    def get_bind(self, mapper: Any = None, *, clause: Any = None, **kw: Any) -> Any:
        if self._flushing or (clause is not None and not _plain_select(clause)):
            self.info[WROTE] = True
            self.info.pop(READ_ENGINE, None)
        else:
            replica = self.info.get(READ_ENGINE)
            if replica is not None:
                return replica
        return super().get_bind(mapper, clause=clause, **kw)


@dataclass
class DatabaseState:
    """One app's engine and session factory, kept in ``app.extensions["database"]``, and
    the read replica's engine when ``DATABASE_REPLICA_URL`` is set."""

    engine: Engine
    sessionmaker: sessionmaker[Session]
    replica: Engine | None = None


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
        replica_url = str(app.config.get("DATABASE_REPLICA_URL") or "").strip()
        replica = make_replica_engine(replica_url) if replica_url else None
        if replica is None:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
        else:
            factory = sessionmaker(bind=engine, expire_on_commit=False, class_=RoutedSession)
            app.after_request(self._pin_writer)
        listeners.install(factory)
        app.extensions["database"] = DatabaseState(engine, factory, replica)
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def _state() -> DatabaseState:
        state = current_app.extensions.get("database")
        if state is None:
            raise RuntimeError("Database.init_app() has not been called for this app")
        return state

    @property
    def engine(self) -> Engine:
        """The primary's engine, whether or not a replica is configured."""
        return self._state().engine

    @property
    def replica_engine(self) -> Engine | None:
        """The read replica's (read-only) engine, or None without ``DATABASE_REPLICA_URL``."""
        return self._state().replica

    @property
    def session(self) -> Session:
        """This application context's session: in an anonymous GET or HEAD with a replica
        configured, one that reads from the replica (:func:`reads_replica`)."""
        if "db_session" not in g:
            state = self._state()
            session = state.sessionmaker()
            if state.replica is not None and reads_replica():
                session.info[READ_ENGINE] = state.replica
            g.db_session = session
        return g.db_session

    @staticmethod
    def _pin_writer(response: Response) -> Response:
        """After a request whose session wrote, this browser reads the primary for
        ``DATABASE_REPLICA_PIN_SECONDS``: the page it is sent to next shows what it wrote."""
        session = g.get("db_session")
        if session is not None and session.info.get(WROTE):
            seconds = float(current_app.config.get("DATABASE_REPLICA_PIN_SECONDS") or 0)
            if seconds > 0:
                browser_session[PRIMARY_UNTIL] = round(time.time() + seconds, 1)
        return response

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A session independent of the request's, for CLI commands and background work;
        always on the primary."""
        session = self._state().sessionmaker()
        try:
            yield session
        finally:
            session.close()

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        """Close the request's session. Closing rolls back whatever it left open; if the
        database went away after the request's work was done (a restart, a fail-over), that
        rollback fails. The answer is already made, so it is not spoilt: the pool drops the
        dead connection and the next request gets a fresh one (found by bench/soak.py: one
        500 while PostgreSQL restarted). Errors that are not an outage still raise."""
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            session.close()
        except DBAPIError as error:
            from directory.ops.outages import is_outage

            if not is_outage(error):
                raise
            session.invalidate()
            _log.warning(
                "database connection lost as a request's session closed (%s); discarded",
                type(error.orig or error).__name__,
            )


db = Database()
