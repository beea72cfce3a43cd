"""Drafts of /offer-help: the answers so far, on the server, found by a token in the cookie.

Why not the session cookie itself: it is signed but readable by anyone holding it, and My
list keeps up to 30 services there within the browser's 4 KB. Why not the URL: personal
data never goes in URLs. So the cookie carries a random token and the answers stay here,
under the token's SHA-256 (a leaked database copy cannot resume anyone's draft).

Drafts hold personal data of people who may never send their offer, so they do not linger:
sending deletes the draft, and every draft untouched for :data:`DRAFT_HOURS` is deleted the
next time anyone starts one (and by ``flask --app wsgi offers purge-drafts`` from cron).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.help_offers.models import HelpOfferDraft

#: How long an untouched draft is kept.
DRAFT_HOURS = 24
#: The session key holding the draft's token (the only thing the cookie holds for it).
SESSION_KEY = "offer_help_draft"
_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def load(session: Session, token: object, now: datetime | None = None) -> HelpOfferDraft | None:
    """The draft for ``token``, or None (no such draft, expired, or not a token at all)."""
    if not isinstance(token, str) or len(token) != _TOKEN_LENGTH:
        return None
    draft = session.get(HelpOfferDraft, _key(token))
    if draft is None:
        return None
    if draft.updated_at < (now or utcnow()) - timedelta(hours=DRAFT_HOURS):
        return None
    return draft


def start(session: Session, now: datetime | None = None) -> tuple[str, HelpOfferDraft]:
    """A new, empty draft and its token; expired drafts are deleted on the way."""
    purge_expired(session, now)
    token = secrets.token_urlsafe(32)
    moment = now or utcnow()
    draft = HelpOfferDraft(id=_key(token), created_at=moment, updated_at=moment, answers={})
    session.add(draft)
    return token, draft


def update(draft: HelpOfferDraft, changes: dict[str, Any], drop: tuple[str, ...] = ()) -> None:
    """Merge ``changes`` into the draft's answers (a new dict, so the JSON column is saved)
    and remove the keys in ``drop``."""
    answers = {k: v for k, v in (draft.answers or {}).items() if k not in drop}
    answers.update(changes)
    draft.answers = answers
    draft.updated_at = utcnow()


def discard(session: Session, draft: HelpOfferDraft | None) -> None:
    if draft is not None:
        session.delete(draft)


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete every draft untouched for :data:`DRAFT_HOURS`; returns how many went."""
    cutoff = (now or utcnow()) - timedelta(hours=DRAFT_HOURS)
    result = session.execute(
        delete(HelpOfferDraft)
        .where(HelpOfferDraft.updated_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
