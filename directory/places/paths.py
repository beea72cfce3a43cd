"""Where the gazetteer's inputs and its built file live (no heavy imports: the web app uses it)."""

from __future__ import annotations

import os
from pathlib import Path

#: Committed inputs (towns, authority names, licences) and the default place for the built file.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "gazetteer"


def default_path() -> Path:
    """``GAZETTEER_PATH`` if set, else ``seeds/gazetteer/gazetteer.sqlite`` in the project."""
    env = os.environ.get("GAZETTEER_PATH")
    return Path(env) if env else SEEDS_DIR / "gazetteer.sqlite"


def local_places_path() -> Path:
    """``LOCAL_PLACES_PATH`` if set, else the curated ``seeds/gazetteer/local_places.csv``."""
    env = os.environ.get("LOCAL_PLACES_PATH")
    return Path(env) if env else SEEDS_DIR / "local_places.csv"
