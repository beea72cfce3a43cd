"""What the matcher hands back, and the score parts offers and listings share.

Each part is between 0 and 1; the weights that turn them into a score out of 100 are in
:mod:`directory.matching.weights`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from directory.matching import weights
from directory.matching.where import Spot


@dataclass(frozen=True)
class Candidate:
    """One offer or listing for a request. ``score`` is 0 to 100; ``parts`` the five parts
    (0 to 1) it is made of; ``reasons`` say why, in the order staff read them."""

    kind: str  # "offer" or "listing"
    id: str  # the offer's or the service's id
    name: str
    detail: str  # the organisation, or "Volunteer"
    score: int
    parts: dict[str, float]
    reasons: tuple[str, ...]
    distance_km: float | None = None
    reference: str | None = None  # an offer's reference

    @property
    def key(self) -> str:
        """What the outcome form sends for this candidate: "offer:<id>" or "listing:<id>"."""
        return f"{self.kind}:{self.id}"


@dataclass
class Ranking:
    """The candidates and anything staff should know about how they were found."""

    candidates: list[Candidate] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def place_part(distance: float | None, by_area: bool, spot: Spot | None) -> float:
    """Near is better (half at ``DISTANCE_HALF_KM``); covering the area without a distance
    scores ``AREA_PLACE``; with no place to compare, everyone scores ``UNKNOWN_PLACE``."""
    if spot is None:
        return weights.UNKNOWN_PLACE
    if distance is not None:
        return 1.0 / (1.0 + distance / weights.DISTANCE_HALF_KM)
    return weights.AREA_PLACE if by_area else 0.0


def freshness_part(day: date | None, today: date) -> float:
    """Full until ``FRESH_DAYS``, then down in a straight line to 0 at ``FRESHNESS_ZERO_DAYS``;
    never checked is 0."""
    if day is None:
        return 0.0
    age = (today - day).days
    if age <= weights.FRESH_DAYS:
        return 1.0
    span = weights.FRESHNESS_ZERO_DAYS - weights.FRESH_DAYS
    return max(0.0, 1.0 - (age - weights.FRESH_DAYS) / span)


def score(parts: dict[str, float]) -> int:
    """The weighted parts as a whole number out of 100."""
    return round(weights.weighted(parts) * 100)
