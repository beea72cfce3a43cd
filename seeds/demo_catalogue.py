"""The demonstration service templates, read from ``demo_catalogue.toml``.

The templates are prose more than code (names and descriptions in the words residents search
with), so they live in a TOML file that is easy to edit; this module turns them into
``Template`` objects grouped by top-level need and checks the codes they use.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from demo_when import DEFAULT_HOURS
from seedkit import TERMS, top_level

CATALOGUE_FILE = Path(__file__).resolve().with_name("demo_catalogue.toml")
MODES = ("venue", "hub", "lets_talk", "helpline", "online", "outreach")
REFERRALS = ("self_referral", "referral_needed", "either")


@dataclass(frozen=True)
class Template:
    needs: tuple[str, ...]
    mode: str
    when: str
    names: tuple[str, ...]
    text: str
    groups: tuple[str, ...] = ()
    ages: tuple[int, int | None] | None = None
    cost: tuple[str, float, str] | None = None
    referral: str = "self_referral"
    apply: str | None = None
    hours: tuple[str, str] | None = None
    areas: tuple[str, ...] = ()
    once: bool = False
    venue: str | None = None
    alt: str | None = None

    def __post_init__(self) -> None:
        unknown = [c for c in (*self.needs, *self.groups) if c not in TERMS]
        if unknown or self.mode not in MODES or self.referral not in REFERRALS:
            raise ValueError(f"bad template {self.names[0]!r}: {unknown or self.mode}")
        if self.when != "none" and self.when not in DEFAULT_HOURS:
            raise ValueError(f"bad schedule kind {self.when!r} in {self.names[0]!r}")
        if not any("{day}" not in name for name in self.names):
            raise ValueError(f"{self.names[0]!r} needs a name that does not use {{day}}")


def _template(item: dict) -> Template:
    ages = None
    if "min_age" in item or "max_age" in item:
        ages = (item.get("min_age", 0), item.get("max_age"))
    cost = item.get("cost")
    hours = item.get("hours")
    return Template(
        needs=tuple(item["needs"]),
        mode=item["mode"],
        when=item["when"],
        names=tuple(item["names"]),
        text=item["text"],
        groups=tuple(item.get("groups", ())),
        ages=ages,
        cost=(str(cost[0]), float(cost[1]), str(cost[2])) if cost else None,
        referral=item.get("referral", "self_referral"),
        apply=item.get("apply"),
        hours=(str(hours[0]), str(hours[1])) if hours else None,
        areas=tuple(item.get("areas", ())),
        once=item.get("once", False),
        venue=item.get("venue"),
        alt=item.get("alt"),
    )


def _load() -> tuple[dict[str, tuple[Template, ...]], dict, dict]:
    data = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    catalogue: dict[str, list[Template]] = {}
    for item in data["template"]:
        template = _template(item)
        if item["need"] not in {top_level(code) for code in template.needs}:
            raise ValueError(f"{template.names[0]!r} is not tagged with {item['need']!r}")
        catalogue.setdefault(item["need"], []).append(template)
    return {k: tuple(v) for k, v in catalogue.items()}, data["org_nouns"], data["names"]


_CATALOGUE, _NOUNS, _NAMES = _load()
CATALOGUE: dict[str, tuple[Template, ...]] = _CATALOGUE
ORG_NOUNS: dict[str, list[str]] = _NOUNS
GENERAL_NOUNS: tuple[str, ...] = tuple(_NAMES["general"])
EMBLEMS: tuple[str, ...] = tuple(_NAMES["emblems"])
