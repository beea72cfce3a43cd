"""Folding place names so that lookups ignore case, accents and punctuation.

"Ynys Môn", "ynys mon" and "YNYS-MON" must all find the same place, and so must "St. Helens"
and "st helens". The same function is used when the gazetteer file is built and when it is
queried, so the two sides always agree.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile("['\u2018\u2019`\u00b4]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold_name(text: str) -> str:
    """Fold a place name to its lookup key: lower case, no accents, single spaces.

    Apostrophes vanish ("Bishop's" -> "bishops"), "&" becomes "and", and any other run of
    punctuation or spaces becomes one space. Non-Latin letters are dropped, which is fine for
    British place names.
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKD", text[:200])
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    return _NOT_WORD.sub(" ", text).strip()


# GeoNames calls some places by a longer name than people type.
_DROPPABLE_SUFFIXES = (" town", " garden city")
_EXTRA_ALIASES = {"kingston upon hull": ("hull",)}


def alias_keys(folded: str) -> tuple[str, ...]:
    """Other keys a folded town name should also be found by.

    "ellesmere port town" -> "ellesmere port", "welwyn garden city" -> "welwyn",
    "kingston upon hull" -> "hull". The gazetteer only uses an alias when no place is really
    called that.
    """
    keys = [folded[: -len(s)] for s in _DROPPABLE_SUFFIXES if folded.endswith(s)]
    keys.extend(_EXTRA_ALIASES.get(folded, ()))
    return tuple(k for k in keys if k)
