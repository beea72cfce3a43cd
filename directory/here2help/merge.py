"""Running the import again: what a second run may change on a record the first one wrote.

A record imported before is matched by its reference. Its columns come in two kinds:

* **tracked** columns (dates, needs, status, outcome, the matched offer, an offer's radius,
  capacity and kind): the file's value is applied only when *the file* changed since the
  last run, which is remembered in ``extra["here2help"]`` (never personal data). So a request
  staff have since assigned, or an offer they approved, keeps what staff did while the old
  system's export still says "open";
* **personal** columns (name, phone, email, details, postcode and the coordinates derived
  from it): the file wins, since nothing remembers them apart from the record itself.

A record whose personal data was removed (``anonymised_at``) is never touched again, so a
re-run cannot bring back what the purge deleted.
"""

from __future__ import annotations

from typing import Any

LAST = "here2help"


def apply(
    record: Any,
    tracked: dict[str, tuple[Any, dict[str, Any]]],
    personal: dict[str, Any],
    *,
    new: bool,
) -> bool:
    """Set ``record``'s columns; True if anything changed.

    ``tracked`` maps a remembered key to ``(the file's value as remembered, {column: value
    to set})``; ``personal`` maps columns to values. A new record takes everything."""
    extra = dict(record.extra or {})
    last = dict(extra.get(LAST) or {})
    changed = False
    for key, (remembered, columns) in tracked.items():
        if not new and key in last and last[key] == remembered:
            continue
        for column, value in columns.items():
            if new or getattr(record, column) != value:
                setattr(record, column, value)
                changed = True
        if last.get(key) != remembered:
            changed = True
        last[key] = remembered
    for column, value in personal.items():
        if new or getattr(record, column) != value:
            setattr(record, column, value)
            changed = True
    if extra.get(LAST) != last:
        extra[LAST] = last
        record.extra = extra
    return changed
