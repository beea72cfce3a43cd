"""Where the gazetteer's inputs and its built file live (no heavy imports: the web app uses it).

The configured paths (``GAZETTEER_PATH``, ``LOCAL_PLACES_PATH``) come from the running app's
config (:mod:`directory.config`); outside an app, the files in ``seeds/gazetteer``.
"""

from __future__ import annotations

from pathlib import Path

#: Committed inputs (towns, authority names, licences) and the default place for the built file.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "gazetteer"


def configured(key: str) -> str | None:
    """A path setting of the running app, or None outside an app or when it is unset."""
    from flask import current_app, has_app_context

    return (current_app.config.get(key) or None) if has_app_context() else None


def default_path() -> Path:
    """``GAZETTEER_PATH`` if set, else ``seeds/gazetteer/gazetteer.sqlite`` in the project."""
    path = configured("GAZETTEER_PATH")
    return Path(path) if path else SEEDS_DIR / "gazetteer.sqlite"


def local_places_path() -> Path:
    """``LOCAL_PLACES_PATH`` if set, else the curated ``seeds/gazetteer/local_places.csv``."""
    path = configured("LOCAL_PLACES_PATH")
    return Path(path) if path else SEEDS_DIR / "local_places.csv"
