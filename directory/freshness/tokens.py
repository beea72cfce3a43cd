"""The one-click "still correct" link's token.

A token is ``{"r": <reminder id>, "n": <random secret>}`` signed with the app's ``SECRET_KEY``
(itsdangerous, with a salt of its own so no other signed value can be replayed here). The
signature rejects a tampered or made-up token before the database is asked; the database keeps
only a SHA-256 of the secret, so a copy of the database (a backup, a support export) holds no
working links. Single use and expiry live on the reminder row
(:class:`directory.freshness.models.FreshnessReminder`), where they can be checked and changed
in the same transaction as the confirmation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

SALT = "directory.freshness.confirm"
#: Longer than any token this module makes; longer input is refused unread.
MAX_TOKEN_LENGTH = 400


@dataclass(frozen=True)
class TokenParts:
    reminder_id: str
    secret: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def secret_hash(secret: str) -> str:
    """What the database keeps of a link's secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token(reminder_id: str) -> tuple[str, str]:
    """A token for ``reminder_id`` and the hash to store with the reminder."""
    secret = secrets.token_urlsafe(24)
    token = _serializer().dumps({"r": reminder_id, "n": secret})
    return token, secret_hash(secret)


def read_token(token: str) -> TokenParts | None:
    """The token's parts, or None when it is not one this site signed (tampered, cut short,
    made up, or signed with another key)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if not isinstance(data, dict):
        return None
    reminder_id, secret = data.get("r"), data.get("n")
    if not isinstance(reminder_id, str) or not isinstance(secret, str) or not secret:
        return None
    return TokenParts(reminder_id, secret)


def matches(stored_hash: str, secret: str) -> bool:
    """Whether ``secret`` is the one ``stored_hash`` was made from (constant time)."""
    return hmac.compare_digest(stored_hash, secret_hash(secret))
