"""The curated home-area places: the file's rules, and the names people in Cheshire West and
Chester type resolving to the right place (issue 11's examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.places.gazetteer import Gazetteer
from directory.places.local import (
    LocalPlacesError,
    bare_name_ok,
    check_rows,
    normalise_sector,
    read_local_places,
)
from directory.places.names import fold_name
from directory.places.place import distance_km

HOME = (53.1905, -2.8919)
CWAC = "E06000050"
HEADER = "name,other_names,kind,area,authority,postcode\n"


def _resolve(gazetteer: Gazetteer, text: str):
    result = gazetteer.resolve(text, near=HOME)
    assert result.place is not None, (text, result.message)
    return result


def test_the_curated_file_names_at_least_120_places() -> None:
    rows = read_local_places()
    assert len(rows) >= 120
    assert sum(r.authority == CWAC for r in rows) >= 120


def test_every_row_is_found_inside_its_council(gazetteer: Gazetteer) -> None:
    """Every row whose postcode is in the small test build (C and W areas: all but the SY
    rows around Malpas) is located inside the council it names; the full-file test below
    checks the rest when that file is built."""
    letters = gazetteer.meta["letters"]
    rows = [r for r in read_local_places() if r.postcode[0] in letters]
    assert len(rows) >= 120
    assert check_rows(gazetteer, rows) == []


def test_every_row_with_the_full_file(full_gazetteer_path: Path) -> None:
    full = Gazetteer(full_gazetteer_path)
    assert check_rows(full, read_local_places()) == []
    full.close()


def test_no_two_rows_share_a_name_without_a_qualifier() -> None:
    seen: dict[tuple[str, str, str], str] = {}
    for row in read_local_places():
        for name in {fold_name(n) for n in (row.name, *row.other_names)}:
            key = (name, fold_name(row.area), row.authority)
            assert key not in seen, f"{row.name} (line {row.line}) repeats {seen[key]}"
            seen[key] = row.name


@pytest.mark.parametrize(
    ("text", "name", "area"),
    [
        ("Upton", "Upton", "Chester"),
        ("upton-by-chester", "Upton", "Chester"),
        ("Whitby", "Whitby", "Ellesmere Port"),
        ("Ellesmere", "Ellesmere Port", "Cheshire West and Chester"),
        ("Great Sutton", "Great Sutton", "Ellesmere Port"),
        ("Handbridge", "Handbridge", "Chester"),
        ("Lache", "Lache", "Chester"),
        ("Saltney", "Saltney", "Chester"),
        ("Parkgate", "Parkgate", "Cheshire West and Chester"),
        ("Hoole", "Hoole", "Chester"),
        ("Winnington", "Winnington", "Northwich"),
        ("Wharton", "Wharton", "Winsford"),
    ],
)
def test_home_area_names_resolve_to_the_home_area(
    gazetteer: Gazetteer, text: str, name: str, area: str
) -> None:
    result = _resolve(gazetteer, text)
    assert (result.place.name, gazetteer.area_name(result.place)) == (name, area)
    assert result.place.la_code == CWAC
    assert distance_km(result.place, HOME) < 40


def test_a_shared_name_offers_the_others(gazetteer: Gazetteer) -> None:
    upton = _resolve(gazetteer, "Upton")
    assert "Upton, Wakefield" in [gazetteer.describe(p) for p in upton.alternatives]
    assert upton.message is not None and "Upton, Chester" in upton.message
    whitby = _resolve(gazetteer, "Whitby")
    assert [p.latitude > 54 for p in whitby.alternatives] == [True]  # North Yorkshire's
    ellesmere = _resolve(gazetteer, "Ellesmere")
    assert [p.name for p in ellesmere.alternatives] == ["Ellesmere"]  # in Shropshire
    assert "More than one place is called Ellesmere." in (ellesmere.message or "")


def test_a_place_straddling_the_border_prefers_the_home_side(gazetteer: Gazetteer) -> None:
    saltney = _resolve(gazetteer, "Saltney")
    assert saltney.place.la_code == CWAC
    welsh = saltney.alternatives[0]
    assert gazetteer.describe(welsh) == "Saltney, Flintshire"
    assert welsh.la_code == "W06000005" and welsh.country_part == "WLS"
    assert gazetteer.resolve("Saltney, Flintshire").place == welsh


@pytest.mark.parametrize(
    ("text", "la_code"),
    [
        ("Whitby, Ellesmere Port", CWAC),
        ("whitby, cheshire west", CWAC),
        ("Upton, Chester", CWAC),
        ("Upton, Wakefield", "E08000036"),
        ("Neston, Cheshire West and Chester", CWAC),
    ],
)
def test_a_name_and_its_area_picks_one_place(gazetteer: Gazetteer, text: str, la_code: str):
    result = gazetteer.resolve(text, near=HOME)
    assert result.place is not None and result.place.la_code == la_code
    assert result.message is None


def test_the_other_whitby_by_its_council(full_gazetteer_path: Path) -> None:
    """The small test build has no YO postcodes, so North Yorkshire needs the full file."""
    full = Gazetteer(full_gazetteer_path)
    whitby = full.resolve("Whitby", near=HOME)
    assert [full.describe(p) for p in whitby.alternatives] == ["Whitby, North Yorkshire"]
    for text in ("Whitby, North Yorkshire", "whitby, north yorks"):
        assert full.resolve(text, near=HOME).place == whitby.alternatives[0]
    full.close()


def test_a_name_only_known_elsewhere_still_resolves_there(gazetteer: Gazetteer) -> None:
    result = _resolve(gazetteer, "Worcester")
    assert result.place.la_code == "E07000237"
    assert _resolve(gazetteer, "Marlow").place.la_code != CWAC


def test_misspellings_suggest_local_names_first(gazetteer: Gazetteer) -> None:
    result = gazetteer.resolve("Great Suton", near=HOME)
    assert result.place is None
    assert result.alternatives[0].name == "Great Sutton"
    assert result.alternatives[0].la_code == CWAC
    assert "Did you mean Great Sutton" in (result.message or "")
    lache = gazetteer.resolve("Lachey", near=HOME)
    assert lache.alternatives and lache.alternatives[0].name == "Lache"


def test_completions_put_the_home_area_first(gazetteer: Gazetteer) -> None:
    names = [p.name for p in gazetteer.suggest_towns("great s", limit=3)]
    assert "Great Sutton" in names
    assert all(p.la_code == CWAC for p in gazetteer.suggest_towns("hoo", limit=1))


def test_curated_places_replace_geonames_copies(gazetteer: Gazetteer) -> None:
    # GeoNames has Blacon and Hoole too: one place each, with GeoNames' population kept.
    assert len(gazetteer.town("Blacon")) == 1
    blacon = gazetteer.town("Blacon")[0]
    assert gazetteer.place_kind(blacon) == "suburb"
    assert gazetteer.town_population(blacon) > 10_000


def test_kinds_and_areas(gazetteer: Gazetteer) -> None:
    assert gazetteer.place_kind(gazetteer.town("Tattenhall")[0]) == "village"
    assert gazetteer.place_kind(gazetteer.town("Stanney Grange")[0]) == "estate"
    assert gazetteer.place_kind(gazetteer.town("Worcester")[0]) == "town"
    postcode = gazetteer.postcode("CH1 1AA")
    assert postcode is not None and gazetteer.place_kind(postcode) == "postcode"


def test_a_sector_point_is_the_middle_of_its_postcodes(gazetteer: Gazetteer) -> None:
    upton = gazetteer.locate("CH2 1", CWAC, name="Upton")
    assert upton is not None and upton.la_code == CWAC
    one = gazetteer.postcode("CH2 1AA")
    assert one is not None and distance_km(upton, one) < 3
    assert gazetteer.locate("CH2 9", CWAC) is None  # no such sector
    assert gazetteer.locate("nonsense") is None


def test_sector_spelling() -> None:
    assert normalise_sector("ch2 1") == "CH2 1"
    assert normalise_sector(" CH65  6 ") == "CH65 6"
    assert normalise_sector("CH21") is None  # without the space it is the outcode CH21
    assert normalise_sector("CH2 1AA") is None
    assert normalise_sector(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Upton,,suburb,Chester,E06000050,", "postcode must be"),
        ("Upton,,hamlet,Chester,E06000050,CH2 1", "kind must be one of"),
        ("Upton,,suburb,Chester,Cheshire,CH2 1", "authority must be"),
        (",,suburb,Chester,E06000050,CH2 1", "give a name"),
        ("Upton,,suburb,Chester,E06000050,CH21", "not 'CH21'"),
    ],
)
def test_a_bad_row_names_its_line(tmp_path: Path, row: str, expected: str) -> None:
    path = tmp_path / "local.csv"
    path.write_text(HEADER + "Lache,,suburb,Chester,E06000050,CH4 8HL\n" + row + "\n")
    with pytest.raises(LocalPlacesError, match="line 3") as error:
        read_local_places(path)
    assert expected in str(error.value)


def test_missing_columns_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text("name,kind\nUpton,suburb\n")
    with pytest.raises(LocalPlacesError, match="missing column"):
        read_local_places(path)
    assert read_local_places(tmp_path / "absent.csv") == []


def test_a_broken_file_never_breaks_place_search(small_build, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text(HEADER + "Upton,,suburb,Chester,E06000050,not a postcode\n")
    gazetteer = Gazetteer(small_build.path, local_places=path)
    assert gazetteer.resolve("Chester").place is not None
    assert gazetteer.home_codes == frozenset()
    gazetteer.close()


def test_check_reports_rows_outside_their_council(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text(
        HEADER
        + "Upton,,suburb,Chester,E06000049,CH2 1AA\n"  # Cheshire East's code: wrong
        + "Lache,,suburb,Chester,E06000050,CH4 8ZZ\n"  # no such postcode
        + "Lache,,suburb,Chester,E06000050,CH4 8HL\n"
    )
    problems = check_rows(gazetteer, read_local_places(path))
    assert len(problems) == 3
    assert "line 2 (Upton): CH2 1AA is in E06000050, not E06000049." in problems
    assert any("line 3" in p and "not found" in p for p in problems)
    assert any("line 4" in p and "already on line 3" in p for p in problems)


def test_everyday_words_are_not_bare_place_names() -> None:
    assert bare_name_ok("lache") and bare_name_ok("great sutton")
    assert not bare_name_ok("over") and not bare_name_ok("ep") and not bare_name_ok("castle")
