"""Installing a session listener once per target, without ``sqlalchemy.event.contains``.

Why not ``event.contains``: SQLAlchemy's event registry keys a listener by ``id(target)``,
and for a ``sessionmaker`` that key outlives the factory (the listener lives on the Session
class's shared dispatch, so nothing removes the key when the factory is garbage collected).
A new factory that happens to be allocated at a dead one's address then "contains" every
listener the dead one had, and ``if not contains: listen`` installs nothing: its sessions
write without change tracking, geocoding, text cleaning or index sync. Long test runs, which
make thousands of apps, hit it now and then (a commit with no change-log rows). The mark here
is kept on the target object itself, so it dies with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

_MARK = "_directory_listeners"


def listen_once(target: Any, name: str, fn: Callable[..., Any], **kwargs: Any) -> None:
    """``event.listen(target, name, fn, **kwargs)`` unless this very target already has it."""
    done: set[tuple[str, Any]] | None = vars(target).get(_MARK)
    if done is None:
        done = set()
        setattr(target, _MARK, done)
    if (name, fn) in done:
        return
    event.listen(target, name, fn, **kwargs)
    done.add((name, fn))
