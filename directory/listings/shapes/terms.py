"""Source taxonomy terms: the categories a feed gives its listings, kept as they came.

A feed's own terms (ORUK 1.0 ``service_taxonomys``, ORUK 3.0 attributes in a taxonomy that is
not ours, Outpost ``taxonomies``, a spreadsheet's category column) say a great deal about a
listing that carries none of our need terms. They are stored, never thrown away, in a form
need inference reads (the contract, also in ``docs/import.md``):

* each vocabulary is a ``Taxonomy`` named as the source names it (``esdServiceTypes``,
  ``esdNeeds``, ``openActiveActivities``, ``outpost``, or the feed's own name);
* each term is a ``TaxonomyTerm`` of that taxonomy with ``term`` = the source's code or id,
  ``name`` = its label and ``term_uri`` when the source gives a web address;
* a listing is linked to it by an ``Attribute`` with ``link_type = "source_term"``.

Ids are derived from (vocabulary, code), so the same term from two feeds or two runs is one
row. ``source_term`` links are never our curated ``need``/``client_group`` links: search and
the facets ignore them until inference turns them into inferred needs.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from directory.listings import normalise as n
from directory.listings.records import JSON, derived_id

LINK_TYPE = "source_term"
#: Link types that are ours: kept as they are when an ORUK 3.0 feed carries them.
OUR_LINK_TYPES = frozenset({"need", "client_group", LINK_TYPE})
_NAME_LENGTH = 255


def taxonomy_id(vocabulary: str) -> str:
    return derived_id(f"source-vocabulary|{vocabulary}")


def term_id(vocabulary: str, code: str) -> str:
    return derived_id(f"source-term|{vocabulary}|{code}")


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or label.lower()


def _web(value: str | None) -> str | None:
    if value and urlsplit(value).scheme in ("http", "https"):
        return value
    return None


class SourceTerms:
    """Collects the vocabularies and terms of one import and links listings to them."""

    def __init__(self) -> None:
        self._taxonomies: dict[str, JSON] = {}
        self._terms: dict[str, JSON] = {}
        self._emitted: set[str] = set()

    def link(
        self,
        owner_id: str,
        vocabulary: Any,
        code: Any,
        label: Any = None,
        uri: Any = None,
        parent: tuple[Any, Any] | None = None,
    ) -> JSON | None:
        """The ``source_term`` attribute linking ``owner_id`` to (vocabulary, code); None when
        the source gives neither a code nor a label."""
        vocab = n.clean_text(vocabulary)
        label_text = n.clean_text(label)
        code_text = n.clean_text(code) or (slug(label_text) if label_text else None)
        if vocab is None or code_text is None:
            return None
        term = self._term(vocab, code_text, label_text, uri)
        if parent is not None:
            parent_code, parent_label = (n.clean_text(p) for p in parent)
            if parent_code or parent_label:
                above = self._term(vocab, parent_code or slug(parent_label or ""), parent_label)
                if above["id"] != term["id"]:
                    term["parent_id"] = above["id"]
        return {
            "id": derived_id(f"source-term-link|{owner_id}|{term['id']}"),
            "taxonomy_term_id": term["id"],
            "link_type": LINK_TYPE,
        }

    def _term(self, vocab: str, code: str, label: str | None, uri: Any = None) -> JSON:
        ident = term_id(vocab, code)
        term = self._terms.get(ident)
        if term is None:
            tax = self._taxonomies.setdefault(
                taxonomy_id(vocab),
                {
                    "id": taxonomy_id(vocab),
                    "name": vocab[:_NAME_LENGTH],
                    "description": f"Terms as the source feeds give them ({vocab}).",
                },
            )
            term = {
                "id": ident,
                "name": (label or code)[:_NAME_LENGTH],
                "term": code[:_NAME_LENGTH],
                "taxonomy": vocab[:_NAME_LENGTH],
                "taxonomy_id": tax["id"],
                "description": "",
            }
            web = _web(n.clean_text(uri)) or _web(code)
            if web:
                term["term_uri"] = web
            self._terms[ident] = term
        elif label and term["name"] == term["term"]:
            term["name"] = label[:_NAME_LENGTH]
        return term

    def records(self) -> list[tuple[str, JSON]]:
        """Taxonomy and term records not handed out yet (taxonomies first)."""
        out: list[tuple[str, JSON]] = []
        for kind, store in (("taxonomy", self._taxonomies), ("taxonomy_term", self._terms)):
            for ident, record in store.items():
                if ident not in self._emitted:
                    self._emitted.add(ident)
                    out.append((kind, dict(record)))
        return out
