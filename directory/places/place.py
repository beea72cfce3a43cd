"""The values the gazetteer hands out: places, local authorities and resolutions.

They are frozen dataclasses so they can be cached, shared between threads and compared in
tests without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PlaceKind = Literal["postcode", "outcode", "town"]

_COUNTRY_PARTS = {"E": "ENG", "W": "WLS", "S": "SCT", "N": "NIR"}


@dataclass(frozen=True)
class Place:
    """A point people can search around: a postcode, an outcode or a town.

    ``name`` is the display form ("CH1 1AA", "CH1", "Chester"). ``la_code`` is the ONS code of
    the lower-tier local authority it lies in (for a town: that of its nearest postcode; None
    when unknown). ``country_part`` is ENG, WLS, SCT or NIR.
    """

    kind: PlaceKind
    name: str
    latitude: float
    longitude: float
    la_code: str | None = None
    country_part: str | None = None

    @property
    def point(self) -> tuple[float, float]:
        """``(latitude, longitude)``, the form :func:`distance_km` and geopy take."""
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class LocalAuthority:
    """A lower-tier local authority and the upper tier (county or itself) it belongs to."""

    code: str
    name: str
    upper_tier_code: str
    upper_tier_name: str

    @property
    def codes(self) -> set[str]:
        """Both tiers' codes: a service area given as either contains this authority."""
        return {self.code, self.upper_tier_code}


@dataclass(frozen=True)
class Resolution:
    """What free text typed into a search box turned out to be.

    ``place`` is the best match (None if nothing matched), ``alternatives`` other places the
    person may have meant (same-named towns, or spelling suggestions), ``message`` a sentence to
    show them when the result is not simply what they typed (None otherwise), and ``kind`` what
    ``place`` is: "postcode", "outcode", "town" or None.
    """

    place: Place | None
    alternatives: list[Place] = field(default_factory=list)
    message: str | None = None
    kind: PlaceKind | None = None

    @property
    def found(self) -> bool:
        return self.place is not None


def country_part_of(la_code: str | None) -> str | None:
    """ENG/WLS/SCT/NIR from the first letter of an ONS authority code."""
    return _COUNTRY_PARTS.get(la_code[:1]) if la_code else None


def _as_point(value: Place | tuple[float, float]) -> tuple[float, float]:
    if isinstance(value, Place):
        return value.point
    lat, lon = value
    return (float(lat), float(lon))


def distance_km(a: Place | tuple[float, float], b: Place | tuple[float, float]) -> float:
    """Geodesic (WGS84 ellipsoid) distance in kilometres between two places or points.

    geopy is imported here rather than at module level because it takes about 0.2 s to import
    and most requests never need a distance.
    """
    from geopy.distance import geodesic

    return float(geodesic(_as_point(a), _as_point(b)).km)
