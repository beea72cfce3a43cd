"""What counts as a *minor* edit: the one rule for what a trusted organisation may publish
without waiting for a moderator (``docs/register.md`` says it for organisations).

Minor means every difference from the live listing is in:

* contact details: the contacts and their phones, the listing's own email and web address;
* opening times: the schedules' days, times and words, as long as each session stays at the
  place it was at;
* the description, reworded a little: at least :data:`DESCRIPTION_SIMILARITY` of the words
  the same, in the same order.

Anything else is major and waits for a moderator: the name, the organisation, the place, who
it is for (ages, eligibility, client groups), needs, cost, how to get it, the area covered. A
record that cannot be compared is major.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from directory.inference import INFERRED_LINK_TYPES

JSON = dict[str, Any]
MINOR_FIELDS = frozenset({"contacts", "email", "url", "schedules", "description"})
#: Words kept, as a share of both versions (difflib ratio over words).
DESCRIPTION_SIMILARITY = 0.8
#: Keys that say where the listing stands rather than what it says: never compared.
_IGNORED = frozenset(
    {
        "last_modified",
        "assured_date",
        "x_listing_status",
        "x_possible_duplicates",
        "organization_id",
    }
)
_INFERRED = frozenset(INFERRED_LINK_TYPES.values())


def _normal(value: Any) -> Any:
    """Spelling that does not change meaning: whitespace, empty values, key order."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in sorted(value.items()) if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _comparable(record: JSON) -> JSON:
    out = {k: v for k, v in record.items() if k not in _IGNORED}
    out["attributes"] = [
        a for a in record.get("attributes") or [] if a.get("link_type") not in _INFERRED
    ]
    organization = record.get("organization") or {}
    out["organization"] = {
        k: organization.get(k) for k in ("id", "name", "description", "email", "website")
    }
    if not out["organization"]["id"]:
        out["organization"]["id"] = record.get("organization_id")
    return _normal(out)


def changed_fields(base: JSON, payload: JSON) -> set[str]:
    """Top-level keys whose values differ once spelling is set aside."""
    old, new = _comparable(base), _comparable(payload)
    return {k for k in set(old) | set(new) if old.get(k) != new.get(k)}


def _words(text: Any) -> list[str]:
    return re.findall(r"\w+", str(text or "").lower())


def small_rewording(old: Any, new: Any) -> bool:
    a, b = _words(old), _words(new)
    if not a or not b:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= DESCRIPTION_SIMILARITY


def _places_stay(base: JSON, payload: JSON) -> bool:
    """Every session is at one of the listing's own places (or at none)."""
    places = {s.get("id") for s in base.get("service_at_locations") or []} | {None}
    return all(s.get("service_at_location_id") in places for s in payload.get("schedules") or [])


def is_minor(base: JSON | None, payload: JSON) -> bool:
    """True when ``payload`` differs from the live ``base`` only in minor ways (and does
    differ: an edit that changes nothing is not published as one)."""
    if not base:
        return False
    try:
        changed = changed_fields(base, payload)
    except (TypeError, ValueError):
        return False
    if not changed or not changed <= MINOR_FIELDS:
        return False
    if "description" in changed and not small_rewording(
        base.get("description"), payload.get("description")
    ):
        return False
    return "schedules" not in changed or _places_stay(base, payload)
