"""Who made a change: a person signed in, a scheduled job or an import run.

Every write to the directory records an actor in the ORUK ``metadata`` log (``updated_by``), so
the history of a listing can say "approved by a moderator", "changed by the feed import" or
"confirmed from the reminder email". The actor travels on the SQLAlchemy session
(``session.info["actor"]``) because the change log is written by a flush hook that cannot see
the request; :func:`directory.core.uow.unit_of_work` sets it for one unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

#: The kinds of actor the log knows: each is stored as ``"<kind>:<id>"``.
KINDS = ("user", "system", "import", "public")


@dataclass(frozen=True)
class Actor:
    """``kind`` is one of :data:`KINDS`; ``id`` a user id, a job name or an import run id."""

    kind: str
    id: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}")
        if not self.id or ":" in self.kind:
            raise ValueError("an actor needs an id")

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, value: str | None) -> Actor:
        """Read an ``updated_by`` value back; older free-text values become system actors."""
        kind, sep, ident = (value or "").partition(":")
        if sep and kind in KINDS and ident:
            return cls(kind, ident)
        return cls("system", value or "system")

    @classmethod
    def user(cls, user_id: str) -> Actor:
        return cls("user", user_id)

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls("system", job)

    @classmethod
    def import_run(cls, run_id: str) -> Actor:
        return cls("import", run_id)


#: A change with nobody named: the log says "system:system".
SYSTEM = Actor("system", "system")
#: A member of the public using a one-click link (the reminder's "still correct").
PUBLIC_LINK = Actor("public", "link")


def set_actor(session: Session, actor: Actor) -> Actor | None:
    """Make ``actor`` the author of this session's changes; returns the previous one."""
    previous = session.info.get("actor")
    session.info["actor"] = actor
    return previous


def current_actor(session: Session) -> Actor:
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else SYSTEM


@contextmanager
def default_actor(session: Session, actor: Actor) -> Iterator[Actor]:
    """Name ``actor`` as the author of a block's changes unless the caller already named one.

    For jobs that may run on their own or inside someone's unit of work: an import started by
    a moderator's action keeps the moderator; the same import from cron is the import run.
    Yields the actor in force."""
    current = session.info.get("actor")
    if isinstance(current, Actor):
        yield current
        return
    session.info["actor"] = actor
    try:
        yield actor
    finally:
        if session.info.get("actor") is actor:
            session.info.pop("actor", None)
