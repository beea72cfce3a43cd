"""``x_possible_duplicates`` on the full service JSON: open flags, for API consumers and staff.

Only flags whose other listing is public are shown, so the public API never names a draft;
staff see every flag with ``flask --app wsgi duplicates list``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.listings.models import Service
from directory.listings.visibility import public_clause

#: After this many services in one session (an export, a page of full services), load the ids
#: with open flags once instead of asking about each service.
_PER_SERVICE_QUERIES = 20
_INFO_KEY = "duplicates.flagged_ids"


def forget_flagged_ids(session: Session) -> None:
    """Drop the session's cached set of flagged ids (flags were just written)."""
    session.info.pop(_INFO_KEY, None)
    session.info.pop(_INFO_KEY + ".calls", None)


def _flagged_ids(session: Session) -> set[str] | None:
    """Every service with an open flag once the session has asked often, else None."""
    if _INFO_KEY in session.info:
        return session.info[_INFO_KEY]
    calls = session.info.get(_INFO_KEY + ".calls", 0) + 1
    session.info[_INFO_KEY + ".calls"] = calls
    if calls <= _PER_SERVICE_QUERIES:
        return None
    is_open = DuplicateFlag.status == FlagStatus.OPEN
    found = set(session.scalars(select(DuplicateFlag.service_a_id).where(is_open)))
    found |= set(session.scalars(select(DuplicateFlag.service_b_id).where(is_open)))
    session.info[_INFO_KEY] = found
    return found


def possible_duplicates_json(service: Service) -> list[dict[str, Any]]:
    """``[{"id", "strength", "reasons"}]`` for the open flags on ``service``, likely first.

    Reads through the session the service came from; a service built in memory has none.
    """
    session = object_session(service)
    if session is None or service.id is None:
        return []
    flagged = _flagged_ids(session)
    if flagged is not None and service.id not in flagged:
        return []
    flags = list(
        session.scalars(
            select(DuplicateFlag).where(
                DuplicateFlag.status == FlagStatus.OPEN,
                or_(
                    DuplicateFlag.service_a_id == service.id,
                    DuplicateFlag.service_b_id == service.id,
                ),
            )
        )
    )
    if not flags:
        return []
    others = {f.other(service.id) for f in flags}
    public = set(session.scalars(select(Service.id).where(Service.id.in_(others), public_clause())))
    flags = sorted(
        (f for f in flags if f.other(service.id) in public),
        key=lambda f: (f.strength != Strength.LIKELY, -f.score, f.other(service.id)),
    )
    return [
        {"id": f.other(service.id), "strength": f.strength.value, "reasons": list(f.reasons)}
        for f in flags
    ]
