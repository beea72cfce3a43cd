"""Facet counts from the (document, value) tables (``search_index.facet_counts``) against a
plain count: a popcount of ``scope & term_bits(field, value)`` per value, the way they were
counted before, over random sets of documents of every size and random filtered searches,
on the benchmark's seeded synthetic directory (400 services: every need, group and area
shape the generator makes)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.synthetic import build_directory
from directory.db import db
from search_index import SearchRequest
from search_index.documents import build_memory_index
from search_index.engine import build_context, select_documents, view_for
from search_index.facet_counts import Scope, facet_table, value_bits, value_counts, value_ids
from search_index.facets import build_facets
from search_index.schema import NATIONAL
from tests.search_index.conftest import app_in

TUESDAY_11AM = datetime(2025, 11, 25, 11, 0)
WORDS = ("food", "debt", "advice", "lunch", "club", "help", "money", "carers", "", "")
PLACES = ("", "", "CH1 2HJ", "Chester", "Crewe", "Leeds", "Manchester")


@pytest.fixture(scope="module")
def world(migrated_sqlite_template: Path, tmp_path_factory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("facets")
    app = app_in(folder, migrated_sqlite_template)
    build_directory(f"sqlite:///{folder / 'db.sqlite'}", 400, 20251118)
    with app.app_context():
        searcher = build_memory_index(db.session).searcher()
        yield SimpleNamespace(searcher=searcher, context=build_context(db.session, app=app))
        searcher.close()
    app.extensions["database"].engine.dispose()


def plain_counts(view, bits: int, field: str) -> dict[str, int]:
    """The reference: one intersection and popcount per value."""
    found = {v: (bits & view.term_bits(field, v)).bit_count() for v in view.field_values(field)}
    return {v: n for v, n in found.items() if n}


def random_subset(rng: random.Random, ids: list[int], share: float) -> int:
    bits = 0
    for doc in ids:
        if rng.random() < share:
            bits |= 1 << doc
    return bits


@pytest.mark.parametrize("share", [0.01, 0.05, 0.3, 0.9, 1.0])
def test_both_ways_of_counting_give_the_plain_counts(world, share):
    view = view_for(world.searcher)
    ids = view.to_ids(view.live)
    assert len(ids) > 400  # a directory with something to count
    rng = random.Random(f"facets:{share}")
    for _ in range(25):
        bits = random_subset(rng, ids, share)
        scope = Scope(view, bits)
        for field in ("need", "group", "area", "mode", "age_band"):
            table = facet_table(view, field)
            expected = plain_counts(view, bits, field)
            for gather in (True, False, None):
                counted = value_counts(table, scope, gather)
                got = {v: int(n) for v, n in zip(table.values, counted, strict=True) if n}
                assert got == expected, (field, gather)


def reference_facets(view, vocab, base, filters, request, now, gazetteer) -> dict:
    """Facets counted the plain way, for the counts and the order of the areas."""
    everything = base
    for bits in filters.values():
        everything &= bits
    out = {}
    for name, field in (("need", "need"), ("client_group", "group"), ("area", "area")):
        scope = everything
        if name in filters:
            scope = base
            for other, bits in filters.items():
                if other != name:
                    scope &= bits
        out[name] = plain_counts(view, scope, field)
    out["area"].pop(NATIONAL, None)
    return out


def random_request(rng: random.Random, view) -> SearchRequest:
    needs = view.field_values("need")
    groups = view.field_values("group")
    areas = [a for a in view.field_values("area") if a != NATIONAL]
    return SearchRequest(
        text=" ".join(rng.sample(WORDS, rng.randint(0, 2))).strip(),
        place=rng.choice(PLACES),
        need_ids=tuple(rng.sample(needs, rng.randint(0, 2))) if rng.random() < 0.5 else (),
        client_group_ids=tuple(rng.sample(groups, 1)) if rng.random() < 0.3 else (),
        area_codes=tuple(rng.sample(areas, 1)) if areas and rng.random() < 0.3 else (),
        free_only=rng.random() < 0.2,
        age=rng.choice([None, None, 8, 70]),
        now=TUESDAY_11AM,
    )


def test_facets_of_random_searches_match_a_plain_count(world):
    rng = random.Random("facet searches")
    view = view_for(world.searcher)
    sizes = set()
    for _ in range(120):
        request = random_request(rng, view)
        chosen = select_documents(world.searcher, request, world.context)
        args = (view, world.context.vocabulary, chosen.base, chosen.filters, request, chosen.now)
        facets = build_facets(*args, world.context.gazetteer)
        expected = reference_facets(*args, world.context.gazetteer)
        sizes.add(chosen.final.bit_count())
        for name in ("need", "client_group", "area"):
            counted = {v.key: v.count for v in facets[name] if v.count}
            assert counted == expected[name], (name, request)
        areas = facets["area"]
        assert [(-v.count, v.label) for v in areas] == sorted((-v.count, v.label) for v in areas)
    assert min(sizes) < 5 < max(sizes)  # small and large match sets were both tried


def test_a_values_documents_from_the_facet_table_are_its_posting_list(world):
    """Place searches take an area's documents from the area table (``value_ids``) instead
    of reading its postings: the same live documents for every value, none for an unknown
    one."""
    view = view_for(world.searcher)
    for field in ("area", "need", "mode"):
        values = view.field_values(field)
        assert values
        for value in values:
            from_table = view.from_ids(value_ids(view, field, value)) & view.live
            assert from_table == view.term_bits(field, value), (field, value)
            assert value_bits(view, field, value) == from_table
    assert not len(value_ids(view, "area", "E99999999"))
    assert value_bits(view, "area", "E99999999") == 0
