"""Turning a catalogue template into one full demonstration service, with its organisation.

All randomness comes from the one ``random.Random`` the ``Demo`` holds, so a run is
reproducible. Phone numbers come from Ofcom's drama ranges (01632 960xxx, 07700 900xxx) and
email and web addresses are under example.org, so nothing can reach a real person.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

from demo_catalogue import EMBLEMS, GENERAL_NOUNS, ORG_NOUNS, Template
from demo_sites import Area, Sites, Town
from demo_when import DAY_NAMES, When, make_when
from seedkit import (
    AREAS,
    JSON,
    TERMS,
    contact,
    cost_option,
    organization,
    schedule,
    seed_id,
    service,
    service_area,
    service_at_location,
)

REFERENCE = date(2026, 11, 1)
DEMO_NOTE = "(Demonstration listing: not a real service.)"
ORG_NOTE = "(Demonstration listing: not a real organisation.)"
DATA_NOTE = (
    "Demonstration listing made by seeds/generate_demo.py: the organisation, venue, phone numbers"
    " (Ofcom drama ranges) and email addresses are fictional; the postcode is real."
)
MODES = {
    "venue": ["in_person"],
    "hub": ["in_person"],
    "lets_talk": ["in_person"],
    "helpline": ["phone"],
    "online": ["online"],
    "outreach": ["in_person", "phone"],
}
IN_PERSON = ("venue", "hub", "lets_talk")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def group_words(codes: tuple[str, ...]) -> str:
    names = [TERMS[c][0].name if c == "lgbtq-people" else TERMS[c][0].name.lower() for c in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def eligibility(template: Template, area_name: str) -> str:
    parts = []
    if template.groups:
        parts.append(f"For {group_words(template.groups)}.")
    if template.ages:
        low, high = template.ages
        parts.append(f"Aged {low} to {high}." if high else f"Aged {low} and over.")
    if template.mode not in IN_PERSON:
        parts.append(f"For people living in {area_name}.")
    return " ".join(parts) or "Anyone is welcome."


class Demo:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sites = Sites(rng)
        self.orgs: dict[str, JSON] = {}
        self.names_used: set[str] = set()
        self.emblems_used: Counter[str] = Counter({"Lantern": 3, "Compass": 3})
        self.numbers = 0

    # Organisations --------------------------------------------------------------------------

    def _org_json(self, key: str, name: str, description: str) -> JSON:
        handle = slug(name)
        return organization(
            seed_id("demo", "organization", key),
            name,
            f"{description} {ORG_NOTE}",
            demonstration=True,
            email=f"{handle}@example.org",
            website=f"https://example.org/{handle}",
        )

    def _org(self, key: str, noun: str, description: str) -> JSON:
        if key not in self.orgs:
            taken = {org["name"] for org in self.orgs.values()}
            while True:
                emblem = self.rng.choice(EMBLEMS)
                if self.emblems_used[emblem] < 3 and f"{emblem} {noun}" not in taken:
                    break
            self.emblems_used[emblem] += 1
            self.orgs[key] = self._org_json(key, f"{emblem} {noun}", description)
        return self.orgs[key]

    def specialist(self, area: Area, need: str, which: int) -> JSON:
        label = TERMS[need][0].name.lower()
        return self._org(
            f"{area.key}/{need}/{which}",
            ORG_NOUNS[need][which],
            f"A charity helping people across {area.name} with {label}.",
        )

    def generalist(self, area: Area, town: Town) -> JSON:
        noun = GENERAL_NOUNS[sum(map(ord, town.name)) % len(GENERAL_NOUNS)]
        return self._org(
            f"{area.key}/{town.name}",
            noun,
            f"A volunteer-run community group in {town.name} offering activities and support.",
        )

    def fixed_org(self, key: str, name: str, description: str) -> JSON:
        if key not in self.orgs:
            self.orgs[key] = self._org_json(key, name, description)
        return self.orgs[key]

    # Small choices --------------------------------------------------------------------------

    def phone_number(self, mobile: bool = False) -> str:
        self.numbers += 1
        if self.numbers > 999:
            raise RuntimeError("ran out of Ofcom drama numbers")
        return f"07700 900{self.numbers:03d}" if mobile else f"01632 960{self.numbers:03d}"

    def pick_town(self, area: Area, hub_only: bool = False) -> Town:
        towns = [t for t in area.towns if t.hub or not hub_only]
        return self.rng.choices(towns, weights=[t.weight for t in towns])[0]

    def pick_name(self, template: Template, fill: dict[str, str]) -> str:
        names = [n for n in template.names if "{day}" not in n or fill["day"]]
        options = [n.format(**fill) for n in names]
        fresh = [n for n in options if n not in self.names_used]
        if not fresh:
            placed = [n if fill["town"] in n else f"{fill['town']} {n}" for n in options]
            fresh = [n for n in placed if n not in self.names_used]
        number = 2
        while not fresh:
            fresh = [f"{n} {number}" for n in options if f"{n} {number}" not in self.names_used]
            number += 1
        name = self.rng.choice(fresh)
        self.names_used.add(name)
        return name

    def dates(self) -> tuple[str | None, str]:
        """assured_date and last_modified: most checked within the year, about 15% longer ago,
        a few never."""
        roll = self.rng.random()
        if roll < 0.05:
            assured, modified = None, REFERENCE - timedelta(days=self.rng.randint(30, 700))
        else:
            age = self.rng.randint(370, 900) if roll < 0.20 else self.rng.randint(3, 360)
            assured = REFERENCE - timedelta(days=age)
            modified = assured + timedelta(days=self.rng.randint(0, min(age - 1, 20)))
        hour, minute = self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45))
        stamp = f"{modified.isoformat()}T{hour:02d}:{minute:02d}:00.000Z"
        return (assured.isoformat() if assured else None), stamp

    def how_to_reach(
        self, service_id: str, template: Template, url: str, email: str
    ) -> tuple[list[JSON], str]:
        """Contacts and the plain-English application process for the service's mode."""
        mode = template.mode
        if mode in IN_PERSON:
            number = self.phone_number(mobile=self.rng.random() < 0.4)
            contacts = [contact(service_id, "Organiser", email=email, phones=[(number, "Call")])]
            if template.referral == "either":
                first_visit = f"Call {number} to arrange a first visit, or ask a professional"
                return contacts, f"{first_visit} to refer you."
            return contacts, "Just turn up: no need to book." + (
                " Pay on the day." if template.cost else ""
            )
        if mode == "helpline":
            number, text_line = self.phone_number(), self.phone_number(mobile=True)
            phones = [(number, "Helpline"), (text_line, "Text us")]
            contacts = [contact(service_id, "Helpline", email=email, phones=phones)]
            return contacts, f"Call {number}, or text {text_line} and we will call you back."
        if mode == "online":
            return [contact(service_id, "Enquiries", email=email)], f"Sign up at {url}."
        number = self.phone_number()
        contacts = [contact(service_id, "Referrals", email=email, phones=[(number, "Office")])]
        if template.referral == "either":
            return contacts, f"Call {number} or email {email}, or ask a professional to refer you."
        return contacts, f"Call {number} or email {email} to refer yourself."

    # The service ----------------------------------------------------------------------------

    def build(
        self, key: str, area: Area, town: Town, template: Template, org: JSON, site: JSON | None
    ) -> JSON:
        """One full ORUK service from ``template`` in ``town``; ``site`` overrides the venue."""
        service_id = seed_id("demo", "service", key)
        mode = template.mode
        start = REFERENCE - timedelta(days=self.rng.randint(60, 900))
        when: When | None = None
        if template.when != "none":
            when = make_when(self.rng, template.when, start, template.hours)
        byday = when.fields.get("byday", "") if when else ""
        weekly_one_day = when is not None and when.fields["freq"] == "WEEKLY" and len(byday) == 2
        district = AREAS[town.laua]
        fill = {"town": town.name, "area": area.name, "district": district}
        fill["day"] = DAY_NAMES[byday] if weekly_one_day else ""
        name = self.pick_name(template, fill)

        if site is None and mode == "hub":
            site = self.sites.hub(area, town)
        elif site is None and mode == "venue":
            site = self.sites.venue(area, town, template.venue)
        elif site is None and mode == "online" and self.rng.random() < 0.6:
            site = self.sites.virtual(service_id)
        sals = [service_at_location(service_id, site)] if site else []

        handle = slug(org["name"])
        url = f"https://example.org/{handle}/{slug(name)}"
        contacts, apply = self.how_to_reach(service_id, template, url, f"{handle}@example.org")
        if template.referral == "referral_needed":
            apply = "A professional such as your GP or social worker needs to refer you."
        area_code = town.laua if mode in (*IN_PERSON, "outreach") else area.code
        words = when.words if when else ""
        where = {
            "helpline": f"Lines are open {words}.",
            "online": f"Runs online {words}." if words else "Available online at any time.",
            "outreach": f"Works across {AREAS[area_code]}, {words}.",
        }.get(mode, f"Runs {words} at {site['name'] if site else town.name}.")

        modes = MODES[mode]
        if mode in ("venue", "hub") and self.rng.random() < 0.1:
            modes = [*modes, "online"]
        option = ("Free", 0, "No charge")
        if template.cost:
            option = template.cost
        schedules = []
        if when:
            sal_id = sals[0]["id"] if sals else None
            schedules = [schedule(service_id, "main", service_at_location_id=sal_id, **when.fields)]
        assured, modified = self.dates()
        extra: dict[str, Any] = {}
        if template.ages:
            extra["minimum_age"], extra["maximum_age"] = template.ages
        return service(
            service_id,
            org,
            name,
            " ".join((template.text, where, DEMO_NOTE)),
            demonstration=True,
            needs=list(template.needs),
            client_groups=list(template.groups),
            delivery_modes=modes,
            referral=template.referral,
            last_modified=modified,
            alternate_name=template.alt,
            url=url if mode == "online" or self.rng.random() < 0.5 else None,
            fees=template.cost[2] if template.cost else None,
            assured_date=assured,
            assurer_email="directory-team@example.org" if assured else None,
            schedules=schedules,
            service_areas=[service_area(service_id, area_code)],
            service_at_locations=sals,
            cost_options=[cost_option(service_id, *option)],
            contacts=contacts,
            application_process=template.apply or apply,
            eligibility_description=eligibility(template, AREAS[area_code]),
            x_data_notes=DATA_NOTE,
            **extra,
        )
