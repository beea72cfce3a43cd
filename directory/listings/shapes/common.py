"""What converting a feed of another shape needs: ids, source terms, dropped-field tallies.

Converters turn a foreign record into the ORUK 3.0 service object our importer already cleans,
checks and writes, so every shape gets the same validation and the same idempotent writer.
They never raise on odd values: cleaning reports those. What a shape holds that ORUK 3.0 has no
place for is tallied once per field name for the import summary, not once per record.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from directory.core.ids import normalise_uuid
from directory.listings import normalise as n
from directory.listings.records import JSON, derived_id
from directory.listings.shapes.terms import SourceTerms


def text(value: Any) -> str | None:
    """Clean text, or None; numbers become text ("12"), lists and objects None."""
    return n.clean_text(value)


def _key(key: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(key).strip().lower())


def lower_keys(raw: Any) -> dict[str, Any]:
    """Keys in lower case with spaces and hyphens as underscores ("Service_taxonomys" and
    "service taxonomys" are the same key), as .NET and Java serialisers vary them. Anything
    that is not an object has no keys."""
    if not isinstance(raw, dict):
        return {}
    return {_key(k): v for k, v in raw.items()}


def key_names(raw: Any) -> dict[str, str]:
    """Our key -> the name the feed used, so the summary quotes ``pc_targetAudience``."""
    return {_key(k): str(k) for k in raw} if isinstance(raw, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The objects of a list (one object alone counts as a list of one); anything else none."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [lower_keys(v) for v in value if isinstance(v, dict)]


def present(value: Any) -> bool:
    """Whether a value carries anything worth reporting as left out."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


@dataclass
class Converted:
    """One record ready for the importer, and what converting it had to say about it."""

    record_type: str
    record: Any
    warnings: list[str] = field(default_factory=list)
    #: Why the record could not be converted at all (reported as the record's error).
    error: str | None = None


@dataclass
class Context:
    """State shared by every record of one import (across all pages of a paged feed)."""

    #: Feed identity: non-UUID ids are made into UUIDs within it, so two councils' "12" differ.
    namespace: str
    #: What to call the feed's own vocabulary (a spreadsheet's category column).
    source_name: str
    terms: SourceTerms = field(default_factory=SourceTerms)
    #: shape -> "entity.field" -> how many records carried it.
    dropped: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    shapes: Counter[str] = field(default_factory=Counter)
    derived_ids: Counter[str] = field(default_factory=Counter)
    #: Other things worth one line in the summary: "N <fact>".
    facts: Counter[str] = field(default_factory=Counter)

    def ident(self, shape: str, kind: str, value: Any) -> str | None:
        """A UUID as given, or one derived from (feed, kind, id): stable across re-imports."""
        raw = text(value)
        if raw is None:
            return None
        found = normalise_uuid(raw.strip("{}"))
        if found:
            return found
        self.derived_ids[shape] += 1
        return derived_id(f"{self.namespace}|{kind}|{raw}")

    def child_id(self, parent_id: str, key: str, index: int) -> str:
        return derived_id(f"{parent_id}/{key}/{index}")

    def drop(
        self,
        shape: str,
        entity: str,
        data: dict[str, Any],
        used: Iterable[str],
        names: dict[str, str] | None = None,
    ) -> None:
        """Tally the keys of ``data`` that carried a value but were not used."""
        keep = set(used)
        for key, value in data.items():
            if key not in keep and present(value):
                self.dropped[shape][f"{entity}.{(names or {}).get(key, key)}"] += 1

    def notes(self) -> list[str]:
        out = []
        for shape, count in sorted(self.shapes.items()):
            out.append(f"{count} record(s) read as {shape} and converted to ORUK 3.0")
        for shape, count in sorted(self.derived_ids.items()):
            out.append(
                f"{shape}: {count} id(s) were not UUIDs; each was given a stable UUID made "
                "from the feed and the id, so a re-import finds the same listing"
            )
        out.extend(f"{count} {fact}" for fact, count in sorted(self.facts.items()))
        for shape, fields in sorted(self.dropped.items()):
            listed = ", ".join(f"{name} ({fields[name]})" for name in sorted(fields))
            out.append(f"{shape} fields with no place in ORUK 3.0 were left out: {listed}")
        return out


def address(data: dict[str, Any], ident: str) -> JSON | None:
    """An ORUK 3.0 address from the flat fields most shapes use; None when it is empty."""
    parts = {
        "id": ident,
        "address_1": _strip(data.get("address_1") or data.get("address")),
        "address_2": _strip(data.get("address_2")),
        "city": _strip(data.get("city") or data.get("town")),
        "state_province": _strip(data.get("state_province") or data.get("county")),
        "postal_code": _strip(data.get("postal_code") or data.get("postcode")),
        "country": _strip(data.get("country")),
    }
    if not any(v for k, v in parts.items() if k not in ("id", "country")):
        return None
    return {k: v for k, v in parts.items() if v is not None}


def _strip(value: Any) -> str | None:
    found = text(value)
    if found is None:
        return None
    found = found.strip(" ,;")
    return re.sub(r"\s*,\s*(?:,\s*)+", ", ", found) or None


def coordinates(lat: Any, lon: Any) -> tuple[Any, Any] | None:
    """Coordinates as given, except the 0,0 many systems write for "not known"."""
    try:
        if lat is None or lon is None or (float(lat) == 0 and float(lon) == 0):
            return None
    except (TypeError, ValueError):
        return lat, lon  # cleaning reports a value that is not a number
    return lat, lon


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def weekday_byday(value: Any) -> str | None:
    """BYDAY from a ``weekday`` of "Monday", "mon", "MO" or 1-7 (ISO: 1 is Monday)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(float(value))
        return _WEEKDAYS[(number - 1) % 7] if 0 <= number <= 7 else None
    try:
        return n.normalise_byday(value)
    except ValueError:
        return None


_PHONE_SPLIT = re.compile(r"\s+/\s+|\s*/\s*(?=0|\+)|\s*;\s*|\s+or\s+|\s*,\s*", re.I)


def split_phones(value: Any) -> list[str]:
    """ "01244 123456 / 07700 900123" as two numbers; left whole unless every part holds a
    number (so "0800 123 456, option 2" stays one)."""
    found = text(value)
    if found is None:
        return []
    parts = [p for p in _PHONE_SPLIT.split(found) if p.strip()]
    if len(parts) > 1 and all(len(re.sub(r"\D", "", p)) >= 6 for p in parts):
        return parts
    return [found]
