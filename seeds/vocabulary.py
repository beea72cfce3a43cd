"""The needs and client-group vocabulary, read from ``vocabulary.toml``.

``build_taxonomy.py`` turns it into ``taxonomy.json``; ``build_brief.py`` and
``generate_demo.py`` look terms up by code, so listings and taxonomy cannot disagree. The words
themselves live in the TOML file because they are edited far more often than the code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().with_name("vocabulary.toml")
NEEDS_TAXONOMY = ("community-needs", "Community needs")
GROUPS_TAXONOMY = ("client-groups", "Client groups")


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    description: str
    synonyms: tuple[str, ...]
    phrases: tuple[str, ...]
    children: tuple[Term, ...] = ()


def _term(item: dict) -> Term:
    return Term(
        code=item["code"],
        name=item["name"],
        description=item["description"],
        synonyms=tuple(item.get("synonyms", ())),
        phrases=tuple(item.get("phrases", ())),
        children=tuple(_term(child) for child in item.get("children", ())),
    )


_DATA = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
NEEDS: tuple[Term, ...] = tuple(_term(item) for item in _DATA["need"])
CLIENT_GROUPS: tuple[Term, ...] = tuple(_term(item) for item in _DATA["client_group"])


def walk(terms: tuple[Term, ...], parent: Term | None = None) -> Iterator[tuple[Term, Term | None]]:
    """Each term with its parent, parents before children, in file order."""
    for item in terms:
        yield item, parent
        yield from walk(item.children, item)


def top_level_codes() -> list[str]:
    return [need.code for need in NEEDS]
