"""Places written into the "what" box (``search_index.geo.try_place_in_text``): taken only
when the gazetteer knows them, never an everyday or need word on its own."""

from __future__ import annotations

import pytest

from directory.places.gazetteer import Gazetteer
from search_index.geo import resolve_place, try_place_in_text

HOME = (53.1905, -2.8919)


@pytest.mark.parametrize(
    ("text", "rest", "place"),
    [
        ("walking group in Upton", "walking group", "Upton, Chester"),
        ("lache food bank", "food bank", "Lache, Chester"),
        ("Great Sutton toddler group", "toddler group", "Great Sutton, Ellesmere Port"),
        ("Blacon", "", "Blacon, Chester"),
        ("lunch club in Neston", "lunch club", "Neston, Cheshire West and Chester"),
        ("support near Whitby", "support", "Whitby, Ellesmere Port"),
        ("support in Hope", "support", None),  # a place elsewhere, after "in": taken
    ],
)
def test_known_places_are_taken(gazetteer: Gazetteer, text: str, rest: str, place) -> None:
    left, answer = try_place_in_text(gazetteer, text, HOME)
    assert left == rest
    assert answer is not None and answer.place is not None
    if place:
        assert gazetteer.describe(answer.place) == place


@pytest.mark.parametrize(
    "text",
    [
        "Hope",  # a need word and a village in Flintshire: not without "in"
        "Marlow",
        "hope and support",
        "over 60s exercise",  # Over is part of Winsford
        "castle visits",  # and Castle part of Northwich
        "debt hoole",  # a trailing name stays a search word
        "food bank",
        "help with debts",
        "",
    ],
)
def test_other_words_stay_search_words(gazetteer: Gazetteer, text: str) -> None:
    assert try_place_in_text(gazetteer, text, HOME) == (text, None)


def test_without_a_gazetteer_nothing_is_taken() -> None:
    assert try_place_in_text(None, "lache food bank", HOME) == ("lache food bank", None)


def test_resolve_place_gives_the_home_area_codes(gazetteer: Gazetteer) -> None:
    answer = resolve_place(gazetteer, "Upton", HOME)
    assert answer.place is not None and answer.area_codes == {"E06000050"}
    assert gazetteer.describe(answer.alternatives[0]) != "Upton, Chester"
