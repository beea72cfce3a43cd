"""Write ``seeds/listings/brief.json`` from ``brief.toml``: the real organisations and services
the product brief names.

Only the facts the brief gives are recorded (``brief.toml`` holds them, one place to audit).
Where the brief names no street, a place sits at the centre of its town from the gazetteer and
its description says the position is approximate. The hubs the brief names are stored as
community hubs (``x_kind``), so they are on the hub lists like any other.
Run: ``.venv/bin/python seeds/build_brief.py``.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from seedkit import (
    AREAS,
    JSON,
    SEEDS_DIR,
    TERMS,
    address,
    contact,
    location,
    organization,
    schedule,
    seed_id,
    service,
    service_area,
    service_at_location,
    write_json,
)
from seedplaces import town_centre

BRIEF_FILE = SEEDS_DIR / "brief.toml"
LAST_MODIFIED = "2026-11-01T09:00:00.000Z"
#: A point inside each county, to choose between towns of the same name (two Nestons).
NEAR = {"Cheshire": (53.19, -2.89), "Worcestershire": (52.19, -2.22)}
#: The kinds of place a location can be (its x_kind); the brief's hubs are community hubs.
KINDS = frozenset({"venue", "community_hub", "lets_talk", "virtual"})
#: Towns whose GeoNames name differs from the everyday one.
GAZETTEER_NAMES = {"Ellesmere Port": "Ellesmere Port Town"}


def place_json(item: dict) -> JSON:
    """A named place with no street address or postcode, mapped at the centre of its town."""
    town, county = item["town"], item["county"]
    lat, lon = town_centre(GAZETTEER_NAMES.get(town, town), NEAR[county])
    location_id = seed_id("brief", "location", item["key"])
    post_town = item.get("post_town")
    city, line_2 = (post_town, town) if post_town else (town, None)
    kind = item.get("kind", "venue")
    if kind not in KINDS:
        raise ValueError(f"{item['key']}: kind {kind!r} is not one of {sorted(KINDS)}")
    position = f"The map position is approximate: it marks the centre of {town}."
    return location(
        location_id,
        item["name"],
        kind,
        description=" ".join(filter(None, (item.get("about"), position))),
        latitude=lat,
        longitude=lon,
        addresses=[address(location_id, item["name"], city, county, "", line_2=line_2)],
    )


def service_json(item: dict, orgs: dict[str, JSON], places: dict[str, JSON]) -> JSON:
    service_id = seed_id("brief", "service", item["key"])
    unknown = [c for c in item["needs"] + item.get("client_groups", []) if c not in TERMS]
    unknown += [code for code in item.get("areas", []) if code not in AREAS]
    if unknown:
        raise ValueError(f"{item['key']}: unknown codes {unknown}")
    phones = [tuple(pair) for pair in item.get("phones", [])]
    return service(
        service_id,
        orgs[item["organization"]],
        item["name"],
        item["description"],
        demonstration=False,
        needs=item["needs"],
        client_groups=item.get("client_groups", []),
        delivery_modes=item["delivery_modes"],
        referral=item.get("referral"),
        last_modified=LAST_MODIFIED,
        application_process=item.get("application_process"),
        eligibility_description=item.get("eligibility_description"),
        service_at_locations=[
            service_at_location(service_id, places[key]) for key in item.get("places", [])
        ],
        service_areas=[service_area(service_id, code) for code in item.get("areas", [])],
        contacts=[contact(service_id, "Helpline", phones=phones)] if phones else [],
        schedules=[
            schedule(service_id, f"hours-{i}", freq="WEEKLY", interval=1, **hours)
            for i, hours in enumerate(item.get("hours", []))
        ],
        x_data_notes=item["data_notes"],
    )


def build(path: Path = BRIEF_FILE) -> list[JSON]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    orgs = {
        item["key"]: organization(
            seed_id("brief", "organization", item["key"]),
            item["name"],
            item["description"],
            demonstration=False,
        )
        for item in data["organization"]
    }
    places = {item["key"]: place_json(item) for item in data["place"]}
    services = [service_json(item, orgs, places) for item in data["service"]]
    return sorted(services, key=lambda s: (s["name"], s["id"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SEEDS_DIR / "listings" / "brief.json")
    write_json(build(), parser.parse_args().output)


if __name__ == "__main__":
    main()
