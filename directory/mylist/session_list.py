"""The list itself: service ids, the name each had when added, and a note, kept in the signed
session cookie.

Keeping it in the cookie means there is no account and nothing about the person on the server;
the list is gone when the browser is closed or the list is cleared. The price is size: a
cookie holds about 4 KB, so notes are short and every change is measured before it is kept.
The cookie is signed (it cannot be altered) but not encrypted, which is why it lives only on
the person's own device and is never logged.

Stored as ``[[service_id, name, note], ...]`` in the order the services were added. Anything
malformed (an old format, a hand-edited cookie) is dropped on read rather than trusted.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from directory.core.ids import normalise_uuid

SESSION_KEY = "mylist"
#: Characters in one note: enough for "Ask for Sam on reception, say Jo from the surgery sent
#: you", short enough that a full list of notes still fits in the cookie.
NOTE_MAX_LENGTH = 200
#: A name is kept only to say which service is "no longer listed" if it is withdrawn.
NAME_MAX_LENGTH = 120
#: Bytes the signed session may take: browsers refuse cookies over 4096 bytes including the
#: name and attributes, and the session also carries the CSRF token.
COOKIE_BUDGET = 3800

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Item:
    service_id: str
    name: str
    note: str


class Added(enum.Enum):
    ADDED = "added"
    ALREADY = "already"
    FULL = "full"
    TOO_BIG = "too_big"


def clean_note(text: str | None) -> str:
    """A note as plain text: Unicode normalised, control and direction-override characters
    removed, runs of spaces and blank lines squeezed, ends trimmed. Markup is not removed: the
    note is always shown escaped, so "<b>" reads as typed."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _read(raw: Any) -> list[Item]:
    found: list[Item] = []
    seen: set[str] = set()
    if not isinstance(raw, list):
        return found
    for entry in raw:
        if not (isinstance(entry, list) and len(entry) == 3):
            continue
        service_id = normalise_uuid(entry[0])
        name, note = entry[1], entry[2]
        if service_id is None or service_id in seen:
            continue
        if not isinstance(name, str) or not isinstance(note, str):
            continue
        seen.add(service_id)
        found.append(Item(service_id, name[:NAME_MAX_LENGTH], note[:NOTE_MAX_LENGTH]))
    return found


class MyList:
    """The list in one session. ``measure`` returns the size of the session as it would be
    sent; a change that would not fit is undone."""

    def __init__(
        self,
        session: MutableMapping[str, Any],
        *,
        max_items: int = 30,
        measure: Callable[[Mapping[str, Any]], int] | None = None,
    ) -> None:
        self.session = session
        self.max_items = max_items
        self.measure = measure

    @property
    def items(self) -> list[Item]:
        return _read(self.session.get(SESSION_KEY))

    def __len__(self) -> int:
        return len(self.items)

    @property
    def service_ids(self) -> list[str]:
        return [item.service_id for item in self.items]

    def get(self, service_id: str) -> Item | None:
        wanted = normalise_uuid(service_id)
        return next((item for item in self.items if item.service_id == wanted), None)

    def add(self, service_id: str, name: str) -> Added:
        items = self.items
        if any(item.service_id == service_id for item in items):
            return Added.ALREADY
        if len(items) >= self.max_items:
            return Added.FULL
        items.append(Item(service_id, name[:NAME_MAX_LENGTH], ""))
        return Added.ADDED if self._keep(items) else Added.TOO_BIG

    def remove(self, service_id: str) -> Item | None:
        items = self.items
        gone = next((item for item in items if item.service_id == service_id), None)
        if gone is not None:
            self._store([item for item in items if item is not gone])
        return gone

    def set_note(self, service_id: str, note: str) -> bool:
        """Save a cleaned note; False when it would not fit in the cookie (nothing changes)."""
        note = clean_note(note)[:NOTE_MAX_LENGTH]
        items = [
            Item(item.service_id, item.name, note) if item.service_id == service_id else item
            for item in self.items
        ]
        return self._keep(items)

    def add_many(self, entries: list[tuple[str, str]]) -> int:
        """Add (id, name) pairs not already there, up to the cap; how many were added."""
        added = 0
        for service_id, name in entries:
            if self.add(service_id, name) is Added.ADDED:
                added += 1
        return added

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    def _store(self, items: list[Item]) -> None:
        if items:
            self.session[SESSION_KEY] = [[i.service_id, i.name, i.note] for i in items]
        else:
            self.session.pop(SESSION_KEY, None)

    def _keep(self, items: list[Item]) -> bool:
        before = self.session.get(SESSION_KEY)
        self._store(items)
        if self.measure is None or self.measure(self.session) <= COOKIE_BUDGET:
            return True
        if before is None:
            self.session.pop(SESSION_KEY, None)
        else:
            self.session[SESSION_KEY] = before
        return False
