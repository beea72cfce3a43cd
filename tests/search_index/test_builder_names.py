"""The document builder's name keywords equal ``names.name_terms`` and ``strip_place_words``:
it reads each name once for both, and looks runs of words up in the gazetteer's set of folded
place names, folding word by word (a real gazetteer of the C and W postcodes)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from directory.places.build import build_gazetteer
from directory.places.gazetteer import Gazetteer
from search_index.analysis import words_of
from search_index.documents import DocumentBuilder
from search_index.names import name_key, name_terms, strip_place_words

NAMES = [
    "Let's Talk Blacon", "Let's Talk (Ellesmere Port)", "Chester Food Bank", "Over 60s Hope Group",
    "CHESTER-le-street club", "Ynys Môn Lunch", "Café Crewe & Nantwich", "St. Helens Shed",
    "Upton-by-Chester Men's Shed", "Neston Neston Neston", "Worcester Warm Space", "The the the",
    "Cardiff Bay Boxing", "Weston-super-Mare Walks", "Wrexham's Café", "Кардифф Chester Club",
    "Ellesmere\u2019s Port Club", "Chester " + "é" * 210, "x" * 250 + " Chester", "Chester " * 20,
    "\uff21\uff42\uff45\uff52\uff44\uff41\uff52\uff45 Club", "Crewe&Nantwich", "  ",
    "Winsford ' Club", "Hope & Over",
]  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gazetteer]:
    path: Path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite"
    build_gazetteer(path, letters="CW")
    gaz = Gazetteer(path)
    yield gaz
    gaz.close()


def test_name_keywords_are_those_of_the_plain_functions(session: Session, gazetteer: Gazetteer):
    rng = random.Random(5)
    towns = rng.sample(gazetteer.town_names(), 300)
    names = NAMES + [f"{t.title()} Lunch Club" for t in towns] + [f"Club {t} {t}" for t in towns]
    builder = DocumentBuilder(session, gazetteer)
    for name in names:
        words = [w for w in words_of(name) if not w.stop]
        kept = strip_place_words(words, gazetteer)
        expected = name_key(w.stem for w in kept) if kept else ""
        assert builder.core_name(name) == expected, name
        assert " ".join(sorted(builder.name_stems(name))) == name_terms(name), name
    assert any(builder.core_name(f"{t.title()} Lunch Club") == "club_lunch" for t in towns)
