"""UUID identifiers as the ORUK standard wants them: lowercase, hyphenated strings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

UUID_LENGTH = 36


def new_id() -> str:
    """A fresh random UUID in the canonical text form."""
    return str(uuid.uuid4())


def normalise_uuid(value: object) -> str | None:
    """Return ``value`` as a canonical UUID string, or None when it is not a UUID.

    Identifiers arrive from imports and URLs in upper case, without hyphens or with braces;
    storing one form keeps "re-import changes nothing" true.
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def utcnow() -> datetime:
    """Timezone-aware now, so timestamps compare the same on SQLite and PostgreSQL."""
    return datetime.now(UTC)
