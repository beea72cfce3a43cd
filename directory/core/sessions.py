"""Reading the session cookie defensively.

Why: the cookie is signed, so only someone with the secret key can forge one, but "only" is
not "never" (a leaked key, a key shared with a test deployment), and a cookie written by an
older version of the site has an older shape. Before this, a validly signed cookie whose
``_flashes`` was not a list, or whose values held lone surrogates (which cannot be encoded as
UTF-8 when a page shows them), made ten pages answer 500.

:class:`SafeSessionInterface` is Flask's signed-cookie session with a stricter reader:

* a cookie that verifies but does not decode (a tag with the wrong payload) is an empty
  session, like a cookie with a bad signature;
* every key the site itself reads has a shape (:data:`SESSION_KEYS`); a value of another
  shape is dropped;
* any other key is kept, unless it (or anything inside it) holds a string with a NUL, a lone
  surrogate or another character that cannot be encoded, or a type JSON does not have;
* when anything was dropped the cookie is written again without it.

A package that keeps something in the session adds its key's check to :data:`SESSION_KEYS`
(``SESSION_KEYS["my_key"] = is_str``) so a value of the wrong shape never reaches its code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

Check = Callable[[Any], bool]

#: Containers deeper than this are not something the site writes.
MAX_DEPTH = 8


def is_str(value: Any) -> bool:
    return isinstance(value, str)


def is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_flashes(value: Any) -> bool:
    """Flask's flashed messages: a list of (category, message) pairs of strings."""
    return isinstance(value, list) and all(
        isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(p, str) for p in item)
        for item in value
    )


def is_list(value: Any) -> bool:
    return isinstance(value, list)


def is_dict(value: Any) -> bool:
    return isinstance(value, dict)


#: The shape of every key the site reads. Flask's and Flask-Login's keys, Flask-WTF's CSRF
#: token, the sign-in keys (directory.accounts.session and views_public), my list (its reader
#: checks each entry itself), the rate-limit browser id (directory.ops.ratelimits), the ask-
#: for-help answers and sent reference (directory.help_requests.journey), the offer-help
#: draft token and sent reference (directory.help_offers), and until when a browser that
#: wrote reads the primary database (directory.db.PRIMARY_UNTIL).
SESSION_KEYS: dict[str, Check] = {
    "_flashes": is_flashes,
    "_permanent": is_bool,
    "_user_id": is_str,
    "_fresh": is_bool,
    "_id": is_str,
    "_remember": is_str,
    "_remember_seconds": is_number,
    "csrf_token": is_str,
    "signed_in_at": is_str,
    "pending_user": is_str,
    "pending_at": is_str,
    "sign_in_next": is_str,
    "mylist": is_list,
    "_rl": is_str,
    "ask_for_help": is_dict,
    "ask_for_help_sent": is_dict,
    "offer_help_draft": is_str,
    "offer_help_sent": is_dict,
    "_db_primary_until": is_number,
}


def encodable(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is plain JSON-like data whose strings are printable enough to show
    and encode: no NUL or other C0 control but tab and newlines, no lone surrogates."""
    if depth > MAX_DEPTH:
        return False
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, list | tuple):
        return all(encodable(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and _clean_str(key) and encodable(item, depth + 1)
            for key, item in value.items()
        )
    return False  # bytes, Markup, UUIDs, dates: the site never stores them in the cookie


def _clean_str(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text)


def acceptable(key: Any, value: Any) -> bool:
    """Whether the session may keep ``key`` with ``value``."""
    if not isinstance(key, str) or not _clean_str(key) or not encodable(value):
        return False
    check = SESSION_KEYS.get(key)
    return check is None or check(value)


class SafeSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, read defensively (see the module docstring)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except Exception:  # a bad signature, or a signed cookie whose content does not decode
            return self._replaced()
        if not isinstance(data, dict):
            return self._replaced()
        kept = {key: item for key, item in data.items() if acceptable(key, item)}
        session = self.session_class(kept)
        if len(kept) != len(data):
            session.modified = True  # write the cookie again, without what was dropped
        return session

    def _replaced(self) -> SecureCookieSession:
        """An empty session that replaces the unreadable cookie on the way out."""
        session = self.session_class()
        session.modified = True
        return session


def init_app(app: Flask) -> None:
    app.session_interface = SafeSessionInterface()
