"""The two demonstration council areas, their towns, and the venues the demo services meet at.

Venues are fictional ("Demo Community Centre, High Street") but each has a real postcode of the
right local authority near the town centre, with coordinates converted from the ONSPD grid
reference, so distance search and maps behave as they will with real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from seedkit import JSON, address, location, seed_id
from seedplaces import Postcode, pick_postcode, postcodes_in, town_centre

PLACE_NOTE = "Demonstration location: not a real venue."
STREETS = (
    "High Street",
    "Church Street",
    "Market Street",
    "Station Road",
    "Park Road",
    "Mill Lane",
    "Chapel Street",
    "Queen Street",
    "Victoria Road",
    "London Road",
)
VENUE_TYPES = (
    "Demo Community Centre",
    "Demo Library",
    "Demo Church Hall",
    "Demo Sports Centre",
    "Demo Memorial Hall",
    "Demo Family Centre",
    "Demo Health Centre",
)
ACCESS_NOTES = (
    "Step-free access and an accessible toilet.",
    "Hearing loop at reception.",
    "Free parking next to the building, including disabled bays.",
    "On a bus route; the stop is outside.",
    "Upstairs with a lift.",
)


@dataclass(frozen=True)
class Town:
    name: str
    laua: str
    weight: int
    hub: bool = False
    lets_talk: bool = False
    gazetteer: str | None = None
    post_town: str | None = None


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    code: str
    county: str
    near: tuple[float, float]
    towns: tuple[Town, ...]


CWAC = "E06000050"
AREA_LIST = (
    Area(
        "cwac",
        "Cheshire West and Chester",
        CWAC,
        "Cheshire",
        (53.19, -2.89),
        (
            Town("Chester", CWAC, 10, hub=True, lets_talk=True),
            Town(
                "Ellesmere Port", CWAC, 8, hub=True, lets_talk=True, gazetteer="Ellesmere Port Town"
            ),
            Town("Northwich", CWAC, 8, hub=True, lets_talk=True),
            Town("Winsford", CWAC, 6, hub=True, lets_talk=True),
            Town("Blacon", CWAC, 3, lets_talk=True, post_town="Chester"),
            Town("Frodsham", CWAC, 3, lets_talk=True),
            Town("Neston", CWAC, 3, lets_talk=True),
            Town("Helsby", CWAC, 1),
            Town("Tarporley", CWAC, 1),
            Town("Malpas", CWAC, 1),
            Town("Kelsall", CWAC, 1),
            Town("Weaverham", CWAC, 1),
        ),
    ),
    Area(
        "worcs",
        "Worcestershire",
        "E10000034",
        "Worcestershire",
        (52.19, -2.22),
        (
            Town("Worcester", "E07000237", 10, hub=True),
            Town("Redditch", "E07000236", 7, hub=True),
            Town("Kidderminster", "E07000239", 7, hub=True),
            Town("Bromsgrove", "E07000234", 5, hub=True),
            Town("Malvern", "E07000235", 5, hub=True, gazetteer="Great Malvern"),
            Town("Evesham", "E07000238", 5, hub=True),
            Town("Droitwich Spa", "E07000238", 4, gazetteer="Droitwich"),
            Town("Stourport-on-Severn", "E07000239", 3),
            Town("Bewdley", "E07000239", 2),
            Town("Pershore", "E07000238", 2),
            Town("Hagley", "E07000234", 1),
            Town("Alvechurch", "E07000234", 1),
            Town("Tenbury Wells", "E07000235", 1),
            Town("Upton upon Severn", "E07000235", 1),
            Town("Broadway", "E07000238", 1),
        ),
    ),
)
LAUAS = frozenset(town.laua for area in AREA_LIST for town in area.towns)
POSTCODE_LETTERS = "BCDGHSW"


class Sites:
    """Creates each venue once and hands the same location to every service that meets there."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = postcodes_in(LAUAS, POSTCODE_LETTERS)
        self.used: set[str] = set()
        self.by_key: dict[str, JSON] = {}
        self.venues: dict[str, list[JSON]] = {}

    def _create(self, area: Area, town: Town, kind: str, venue_type: str, name: str) -> JSON:
        centre = town_centre(town.gazetteer or town.name, area.near)
        postcode: Postcode = pick_postcode(self.rng, self.pool, town.laua, centre, self.used)
        location_id = seed_id("demo", "location", area.key, town.name, kind, venue_type)
        street = self.rng.choice(STREETS)
        city, line_2 = (town.post_town, town.name) if town.post_town else (town.name, None)
        notes = self.rng.sample(ACCESS_NOTES, self.rng.choice((0, 1, 1, 2)))
        descriptions = {
            "community_hub": "A community hub with advice, activities and groups under one roof.",
            "lets_talk": "A Let's Talk zone: drop in for an early conversation, no assessment.",
        }
        description = f"{descriptions.get(kind, 'A venue for community groups.')} {PLACE_NOTE}"
        return location(
            location_id,
            name,
            kind,
            description=description,
            latitude=postcode.latitude,
            longitude=postcode.longitude,
            addresses=[
                address(
                    location_id,
                    f"{venue_type}, {street}",
                    city,
                    area.county,
                    postcode.code,
                    line_2=line_2,
                )
            ],
            accessibility=notes,
        )

    def _get(self, area: Area, town: Town, kind: str, venue_type: str, name: str) -> JSON:
        key = f"{area.key}/{town.name}/{kind}/{venue_type}"
        if key not in self.by_key:
            self.by_key[key] = self._create(area, town, kind, venue_type, name)
            if kind == "venue":
                self.venues.setdefault(f"{area.key}/{town.name}", []).append(self.by_key[key])
        return self.by_key[key]

    def hub(self, area: Area, town: Town) -> JSON:
        return self._get(
            area, town, "community_hub", "Demo Community Hub", f"{town.name} Community Hub"
        )

    def lets_talk(self, area: Area, town: Town) -> JSON:
        return self._get(area, town, "lets_talk", "Demo Library", f"{town.name} Let's Talk Zone")

    def virtual(self, service_id: str) -> JSON:
        """Each online service has its own virtual location (its video-call room)."""
        return location(
            seed_id("demo", "location", "virtual", service_id),
            "Online (video call)",
            "virtual",
            description="Sessions run by video call: you get a link when you sign up.",
        )

    def venue(self, area: Area, town: Town, venue_type: str | None = None) -> JSON:
        """A named venue type, or an existing venue in town half the time, else a new one."""
        existing = self.venues.get(f"{area.key}/{town.name}", [])
        if venue_type is None:
            if existing and self.rng.random() < 0.5:
                return self.rng.choice(existing)
            taken = {loc["name"] for loc in existing}
            free = [v for v in VENUE_TYPES if f"{town.name} {v}" not in taken]
            venue_type = self.rng.choice(free or list(VENUE_TYPES))
        return self._get(area, town, "venue", venue_type, f"{town.name} {venue_type}")
