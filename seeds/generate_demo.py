"""Write ``seeds/listings/demo.json``: about 300 demonstration services in two council areas.

Every record is fictional and marked (``x_demonstration: true``, descriptions ending with
"(Demonstration listing: not a real service.)"), but postcodes and coordinates are real so that
place search, distances and maps can be tried out. Each top-level need gets six services in each
council area, so at least five stay active after a few are closed, drafted or pending. The
output depends only on this code and the fixed seed, so running it again changes nothing:
``.venv/bin/python seeds/generate_demo.py [--output PATH]``.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from demo_catalogue import CATALOGUE, Template
from demo_services import IN_PERSON, Demo
from demo_sites import AREA_LIST, Area
from seedkit import JSON, SEEDS_DIR, top_level, write_json
from vocabulary import top_level_codes

SEED = 2026
SERVICES_PER_NEED = 6
MIN_ACTIVE = 5
HUB_DROP_IN = Template(
    needs=("information-advice", "digital-skills"),
    mode="hub",
    when="weekdays",
    names=("{town} Community Hub Drop-in",),
    text="Call in to the community hub for a chat and a cuppa, and help with anything from forms"
    " and phones to finding local groups and support. Staff and volunteers can book you in with"
    " the other services held at the hub.",
    hours=("09:30", "16:00"),
)
LETS_TALK = Template(
    needs=("housing-advice", "someone-to-talk-to", "money"),
    mode="lets_talk",
    when="weekly2",
    names=("Let's Talk {town}",),
    text="Come for an early conversation about housing, your mental wellbeing or money worries."
    " No appointment and no assessment are needed: drop in and talk to someone who can help you"
    " find the right support.",
    hours=("10:00", "13:00"),
)
#: (status, x_listing_status, alert) for a few services, so the site can show each state.
SPECIALS = (
    ("temporarily closed", "active", "This group is taking a break while the venue is repaired."),
    ("temporarily closed", "active", "Closed over the winter; it restarts in the spring."),
    ("temporarily closed", "active", "Paused while we recruit new volunteers."),
    ("temporarily closed", "active", "Closed for building work until further notice."),
    ("active", "draft", None),
    ("active", "draft", None),
    ("active", "draft", None),
    ("active", "pending", None),
    ("active", "pending", None),
    ("active", "pending", None),
    ("inactive", "closed", None),
)


def top_needs(service: JSON) -> set[str]:
    return {
        top_level(item["taxonomy_term"]["term"])
        for item in service["attributes"]
        if item["link_type"] == "need"
    }


def choose_templates(rng: random.Random, area: Area, need: str) -> list[Template]:
    """Six templates, every eligible one at least once; ``once`` templates only once."""
    pool = [tpl for tpl in CATALOGUE[need] if not tpl.areas or area.key in tpl.areas]
    rng.shuffle(pool)
    chosen = list(pool)
    repeatable = [tpl for tpl in pool if not tpl.once]
    while len(chosen) < SERVICES_PER_NEED:
        chosen.append(rng.choice(repeatable))
    return chosen[:SERVICES_PER_NEED]


def need_services(demo: Demo, area: Area) -> list[JSON]:
    out = []
    for need in top_level_codes():
        for n, template in enumerate(choose_templates(demo.rng, area, need)):
            town = demo.pick_town(area, hub_only=template.mode == "hub")
            in_person = template.mode in IN_PERSON
            if n < 2 or not in_person or demo.rng.random() < 0.55:
                org = demo.specialist(area, need, n if n < 2 else demo.rng.randrange(2))
            else:
                org = demo.generalist(area, town)
            out.append(demo.build(f"{area.key}/{need}/{n}", area, town, template, org, None))
    return out


def place_services(demo: Demo, area: Area) -> list[JSON]:
    """A drop-in at every community hub, and Let's Talk sessions where the area has them."""
    hubs_name = "Lantern Community Hubs" if area.key == "cwac" else "Compass Community Hubs"
    hubs = demo.fixed_org(
        f"{area.key}/hubs", hubs_name, f"Runs the community hubs across {area.name}."
    )
    out = []
    for town in area.towns:
        if town.hub:
            site = demo.sites.hub(area, town)
            key = f"{area.key}/hub/{town.name}"
            out.append(demo.build(key, area, town, HUB_DROP_IN, hubs, site))
        if town.lets_talk:
            connectors = demo.fixed_org(
                f"{area.key}/lets-talk",
                "Lantern Community Connectors",
                f"Runs Let's Talk drop-in sessions across {area.name}.",
            )
            site = demo.sites.lets_talk(area, town)
            key = f"{area.key}/lets-talk/{town.name}"
            out.append(demo.build(key, area, town, LETS_TALK, connectors, site))
    return out


def apply_specials(
    rng: random.Random, candidates: list[JSON], area_of: dict[str, str], services: list[JSON]
) -> None:
    """Close, draft or hold back a few of ``candidates`` without taking any need in any area
    below MIN_ACTIVE active services."""
    active = Counter((area_of[s["id"]], need) for s in services for need in top_needs(s))
    specials = list(SPECIALS)
    for service in rng.sample(candidates, len(candidates)):
        if not specials:
            break
        pairs = [(area_of[service["id"]], need) for need in top_needs(service)]
        if any(active[pair] - 1 < MIN_ACTIVE for pair in pairs):
            continue
        status, listing_status, alert = specials.pop(0)
        service["status"] = status
        service["x_listing_status"] = listing_status
        if alert:
            items = list(service.items())
            at = [key for key, _ in items].index("status") + 1
            service.clear()
            service.update([*items[:at], ("alert", alert), *items[at:]])
        for pair in pairs:
            active[pair] -= 1


def generate() -> list[JSON]:
    demo = Demo(random.Random(SEED))
    services: list[JSON] = []
    area_of: dict[str, str] = {}
    candidates: list[JSON] = []
    for area in AREA_LIST:
        by_need = need_services(demo, area)
        made = by_need + place_services(demo, area)
        area_of |= {s["id"]: area.key for s in made}
        candidates += by_need
        services += made
    apply_specials(demo.rng, candidates, area_of, services)
    return sorted(services, key=lambda s: (s["name"], s["id"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SEEDS_DIR / "listings" / "demo.json")
    write_json(generate(), parser.parse_args().output)


if __name__ == "__main__":
    main()
