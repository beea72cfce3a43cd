"""Write ``seeds/taxonomy.json`` from ``vocabulary.toml`` (read by ``vocabulary.py``).

Run: ``.venv/bin/python seeds/build_taxonomy.py`` (``--output PATH`` to write elsewhere).
Term ids are UUID 5 of the term code, so they never change between runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from seedkit import JSON, SEEDS_DIR, taxonomy_id, term_id, write_json
from vocabulary import CLIENT_GROUPS, GROUPS_TAXONOMY, NEEDS, NEEDS_TAXONOMY, Term, walk

DESCRIPTIONS = {
    NEEDS_TAXONOMY[0]: (
        "What people need help with, in plain English, for residents and link workers. Top-level"
        " needs have more specific needs beneath them."
    ),
    GROUPS_TAXONOMY[0]: "Who a service is for. A flat list.",
}


def taxonomy_json(code: str, name: str, terms: tuple[Term, ...]) -> JSON:
    """A taxonomy with its terms (``terms``; our importer also reads the ORUK name
    ``taxonomy_terms``)."""
    items = [
        {
            "id": term_id(item.code),
            "name": item.name,
            "description": item.description,
            "parent_id": term_id(parent.code) if parent else None,
            "taxonomy_id": taxonomy_id(code),
            "term": item.code,
            "x_synonyms": list(item.synonyms),
            "x_phrases": list(item.phrases),
        }
        for item, parent in walk(terms)
    ]
    return {
        "id": taxonomy_id(code),
        "name": name,
        "description": DESCRIPTIONS[code],
        "version": "1",
        "terms": items,
    }


def build() -> JSON:
    return {
        "taxonomies": [
            taxonomy_json(*NEEDS_TAXONOMY, NEEDS),
            taxonomy_json(*GROUPS_TAXONOMY, CLIENT_GROUPS),
        ]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SEEDS_DIR / "taxonomy.json")
    args = parser.parse_args()
    write_json(build(), args.output)


if __name__ == "__main__":
    main()
