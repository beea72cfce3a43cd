"""Turn one incoming record, however messy, into the canonical JSON described in ``records``.

The result keeps a key only when the file had it (an explicit null stays as None): the writer
needs to tell "not given" from "given as empty" for our own ``x_`` extension fields and for
nested lists, which replace what is stored only when present.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from directory.listings import normalise as n
from directory.listings.limits import cap_text, max_text
from directory.listings.phones import normalise_phone
from directory.listings.records import (
    CONVERTERS,
    ENTITIES,
    JSON,
    RecordError,
    canonical_id,
    derived_id,
)


@dataclass
class Issues:
    """Warnings about one top-level record (errors are raised as ``RecordError``)."""

    warnings: list[str] = field(default_factory=list)
    unknown_fields: set[str] = field(default_factory=set)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _key(key: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(key).strip().lstrip("\ufeff").lower())


def clean(
    entity_name: str,
    raw: Any,
    issues: Issues,
    where: str = "",
    fallback_id: str | None = None,
) -> JSON | None:
    """Canonical JSON for ``raw``; None (with a warning) for a nested item that cannot be used.

    ``fallback_id`` is None for a top-level record, whose faults raise ``RecordError``.
    """
    top = fallback_id is None
    entity = ENTITIES[entity_name]
    if not isinstance(raw, dict):
        if top:
            raise RecordError(f"is not an object but {type(raw).__name__}")
        issues.warn(f"{where.rstrip('.')}: not an object; left out")
        return None
    data = {_key(k): v for k, v in raw.items()}
    for alias, target in entity.aliases.items():
        if n.clean_text(data.get(target)) is None and alias in data:
            data[target] = data[alias]
    known = {*entity.fields, *entity.lists, *entity.objects, *entity.aliases}
    issues.unknown_fields.update(f"{entity_name}.{k}" for k in data if k not in known)

    out: JSON = {"id": _record_id(data.get("id"), issues, where, fallback_id)}
    for key, kind in entity.fields.items():
        if key == "id" or key not in data:
            continue
        if kind == "ref":
            out[key] = canonical_id(data[key])[0]
            continue
        if kind == "phone":
            continue
        try:
            out[key] = CONVERTERS[kind](data[key])
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            issues.warn(f"{where}{key}: {exc}; left out")
            continue
        limit = max_text()
        if kind == "text" and isinstance(out[key], str) and len(out[key]) > limit:
            issues.warn(f"{where}{key} is {len(out[key]):,} characters long; cut to {limit:,}")
            out[key] = cap_text(out[key], limit)[0]
    for key, default in entity.defaults.items():
        if out.get(key) in (None, ""):
            if entity_name == "service" and key == "status":
                issues.warn(f"{where}status missing; taken as 'active'")
            out[key] = default
    for key in entity.required:
        if not out.get(key):
            message = f"has no {key}"
            if top:
                raise RecordError(message)
            issues.warn(f"{where.rstrip('.')} {message}; left out")
            return None
    _special(entity_name, data, out, issues, where)
    _nested(entity_name, data, out, issues, where)
    return out


def _record_id(value: Any, issues: Issues, where: str, fallback_id: str | None) -> str:
    ident, derived = canonical_id(value)
    if ident is None:
        if fallback_id is None:
            raise RecordError("has no id")
        ident = derived_id(fallback_id)
        issues.warn(f"{where.rstrip('.')} has no id; given the stable id {ident}")
    elif derived:
        issues.warn(f"{where}id {value!r} is not a UUID; stored as {ident}")
    return ident


def _nested(entity_name: str, data: JSON, out: JSON, issues: Issues, where: str) -> None:
    entity = ENTITIES[entity_name]
    for key, child in entity.lists.items():
        if key not in data:
            continue
        items = data[key]
        if items is None:
            items = []
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            issues.warn(f"{where}{key}: not a list; left out")
            continue
        cleaned = (
            clean(child, item, issues, f"{where}{key}[{i}].", f"{out['id']}/{key}/{i}")
            for i, item in enumerate(items)
        )
        out[key] = _unique([c for c in cleaned if c is not None], issues, f"{where}{key}")
    for key, child in entity.objects.items():
        if key in data:
            value = data[key]
            out[key] = (
                None
                if value is None
                else clean(child, value, issues, f"{where}{key}.", f"{out['id']}/{key}")
            )
    if entity_name == "service" and "phones" in out:
        _service_phones_to_contact(out, issues, where)


def _unique(items: list[JSON], issues: Issues, where: str) -> list[JSON]:
    seen: dict[str, JSON] = {}
    for item in items:
        if item["id"] in seen:
            issues.warn(f"{where}: id {item['id']} appears twice; the first is kept")
            continue
        seen[item["id"]] = item
    return list(seen.values())


def _service_phones_to_contact(out: JSON, issues: Issues, where: str) -> None:
    """HSDS 3.0 lets a service hold phones directly; ours hang off a contact."""
    phones = out.pop("phones")
    if not phones:
        return
    contact = {"id": derived_id(f"{out['id']}/phones"), "phones": phones}
    out.setdefault("contacts", []).append(contact)
    issues.warn(f"{where}phones: moved to a contact of their own ({contact['id']})")


def _special(entity_name: str, data: JSON, out: JSON, issues: Issues, where: str) -> None:
    if entity_name == "phone":
        _phone(data, out, issues, where)
    elif entity_name == "schedule":
        _schedule_from_prose(out, issues, where)


def _phone(data: JSON, out: JSON, issues: Issues, where: str) -> None:
    original = n.clean_text(data.get("number"))
    parsed = normalise_phone(original)
    if parsed is None:
        out["number"] = ""
        if original:
            issues.warn(
                f"{where}number {original!r} is not a phone number we can read; "
                "kept in the description"
            )
            out["description"] = _join(out.get("description"), original)
        return
    out["number"] = parsed.number
    if parsed.extension and not out.get("extension"):
        out["extension"] = parsed.extension
    if parsed.note:
        out["description"] = _join(out.get("description"), parsed.note)


def _join(first: str | None, second: str) -> str:
    if not first:
        return second
    return first if second in first else f"{first} ({second})"


def _schedule_from_prose(out: JSON, issues: Issues, where: str) -> None:
    """Opening hours written only in the description ("Mon-Fri 9am-5pm") become fields."""
    text = " ".join(filter(None, (out.get("description"), out.get("notes"))))
    if not out.get("opens_at") and not out.get("closes_at"):
        hours = n.hours_in_text(text)
        if hours:
            out["opens_at"], out["closes_at"] = (t.strftime("%H:%M:%S") for t in hours)
            issues.warn(f"{where.rstrip('.')}: opening hours read from the description")
    if not out.get("byday") and out.get("opens_at"):
        monthly = n.monthly_day_in_text(text)
        if monthly and not out.get("freq"):
            out["byday"], out["freq"] = monthly, "MONTHLY"
        elif days := n.days_in_text(text):
            out["byday"] = days
    if out.get("byday") and not out.get("freq"):
        out["freq"] = "WEEKLY"
