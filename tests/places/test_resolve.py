"""Resolving free text from a search box: postcode, outcode, town, or a helpful message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directory.places.gazetteer import Gazetteer
from directory.places.place import Resolution

CHESTER = (53.1905, -2.89189)


def test_full_postcode(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve(" ch1 1aa ")
    assert result.kind == "postcode"
    assert result.place is not None and result.place.name == "CH1 1AA"
    assert result.message is None


def test_postcode_inside_an_address(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Town Hall, Northgate Street, Chester CH1 2HJ")
    assert result.kind == "postcode"
    assert result.place is not None and result.place.name == "CH1 2HJ"


def test_unknown_postcode_falls_back_to_its_outcode(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("CH1 1ZZ")
    assert result.kind == "outcode"
    assert result.place is not None and result.place.name == "CH1"
    assert result.message is not None
    assert "CH1 1ZZ" in result.message and "CH1 area" in result.message


def test_unknown_postcode_in_unknown_area(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("CW99 9ZZ")
    assert result.place is None and result.kind is None
    assert result.message == (
        "We could not find the postcode 'CW99 9ZZ'. Check it, or try just the first part, "
        "such as 'CH1', or a town name."
    )


def test_outcode(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("wr1")
    assert result.kind == "outcode"
    assert result.place is not None and result.place.la_code == "E07000237"
    missing = gazetteer.resolve("CW99")
    assert missing.place is None
    assert missing.message is not None and "'CW99'" in missing.message


def test_town(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Chester")
    assert result.kind == "town"
    assert result.place is not None and result.place.name == "Chester"
    assert result.message is None


def test_twin_towns_prefer_the_nearest_and_offer_the_other(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Neston", near=CHESTER)
    assert result.place is not None and result.place.la_code == "E06000050"
    assert [p.name for p in result.alternatives] == ["Neston"]
    assert result.alternatives[0].latitude < 52
    assert result.message is not None and "Cheshire West and Chester" in result.message


def test_a_twin_town_can_be_chosen_by_name_and_council(full_gazetteer_path) -> None:
    gazetteer = Gazetteer(full_gazetteer_path)
    other = gazetteer.resolve("Neston", near=CHESTER).alternatives[0]
    named = gazetteer.describe(other)
    assert named.startswith("Neston, ") and "Cheshire West" not in named
    result = gazetteer.resolve(named)
    assert result.place == other and result.kind == "town" and result.message is None
    short = gazetteer.resolve("neston, " + named.split(", ")[1][:5].lower())
    assert short.place == other
    assert gazetteer.resolve("Neston, Cheshire West and Chester").place.la_code == "E06000050"
    assert gazetteer.resolve("Neston, Atlantis").place is None


def test_small_namesake_offers_the_city(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Newcastle")
    names = [p.name for p in result.alternatives]
    assert "Newcastle upon Tyne" in names


def test_common_short_names(gazetteer: Gazetteer, small_build, tmp_path) -> None:
    # GeoNames calls it "Ellesmere Port Town"; the short name finds it even with no curated
    # file, and the curated file's "Ellesmere Port" replaces it.
    plain = Gazetteer(small_build.path, local_places=tmp_path / "none.csv")
    place = plain.resolve("Ellesmere Port").place
    assert place is not None and place.name == "Ellesmere Port Town"
    plain.close()
    place = gazetteer.resolve("Ellesmere Port").place
    assert place is not None and place.name == "Ellesmere Port"
    assert [p.name for p in gazetteer.town("Ellesmere Port Town")] == ["Ellesmere Port"]
    hull = gazetteer.resolve("Hull").place
    assert hull is not None and hull.name == "Kingston upon Hull"


def test_misspelt_town_gets_suggestions(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Chesterr")
    assert result.place is None and result.kind is None
    assert "Chester" in [p.name for p in result.alternatives]
    assert result.message is not None and "Did you mean Chester" in result.message


def test_garbage_gives_a_message(gazetteer: Gazetteer) -> None:
    for text in ("", "   ", "\x00\x01", "x" * 10_000, "\U0001f600" * 20, "ZZ99 9ZZ", "12345"):
        result = gazetteer.resolve(text)
        assert isinstance(result, Resolution)
        assert result.place is None and result.kind is None
        assert result.message
        assert "\x00" not in result.message
    assert gazetteer.resolve(None).message  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_resolve_never_raises(gazetteer: Gazetteer, text: str) -> None:
    result = gazetteer.resolve(text, near=CHESTER)
    assert isinstance(result, Resolution)
    assert (result.place is None) == (result.kind is None)
    assert result.place is not None or result.message


def test_a_malformed_near_point_is_ignored(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Neston", near=(999.0, 0.0))
    assert result.place is not None and result.place.name == "Neston"
