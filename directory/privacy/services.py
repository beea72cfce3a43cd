"""Privacy services (issue 13 scope 6): the personal data access log, the purge of closed
requests, and a person's right of access and erasure.

Plain functions, callable without a request; none commits (the caller's unit of work does).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from directory.privacy.models import PersonalDataAccess

#: What staff did with a person's record; the log viewer names these.
ACTIONS = ("view", "export", "delete", "contact", "find", "edit")


def log_access(
    session: Session,
    user_id: str | None,
    record_type: str,
    record_id: str,
    action: str = "view",
) -> PersonalDataAccess:
    """Record that ``user_id`` saw (or exported, deleted, contacted) a person's record.

    Call it wherever staff are shown a requester's or a volunteer's personal data: the log is
    how the council answers "who has seen my details?". Only ids are stored, never the data.
    ``record_type`` is ``help_request`` or ``help_offer``. Added to the session; the caller's
    unit of work commits it with the rest of the request.
    """
    row = PersonalDataAccess(
        user_id=user_id,
        record_type=record_type[:32],
        record_id=str(record_id)[:36],
        action=action[:32],
    )
    session.add(row)
    return row
