"""Places: ORUK locations (``models``) and the offline UK gazetteer.

The gazetteer answers "where is this postcode / outcode / town?" with no network, from one
SQLite file built from the ONS Postcode Directory (see docs/gazetteer.md, "Building it"). Import the
look-up side from here; the builder (``directory.places.build``) pulls in numpy and is only
needed by ``make gazetteer`` / ``flask gazetteer build``.
"""

from directory.places.gazetteer import (
    Gazetteer,
    GazetteerError,
    GazetteerMissing,
    get_gazetteer,
)
from directory.places.paths import default_path
from directory.places.place import LocalAuthority, Place, Resolution, distance_km
from directory.places.postcodes import (
    is_outcode,
    is_postcode,
    normalise_outcode,
    normalise_postcode,
    outcode_of,
)

__all__ = [
    "Gazetteer",
    "GazetteerError",
    "GazetteerMissing",
    "LocalAuthority",
    "Place",
    "Resolution",
    "default_path",
    "distance_km",
    "get_gazetteer",
    "is_outcode",
    "is_postcode",
    "normalise_outcode",
    "normalise_postcode",
    "outcode_of",
]
