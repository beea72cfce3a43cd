"""Control characters never reach the database: one flush-time cleaner for every text column.

Why: PostgreSQL refuses a NUL in text (``psycopg.DataError``: "PostgreSQL text fields cannot
contain NUL (0x00) bytes") and in JSON, so a NUL typed into the public report form answered
500 on PostgreSQL while SQLite stored it. Other C0 controls are stored but break the emails,
CSV exports and pages they are shown in. Forms could each strip them, but one forgotten form
is enough; so the session does it once, before every flush, for every mapped ``String`` or
``Text`` column (enums included) and every ``JSON`` column (its strings, keys too, however
deep), on new and changed rows alike.

What goes: C0 control characters except tab, line feed and carriage return; DEL; lone
surrogates (they cannot be encoded). Nothing else changes, so ordinary text (accents,
emoji, right-to-left scripts) is stored exactly as typed.

Installed first by :mod:`directory.listeners` on the app's session factory, so the change
log and the search index see the cleaned text. Bulk ``update()``/``insert()`` statements do
not pass through a flush: code that writes free text that way cleans it with
:func:`clean_text` itself.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sqlalchemy import JSON, String, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from directory.core.events import listen_once

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: How deep a JSON value is cleaned; deeper parts are stored as they are.
MAX_DEPTH = 32


def clean_text(value: str) -> str:
    """``value`` without control characters (but tab and line breaks) and lone surrogates.
    Returns the very same object when there was nothing to remove."""
    if _UNWANTED.search(value) is None:
        return value
    return _UNWANTED.sub("", value)


def clean_json(value: Any, depth: int = 0) -> Any:
    """A JSON value with :func:`clean_text` applied to every string and key; the same object
    when nothing changed."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        items = [clean_json(item, depth + 1) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        pairs = [
            (clean_json(key, depth + 1), clean_json(item, depth + 1)) for key, item in value.items()
        ]
        unchanged = all(
            k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)
        )
        return value if unchanged else dict(pairs)
    return value


def _kind(column_type: TypeEngine[Any]) -> str | None:
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, String):
        return "text"
    return None


@cache
def _text_attributes(mapper: Mapper[Any]) -> tuple[tuple[str, str], ...]:
    """(attribute key, "text" or "json") for each column attribute of ``mapper`` worth
    cleaning; computed once per mapped class."""
    found = []
    for prop in mapper.column_attrs:
        kinds = {_kind(column.type) for column in prop.columns}
        kind = "json" if "json" in kinds else "text" if "text" in kinds else None
        if kind is not None:
            found.append((prop.key, kind))
    return tuple(found)


def clean_instance(instance: Any, keys: Any = None) -> None:
    """Clean the loaded text attributes of one mapped object (only ``keys`` when given), in
    place. Attributes not loaded are not touched (and not loaded)."""
    state = inspect(instance)
    loaded = state.dict
    texts: list[tuple[str, str]] = []
    for key, kind in _text_attributes(state.mapper):
        if key not in loaded or (keys is not None and key not in keys):
            continue
        value = loaded[key]
        if kind == "text":
            if isinstance(value, str):
                texts.append((key, value))
        elif value is not None:
            cleaned = clean_json(value)
            if cleaned is not value:
                setattr(instance, key, cleaned)
    # One search over all the object's text: almost always nothing to do.
    if texts and _UNWANTED.search("".join(value for _key, value in texts)) is not None:
        for key, value in texts:
            cleaned_text = clean_text(value)
            if cleaned_text is not value:
                setattr(instance, key, cleaned_text)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for instance in session.new:
        clean_instance(instance)
    for instance in session.dirty:  # only what changed since it was loaded
        changed = inspect(instance).committed_state
        if changed:
            clean_instance(instance, changed)


def install(target: Any) -> None:
    """Clean text before every flush of ``target``'s sessions (a ``sessionmaker`` or a
    ``Session`` class). Safe to call twice."""
    listen_once(target, "before_flush", _before_flush)
