"""Search end to end over the shared test directory (tests/factories.py) plus a few listings
made for the cases it lacks: words, synonyms and phrases, places and radii, area-covering
services, filters, facets, freshness, paging and highlighting."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from types import SimpleNamespace

import pytest

from directory.db import db
from search_index import SearchRequest, ranking, search
from search_index.documents import build_memory_index
from search_index.engine import build_context, run_search, speller_for, view_for
from search_index.query import build_text_plan
from search_index.schema import match_bits
from tests.factories import CHESHIRE_EAST, make_directory, make_organization, make_service
from tests.search_index.conftest import app_in

TUESDAY_11AM = datetime(2025, 11, 25, 11, 0)
CHESTER = "CH1 2HJ"


@pytest.fixture(scope="module")
def world(migrated_sqlite_template: Path, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """One database and in-memory index for the whole module (building it takes a second)."""
    folder = tmp_path_factory.mktemp("engine")
    app = app_in(folder, migrated_sqlite_template)
    with app.app_context():
        session = db.session
        directory = make_directory(session)
        _extra_listings(session)
        session.commit()
        index = build_memory_index(session)
        searcher = index.searcher()
        context = build_context(session, app=app)
        yield SimpleNamespace(
            app=app, session=session, index=index, searcher=searcher, context=context,
            directory=directory,
        )  # fmt: skip
        searcher.close()
    app.extensions["database"].engine.dispose()


def _extra_listings(session) -> None:
    fresh_org = make_organization(session, "Hoole Good Food Group")
    stale_org = make_organization(session, "Hoole Community Kitchen")
    for org, checked in ((fresh_org, date(2025, 10, 1)), (stale_org, date(2022, 1, 10))):
        make_service(
            session, "Hoole Lunch Club", organization=org, places=("hoole",), needs=("Food",),
            assured_date=checked,
            schedules=[{"byday": "WE", "opens_at": "12:00", "closes_at": "13:30"}],
        )  # fmt: skip
    make_service(
        session, "Cheshire Debt Helpline", places=(), needs=("Debt advice",), client_groups=(),
        delivery_modes=["phone"], description="Free, confidential debt help by phone.",
        schedules=[{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}],
    )  # fmt: skip
    make_service(
        session, "Chester Yoga for Calm", places=("chester",), needs=("Mental health",),
        client_groups=(), cost=("£5 per class", 5.0), minimum_age=16,
    )  # fmt: skip
    make_service(
        session, "Hoole Monday Money Drop-in", places=("hoole",), needs=("Debt advice",),
        client_groups=(),
        description="<script>alert(1)</script> Debt help & advice, every Monday morning.",
        schedules=[{"byday": "MO", "opens_at": "10:00", "closes_at": "12:00",
                    "description": "Mondays 10am to midday, closed on bank holidays"}],
    )  # fmt: skip
    make_service(
        session, "Café Français Conversation", places=("chester_library",),
        needs=("Loneliness and isolation",), client_groups=(),
    )  # fmt: skip


def run(world, **kwargs) -> object:
    kwargs.setdefault("now", TUESDAY_11AM)
    return run_search(world.searcher, SearchRequest(**kwargs), world.context)


def names(results) -> list[str]:
    return [hit.name for hit in results.hits]


# -- words -----------------------------------------------------------------------------------


def test_a_plain_word_finds_the_listing_and_marks_the_word_in_its_summary(world):
    results = run(world, text="debt")
    assert "Chester Debt Advice Clinic" in names(results)
    hit = next(h for h in results.hits if h.name == "Chester Debt Advice Clinic")
    assert "<mark>Debt</mark>" in hit.summary_html
    assert hit.needs == ("Debt advice",)
    assert hit.is_free and hit.last_checked == date(2025, 9, 1)


def test_summaries_are_the_descriptions_words_escaped_before_marking(world):
    hit = next(h for h in run(world, text="debt help").hits if h.name.startswith("Hoole Monday"))
    # The description's markup is read as HTML (the script dropped), its text escaped.
    assert "script" not in hit.summary_html and "alert" not in hit.summary_html
    assert "&amp;" in hit.summary_html
    assert "<mark>Debt</mark>" in hit.summary_html


def test_a_synonym_finds_services_with_that_need(world):
    found = set(names(run(world, text="skint", per_page=50)))
    assert {"Chester Debt Advice Clinic", "Northwich Debt Line"} <= found
    assert "Blacon Food Bank" not in found


def test_a_parent_need_word_also_finds_its_childrens_services(world):
    found = set(names(run(world, text="lonely", per_page=50)))
    # "lonely" is a synonym of "Loneliness and isolation"; Befriending is its child and
    # Telephone befriending its grandchild.
    assert {
        "Hoole Knit and Natter",
        "Chester Befriending Scheme 01",
        "Silver Line Chester",
    } <= found


def test_an_intent_phrase_in_residents_words_finds_befriending(world):
    found = names(run(world, text="Nobody ever visits me", per_page=50))
    assert "Tarporley Good Neighbours" in found
    assert all("Debt" not in name for name in found)


def test_a_misspelt_word_still_finds_results_and_suggests_the_spelling(world):
    results = run(world, text="befreinding")
    assert results.total > 0
    assert results.suggestion == "befriending"
    assert any("Befriending" in name for name in names(results))


def test_accents_and_case_are_ignored(world):
    assert "Café Français Conversation" in names(run(world, text="CAFE FRANCAIS"))


def test_quoted_phrases_must_appear_together(world):
    assert names(run(world, text='"knit and natter"')) == ["Hoole Knit and Natter"]
    assert "Hoole Knit and Natter" not in names(run(world, text='"natter knit"'))


def test_all_words_are_required_when_enough_listings_have_them(world):
    results = run(world, text="scheme befriending", per_page=50)
    assert sorted(names(results)) == [f"Chester Befriending Scheme {n:02d}" for n in range(1, 11)]
    assert results.messages == []


def test_a_few_listings_with_all_the_words_come_first_then_some_with_some(world):
    results = run(world, text="debt hoole", per_page=50)
    assert names(results)[0] == "Hoole Monday Money Drop-in"
    assert "Northwich Debt Line" in names(results)
    assert results.messages == ["Also showing related services."]


def test_some_words_are_enough_when_no_listing_has_them_all(world):
    results = run(world, text="debt toddler")
    assert results.total > 0
    assert any("closest matches" in m for m in results.messages)


def test_words_no_listing_uses_are_left_out_and_said_so(world):
    results = run(world, text="debt xqzvw")
    assert "Chester Debt Advice Clinic" in names(results)
    assert "No listing mentions 'xqzvw', so we left it out of the search." in results.messages
    two = run(world, text="debt xqzvw blorpt xqzvw")
    assert (
        "No listing mentions 'xqzvw' or 'blorpt', so we left them out of the search."
        in two.messages
    )
    assert run(world, text="xqzvw").total == 0


def test_listings_that_are_not_public_never_appear(world):
    everything = run(world, per_page=100)
    assert everything.total == len(world.directory.public) + 6
    assert not [n for n in names(everything) if n.startswith("Hidden")]


# -- places ----------------------------------------------------------------------------------


def test_a_postcode_gives_nearby_venues_with_real_distances_within_the_radius(world):
    results = run(world, place=CHESTER, per_page=100, sort="distance")
    assert results.place.name == CHESTER
    venues = [h for h in results.hits if not h.covers_area]
    distances = [h.distance_km for h in venues]
    assert distances == sorted(distances) and max(distances) <= 8.0
    assert "Crewe Carers Hub" not in names(results)
    assert "Winsford Talking Therapies" not in names(results)  # 24 km away
    assert venues[0].location_name == "Chester Town Hall" and venues[0].distance_km < 0.1


def test_services_covering_the_place_without_a_venue_are_marked_not_given_a_distance(world):
    results = run(world, text="debt", place=CHESTER, per_page=50)
    helpline = next(h for h in results.hits if h.name == "Cheshire Debt Helpline")
    assert helpline.covers_area and helpline.distance_km is None and helpline.location_id is None
    east = run(world, text="debt", place="CW1 2BJ", per_page=50)  # Crewe, Cheshire East
    assert "Cheshire Debt Helpline" not in names(east)
    no_covering = run(world, text="debt", place=CHESTER, include_covering=False)
    assert "Cheshire Debt Helpline" not in names(no_covering)


def test_a_postcode_typed_into_the_text_box_is_used_as_the_place(world):
    results = run(world, text="debt ch1 2hj")
    assert results.place is not None and results.place.name == CHESTER
    assert results.hits[0].name == "Chester Debt Advice Clinic"
    only_postcode = run(world, text="CH1 2HJ")
    assert only_postcode.place.name == CHESTER and only_postcode.total > 5


def test_an_outcode_or_a_town_is_a_place_too(world):
    assert run(world, place="CH65").place.kind == "outcode"
    town = run(world, text="lunch club", place="Ellesmere Port")
    assert town.place.kind == "town"
    assert names(town)[0] == "Ellesmere Port Lunch Club"
    assert all(h.distance_km <= 10 for h in town.hits)


def test_the_radius_can_be_widened(world):
    near = run(world, place=CHESTER, per_page=100)
    wide = run(world, place=CHESTER, radius_km=40, per_page=100)
    assert "Winsford Talking Therapies" in names(wide)
    assert wide.total > near.total


def test_an_unknown_place_explains_itself_and_searches_everywhere(world):
    results = run(world, text="debt", place="Atlantis")
    assert results.place is None
    assert "Atlantis" in results.place_message
    assert "Northwich Debt Line" in names(results)


def test_a_postcode_that_does_not_exist_falls_back_to_its_area(world):
    results = run(world, text="debt", place="CH1 7ZZ")
    assert results.place.kind == "outcode" and "CH1" in results.place_message


def test_best_match_blends_relevance_with_distance(world):
    results = run(world, text="debt", place="CH65 1AE", per_page=10)
    assert results.hits[0].name == "Ellesmere Port Money Matters"


# -- filters and facets ----------------------------------------------------------------------


def _facet(results, name: str) -> dict[str, object]:
    return {value.label: value for value in results.facets[name]}


def test_filtering_a_parent_need_includes_its_children(world):
    loneliness = world.directory.terms["Loneliness and isolation"].id
    found = set(names(run(world, need_ids=(loneliness,), per_page=100)))
    assert {"Hoole Knit and Natter", "Tarporley Good Neighbours", "Silver Line Chester"} <= found
    assert "Blacon Food Bank" not in found


def test_facet_counts_follow_the_other_filters_but_not_their_own(world):
    debt = world.directory.terms["Debt advice"].id
    base = run(world, place=CHESTER, per_page=100)
    filtered = run(world, place=CHESTER, need_ids=(debt,), per_page=100)
    needs = _facet(filtered, "need")
    assert needs["Debt advice"].selected
    # The need facet ignores its own filter: other needs still show how many there are.
    assert needs["Food"].count == _facet(base, "need")["Food"].count
    # Other facets count only debt services.
    assert _facet(filtered, "free")["Free"].count == filtered.total
    assert filtered.total == needs["Debt advice"].count


def test_need_facet_is_a_tree(world):
    need = run(world, per_page=1).facets["need"]
    by_label = {v.label: v for v in need}
    assert by_label["Befriending"].parent_key == by_label["Loneliness and isolation"].key
    assert by_label["Telephone befriending"].depth == by_label["Befriending"].depth + 1


def test_age_free_delivery_and_area_filters(world):
    older = set(names(run(world, age=70, per_page=100)))
    assert "Tarporley Youth Club" not in older and "Neston Memory Café" in older
    assert "Chester Yoga for Calm" not in names(run(world, free_only=True, per_page=100))
    phone = names(run(world, delivery_modes=("phone",), per_page=100))
    assert set(phone) == {"Silver Line Chester", "Cheshire Debt Helpline"}
    east = names(run(world, area_codes=(CHESHIRE_EAST,), per_page=100))
    assert east == ["Crewe Carers Hub"]
    ages = _facet(run(world, age=70), "age")
    assert ages["Older people (65 and over)"].selected


def test_open_on_a_day_and_at_a_time(world):
    saturday = set(names(run(world, open_day=5, per_page=100)))
    assert "Chester Walking Football" in saturday and "Chester Debt Advice Clinic" not in saturday
    at_tea_time = names(run(world, open_day=0, open_time=time(15, 0), per_page=100))
    assert "Hoole Knit and Natter" in at_tea_time and "Chester Debt Advice Clinic" in at_tea_time
    assert "Hoole Monday Money Drop-in" not in at_tea_time


def test_open_now_handles_sessions_past_midnight(world):
    after_midnight = names(run(world, open_now=True, now=datetime(2025, 11, 25, 1, 30)))
    assert after_midnight == ["Winsford Evening Helpline"]
    counted = _facet(run(world, now=datetime(2025, 11, 25, 1, 30)), "open")["Open now"]
    assert counted.count == 1


def test_open_now_respects_bank_holidays(world):
    monday = datetime(2025, 8, 18, 10, 30)
    holiday = datetime(2025, 8, 25, 10, 30)
    assert "Hoole Monday Money Drop-in" in names(run(world, open_now=True, now=monday))
    assert "Hoole Monday Money Drop-in" not in names(run(world, open_now=True, now=holiday))


def test_hits_say_when_they_are_open(world):
    hit = next(h for h in run(world, text="natter").hits)
    assert hit.open_status_text == "Opens Monday 2pm"


# -- ranking and pages -----------------------------------------------------------------------


def test_a_listing_not_checked_for_over_a_year_ranks_below_a_fresh_one(world):
    results = run(world, text="lunch club hoole")
    assert [h.organisation_name for h in results.hits[:2]] == [
        "Hoole Good Food Group",
        "Hoole Community Kitchen",
    ]
    assert results.hits[0].score > results.hits[1].score


def test_pages_do_not_overlap_and_count_up(world):
    first = run(world, place=CHESTER, per_page=5)
    second = run(world, place=CHESTER, per_page=5, page=2)
    assert first.pages == second.pages == -(-first.total // 5)
    assert not {h.service_id for h in first.hits} & {h.service_id for h in second.hits}
    beyond = run(world, place=CHESTER, per_page=5, page=999)
    assert beyond.page == beyond.pages and beyond.hits


def test_search_entry_point_takes_an_open_index_and_a_session(world):
    with world.app.app_context():
        results = search(
            SearchRequest(text="debt", now=TUESDAY_11AM), index=world.index, session=world.session
        )
    assert "Chester Debt Advice Clinic" in names(results)
    assert set(results.timings) >= {"place", "plan", "match", "facets", "rank", "hits", "total"}


def test_search_inside_the_app_uses_the_apps_own_index(world):
    with world.app.app_context():
        results = search(SearchRequest(text="debt", place=CHESTER, now=TUESDAY_11AM))
    assert results.hits[0].name == "Chester Debt Advice Clinic"
    assert results.place.name == CHESTER


@pytest.mark.parametrize(
    "text", ["befriending scheme older", "food", '"knit and natter" group', "lonley carers"]
)
def test_every_match_is_scored_as_whoosh_would_score_it(world, text):
    """The engine scores every matching document with numpy; the scores are Whoosh's own
    (BM25F plus the constant need scores) for the same scoring query."""
    searcher = world.searcher
    view = view_for(searcher)
    speller = speller_for(view, world.context.vocabulary)
    plan = build_text_plan(text, view, world.context.vocabulary, speller)
    final = match_bits(plan.or_query or plan.and_query, view)
    assert final
    scores = ranking.text_scores(searcher, view, plan, final, final)
    matcher = plan.score_query.matcher(searcher, searcher.context(needs_current=True))
    expected = {}
    while matcher.is_active():
        expected[matcher.id()] = matcher.score()
        matcher.next()
    for docnum in view.to_ids(final):
        assert scores[docnum] == pytest.approx(expected.get(docnum, 0.0), rel=1e-6), docnum


def test_large_result_sets_rank_every_match_and_keep_counts_exact(world):
    full = run(world, text="befriending scheme older", per_page=50)
    first = run(world, text="befriending scheme older", per_page=3)
    assert first.total == full.total and first.hits == full.hits[:3]
    assert full.hits[0].name.startswith("Chester Befriending Scheme")
    near = run(world, text="befriending", place=CHESTER, per_page=5)
    assert near.hits[0].distance_km < 0.5


def test_with_no_place_the_home_areas_help_comes_first(world):
    """A resident who gives no postcode sees their own council's help before a neighbouring
    county's equally good match (HOME_AREA_CODE; Crewe is in Cheshire East)."""
    assert world.context.home_area == "E06000050"

    def carers(context) -> list[str]:
        request = SearchRequest(text="carers", now=TUESDAY_11AM, per_page=50)
        return names(run_search(world.searcher, request, context))

    at_home = carers(world.context)
    anywhere = carers(dataclasses.replace(world.context, home_area=None))
    assert set(at_home) == set(anywhere) and "Crewe Carers Hub" in at_home
    assert anywhere.index("Crewe Carers Hub") < at_home.index("Crewe Carers Hub")
    assert at_home[-1] == "Crewe Carers Hub"
    # With a place, distance decides, not the home area.
    assert names(run(world, text="carers", place="CW1 2BJ"))[0] == "Crewe Carers Hub"
