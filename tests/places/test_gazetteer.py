"""Look-ups against a gazetteer built from the real ONSPD data for the C and W areas."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from directory.places.gazetteer import Gazetteer, GazetteerMissing, get_gazetteer
from directory.places.place import Place, distance_km

CHESTER = (53.1905, -2.89189)


def test_ch1_1aa(gazetteer: Gazetteer) -> None:
    place = gazetteer.postcode("ch11aa")
    assert place is not None
    assert place.kind == "postcode"
    assert place.name == "CH1 1AA"
    assert place.latitude == pytest.approx(53.1904, abs=0.001)
    assert place.longitude == pytest.approx(-2.8882, abs=0.001)
    assert place.la_code == "E06000050"
    assert place.country_part == "ENG"
    authority = gazetteer.local_authority(place.la_code)
    assert authority is not None
    assert authority.name == "Cheshire West and Chester"
    assert gazetteer.authorities_containing(place) == {"E06000050"}


def test_worcester_is_a_district_of_worcestershire(gazetteer: Gazetteer) -> None:
    place = gazetteer.postcode("WR1 2EY")
    assert place is not None
    assert place.la_code == "E07000237"
    authority = gazetteer.local_authority("E07000237")
    assert authority is not None
    assert (authority.name, authority.upper_tier_code, authority.upper_tier_name) == (
        "Worcester",
        "E10000034",
        "Worcestershire",
    )
    # A service area given as the county covers the city's postcodes.
    assert gazetteer.authorities_containing(place) == {"E07000237", "E10000034"}


def test_welsh_postcodes_have_names_too(gazetteer: Gazetteer) -> None:
    place = gazetteer.postcode("CF10 1AA")  # Cardiff
    assert place is not None and place.country_part == "WLS"
    authority = gazetteer.local_authority(place.la_code or "")
    assert authority is not None and authority.name == "Cardiff"


def test_outcode_ch65_is_ellesmere_port(gazetteer: Gazetteer) -> None:
    place = gazetteer.outcode("ch65")
    assert place is not None
    assert (place.kind, place.name, place.la_code) == ("outcode", "CH65", "E06000050")
    ellesmere_port = gazetteer.town("Ellesmere Port")[0]
    assert distance_km(place, ellesmere_port) < 2


def test_unknown_and_invalid_codes(gazetteer: Gazetteer) -> None:
    assert gazetteer.postcode("CH1 1ZZ") is None  # valid format, no such postcode
    assert gazetteer.postcode("not a postcode") is None
    assert gazetteer.postcode("EH1 1AA") is None  # E is not in this small build
    assert gazetteer.outcode("CH1 1AA") is None
    assert gazetteer.outcode("CW99") is None
    assert gazetteer.local_authority("E99999999") is None
    assert gazetteer.local_authority("e06000050") is not None


def test_many_postcodes_at_once_are_each_what_one_look_up_gives(gazetteer: Gazetteer) -> None:
    rows = gazetteer._conn().execute("SELECT pc FROM postcode ORDER BY pc LIMIT 1200")
    real = [pc for (pc,) in rows]
    odd = ["ch11aa", " CH1 1AA ", "CH1 1ZZ", "not a postcode", "EH1 1AA", ""]
    given = [*real, *(f"{pc[:-3].lower()} {pc[-3:]}" for pc in real[::7]), *odd]
    found = gazetteer.postcodes(given)  # more than one query's worth (500 a query)
    assert len(real) == 1200 and list(found) == list(dict.fromkeys(given))
    assert found == {pc: gazetteer.postcode(pc) for pc in given}
    assert found["ch11aa"] is not None and found["CH1 1ZZ"] is None
    assert gazetteer.postcodes([]) == {}


def test_town_lookup_ignores_case_and_accents(gazetteer: Gazetteer) -> None:
    for spelling in ("Chester", "CHESTER", " chester "):
        towns = gazetteer.town(spelling)
        assert [t.name for t in towns] == ["Chester"]
        assert towns[0].la_code == "E06000050"
    assert [t.name for t in gazetteer.town("stoke on trent")] == ["Stoke-on-Trent"]
    assert [t.name for t in gazetteer.town("Chéster")] == ["Chester"]
    for spelling in ("Bo'ness", "bo\u2019ness", "BONESS"):
        assert [t.name for t in gazetteer.town(spelling)] == ["Bo\u2019ness"]
    assert [t.name for t in gazetteer.town("kings cross")] == ["King's Cross"]
    assert gazetteer.town("Atlantis") == []


def test_neston_twins_are_ordered_by_distance(gazetteer: Gazetteer, small_build, tmp_path) -> None:
    # With no curated home-area file, the more populous namesake comes first.
    plain = Gazetteer(small_build.path, local_places=tmp_path / "none.csv")
    by_population = plain.town("Neston")
    assert len(by_population) == 2
    assert by_population[0].latitude < 52  # Wiltshire's is (slightly) bigger
    plain.close()
    # With it, the home area's Neston comes first even with no point to measure from.
    assert gazetteer.town("Neston")[0].la_code == "E06000050"
    near_chester = gazetteer.town("neston", near=CHESTER)
    assert near_chester[0].latitude > 53  # the Wirral one
    assert near_chester[0].la_code == "E06000050"
    assert gazetteer.describe(near_chester[0]) == "Neston, Cheshire West and Chester"


def test_town_suggestions(gazetteer: Gazetteer) -> None:
    names = [t.name for t in gazetteer.suggest_towns("chest", limit=3)]
    assert names[0] in {"Chester", "Chesterfield"}
    assert "Chester" in names
    assert len(names) == 3
    assert gazetteer.suggest_towns("") == []
    assert gazetteer.suggest_towns("zzzz") == []


def test_distance_km() -> None:
    a = Place("town", "A", 53.0, -3.0)
    assert distance_km(a, a) == 0
    assert distance_km(a, (54.0, -3.0)) == pytest.approx(111.2, abs=0.3)


def test_missing_file_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(GazetteerMissing, match="gazetteer build"):
        Gazetteer(tmp_path / "missing.sqlite")
    with pytest.raises(GazetteerMissing, match="make gazetteer"):
        get_gazetteer(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"junk" * 1000)
    with pytest.raises(GazetteerMissing, match="not a gazetteer"):
        Gazetteer(junk)


def test_get_gazetteer_is_cached(small_build) -> None:  # type: ignore[no-untyped-def]
    assert get_gazetteer(small_build.path) is get_gazetteer(small_build.path)


def test_safe_to_share_between_threads(gazetteer: Gazetteer) -> None:
    errors: list[BaseException] = []
    results: list[str | None] = []

    def work() -> None:
        try:
            for _ in range(200):
                place = gazetteer.postcode("CH1 1AA")
                results.append(place.la_code if place else None)
                gazetteer.outcode("WR1")
                gazetteer.resolve("Neston", near=CHESTER)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == ["E06000050"] * 1600
