"""Crosswalks from the taxonomies UK feeds use to our terms: the shipped files and matching."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.inference.crosswalk import (
    CROSSWALK_DIR,
    CrosswalkMatcher,
    load_crosswalks,
    normalise,
)
from directory.inference.text import SourceTerm


@pytest.fixture(scope="module")
def walks():
    return load_crosswalks()


def codes(curated, candidates) -> dict[str, float]:
    return {curated.code[c.term_id]: c.confidence for c in candidates}


def test_every_shipped_crosswalk_loads_and_points_at_real_terms(walks, curated):
    assert {w.name for w in walks} >= {
        "LGA Local Government Services List (esd service types)",
        "OpenActive Activity List",
        "Outpost categories",
    }
    known = set(curated.code.values())
    for walk in walks:
        targets = [t for ts in walk.by_code.values() for t in ts] + walk.any_term
        assert targets, walk.name
        for target in targets:
            assert target.term_code in known, (walk.name, target)
            assert 0.0 < target.confidence <= 1.0


def test_every_crosswalk_file_has_its_source_and_licence_written_down(walks):
    sources = (CROSSWALK_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for path in CROSSWALK_DIR.glob("*.csv"):
        assert path.name in sources
    for walk in walks:
        assert walk.source.startswith("https://") and walk.licence


@pytest.mark.parametrize(
    "code",
    ["http://id.esd.org.uk/service/298", "esdServiceType:298", "298", " 298 "],
)
def test_an_lga_service_type_matches_by_code_in_any_form(curated, walks, code):
    found = codes(
        curated,
        CrosswalkMatcher(curated, walks).candidates([SourceTerm("esdServiceTypes", code, "")]),
    )
    assert found.keys() == {"carers-support", "carers"}


def test_a_term_matches_by_its_label_when_the_code_is_unknown(curated, walks):
    matcher = CrosswalkMatcher(curated, walks)
    found = codes(curated, matcher.candidates([SourceTerm("LGSL", "LOCAL-77", "Food  Banks")]))
    assert found == {"food-banks": 0.95}
    zumba = SourceTerm("openActiveActivities", "zumba-gold", "ZUMBA\u00ae GOLD")
    assert "gentle-exercise" in codes(curated, matcher.candidates([zumba]))


def test_any_openactive_activity_is_physical_activity(curated, walks):
    matcher = CrosswalkMatcher(curated, walks)
    unknown = SourceTerm(
        "https://openactive.io/activity-list",
        "https://openactive.io/activity-list#00000000-0000-4000-8000-000000000000",
        "Underwater basket weaving",
    )
    assert codes(curated, matcher.candidates([unknown])) == {"physical-activity": 0.75}


def test_outpost_categories_match_by_slug_and_suitabilities_give_client_groups(curated, walks):
    matcher = CrosswalkMatcher(curated, walks)
    found = codes(
        curated,
        matcher.candidates(
            [
                SourceTerm("outpost", "for-older-people", "For older people"),
                SourceTerm("outpost suitabilities", "dementia", "Dementia"),
            ]
        ),
    )
    assert found == {"older-people": 0.85, "people-with-dementia": 0.9}


def test_a_vocabulary_without_a_crosswalk_gives_nothing(curated, walks):
    term = SourceTerm("Bristol categories", "298", "Carers support groups")
    assert CrosswalkMatcher(curated, walks).candidates([term]) == []


def test_the_strongest_mapping_of_a_term_wins(curated, walks):
    terms = [
        SourceTerm("outpost", "welcoming-spaces", "Welcoming spaces"),
        SourceTerm("esdServiceTypes", "1806", "Social clubs and groups"),
    ]
    found = codes(curated, CrosswalkMatcher(curated, walks).candidates(terms))
    assert found["social-groups"] == 0.9


def test_a_broken_crosswalk_is_left_out_and_the_others_load(tmp_path: Path, caplog):
    (tmp_path / "crosswalks.toml").write_text(
        '[[crosswalk]]\nfile = "good.csv"\nname = "Good"\nvocabularies = ["good"]\n'
        'source = "https://example.org"\nlicence = "CC0"\n\n'
        '[[crosswalk]]\nfile = "bad.csv"\nname = "Bad"\nvocabularies = ["bad"]\n'
        '\n[[crosswalk]]\nfile = "missing.csv"\nname = "Missing"\nvocabularies = ["m"]\n',
        encoding="utf-8",
    )
    (tmp_path / "good.csv").write_text("code,label,term,confidence\n1,One,food,0.8\n")
    (tmp_path / "bad.csv").write_text("code,label,term,confidence\n1,One,food,7\n")
    with caplog.at_level(logging.WARNING):
        walks = load_crosswalks(tmp_path)
    assert [w.name for w in walks] == ["Good"]
    assert "bad.csv" in caplog.text and "missing.csv" in caplog.text


def test_an_unreadable_index_gives_no_crosswalks(tmp_path: Path):
    (tmp_path / "crosswalks.toml").write_text("[[crosswalk]\n", encoding="utf-8")
    assert load_crosswalks(tmp_path) == []
    assert load_crosswalks(tmp_path / "absent") == []


def test_normalise_folds_marks_case_and_punctuation():
    assert normalise("Zumba\u00ae Gold") == normalise("zumba gold")
    assert normalise("Arts & Crafts") == "arts and crafts"


@settings(max_examples=100, deadline=None)
@given(vocabulary=st.text(max_size=40), code=st.text(max_size=60), label=st.text(max_size=60))
def test_no_source_term_makes_the_crosswalk_raise(curated, walks, vocabulary, code, label):
    found = CrosswalkMatcher(curated, walks).candidates([SourceTerm(vocabulary, code, label)])
    assert all(c.term_id in curated.terms for c in found)
