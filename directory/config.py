"""Configuration read from environment variables, with defaults that are safe for a laptop.

The embedded default is SQLite plus a Whoosh index on disk, so a newcomer needs no server.
Production sets ``DATABASE_URL`` to PostgreSQL and a real ``SECRET_KEY``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise keep a random key in the instance folder.

    A key that changed on every start would log everyone out and break CSRF tokens across
    restarts, and a fixed default in the source would be a published secret.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key


#: Search index settings read from the environment when set (docs/index-operations.md,
#: "API and settings"); otherwise the index's own defaults apply.
SEARCH_SETTINGS: dict[str, Callable[[str], Any]] = {
    "SEARCH_SYNC_INTERVAL": float,
    "SEARCH_WRITE_LOCK_TIMEOUT": float,
    "SEARCH_GAP_TIMEOUT": float,
    "SEARCH_REINDEX_PROCS": int,
    "SEARCH_INDEX_LIMITMB": int,
    "SEARCH_SYNC_THREAD": _bool,
    "SEARCH_SEMANTIC": _bool,
}


def from_environment() -> dict[str, Any]:
    """Build the Flask config mapping from the process environment."""
    search = {
        key: read(os.environ[key]) for key, read in SEARCH_SETTINGS.items() if key in os.environ
    }
    return search | {
        "SECRET_KEY": _secret_key(),
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'directory.sqlite'}"
        ),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search_index")),
        "GAZETTEER_PATH": os.environ.get("GAZETTEER_PATH") or None,
        "SERVICE_NAME": os.environ.get("SERVICE_NAME", "Find help in your community"),
        "HOME_AREA_NAME": os.environ.get("HOME_AREA_NAME", "Cheshire West and Chester"),
        "HOME_AREA_CODE": os.environ.get("HOME_AREA_CODE", "E06000050"),
        "HOME_LATITUDE": float(os.environ.get("HOME_LATITUDE", "53.1905")),
        "HOME_LONGITUDE": float(os.environ.get("HOME_LONGITUDE", "-2.8919")),
        "ONLINE_GEOCODER": os.environ.get("ONLINE_GEOCODER", "") or None,
        "API_MAX_PER_PAGE": int(os.environ.get("API_MAX_PER_PAGE", "200")),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), False),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
    }
