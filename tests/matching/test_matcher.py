"""The matcher on its own, with known right answers: a small fixed world of requests, offers
and listings at real Cheshire postcodes, where the right top candidate is known for each
request. Listings come through the real search index (built from the test database) and
places through the real offline gazetteer."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from directory.help_offers.models import OfferKind, OfferStatus
from directory.help_requests.models import Urgency
from directory.matching import weights
from directory.matching.matcher import Candidate, candidates, rank
from tests.factories import CHESHIRE_EAST, CHESHIRE_WEST, make_service
from tests.matching.conftest import make_offer, make_request

TODAY = date.today()


def names(found: list[Candidate]) -> list[str]:
    return [c.name for c in found]


def by_name(found: list[Candidate], name: str) -> Candidate:
    return next(c for c in found if c.name == name)


def fresh_listing(session: Session, name: str, place: str, needs: tuple[str, ...], **kw):
    """A public listing checked last week (so freshness does not decide)."""
    kw.setdefault("assured_date", TODAY - timedelta(days=7))
    return make_service(session, name, places=(place,), needs=needs, **kw)


# Need ------------------------------------------------------------------------------------


def test_covering_every_need_beats_being_next_door(session):
    """Food and befriending asked for in Chester: an offer of both 2.5 km away beats an
    offer of food alone at the same postcode."""
    make_offer(session, ("Food",), "chester", name="Next Door Food")
    make_offer(session, ("Food", "Befriending"), "boughton", radius_km=10, name="Both Needs")
    request = make_request(session, ("Food", "Befriending"), "chester")
    session.commit()
    found = candidates(session, request)
    assert names(found)[:2] == ["Both Needs", "Next Door Food"]
    both, near = found[0], found[1]
    assert both.parts["need"] == 1.0 and near.parts["need"] == 0.5
    assert near.parts["place"] > both.parts["place"]  # nearer, and still second


def test_a_listing_covering_both_needs_beats_a_nearer_one_covering_one(session):
    fresh_listing(session, "Chester Larder", "chester", ("Food",))
    fresh_listing(session, "Hoole Lunch and Friends", "hoole", ("Food", "Befriending"))
    request = make_request(session, ("Food", "Befriending"), "chester")
    session.commit()
    found = candidates(session, request)
    assert names(found)[:2] == ["Hoole Lunch and Friends", "Chester Larder"]
    assert found[0].reasons[0] == "Helps with food and befriending"
    assert found[1].reasons[0] == "Helps with food, not befriending"


def test_a_narrower_need_is_a_full_match_and_a_broader_one_half(session):
    """Asked for help with loneliness: an offer of telephone befriending (two levels below)
    is a full match. Asked for telephone befriending: an offer of befriending in general
    counts half, and says so."""
    make_offer(session, ("Telephone befriending",), "chester", name="Phone Friends")
    lonely = make_request(session, ("Loneliness and isolation",), "chester")
    session.commit()
    [phone] = candidates(session, lonely)
    assert phone.name == "Phone Friends" and phone.parts["need"] == 1.0
    assert phone.reasons[0] == "Offers telephone befriending"

    make_offer(session, ("Befriending",), "chester", name="General Friends")
    calls = make_request(session, ("Telephone befriending",), "chester")
    session.commit()
    found = candidates(session, calls)
    assert names(found) == ["Phone Friends", "General Friends"]
    general = by_name(found, "General Friends")
    assert general.parts["need"] == weights.BROADER_NEED
    assert general.reasons[0] == "Offers befriending in general"


def test_an_offer_of_nothing_asked_for_is_not_a_candidate(session):
    make_offer(session, ("Debt advice",), "chester", name="Money Help")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    assert candidates(session, request) == []


# Place -----------------------------------------------------------------------------------


def test_an_offer_out_of_its_radius_is_never_a_candidate(session):
    """Northwich is about 26 km from Chester: a 5 km offer there never appears, however good
    a match; the same offer travelling 40 km does (the control)."""
    make_offer(session, ("Food",), "northwich", radius_km=5, name="Northwich Shoppers")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    assert candidates(session, request, limit=100) == []

    make_offer(session, ("Food",), "northwich", radius_km=40, name="Northwich Drivers")
    session.commit()
    [far] = candidates(session, request, limit=100)
    assert far.name == "Northwich Drivers"
    assert far.reasons[1].startswith("2") and far.reasons[1].endswith("km away (goes up to 40 km)")


@pytest.mark.parametrize(
    ("areas", "place", "covered", "reason"),
    [
        (["E06000050"], "chester", True, "Covers Cheshire West and Chester"),
        (["E06000050"], "crewe", False, None),
        (["CH2"], "hoole", True, "Covers CH2"),
        (["CH2"], "chester", False, None),
        (["Cheshire West and Chester"], "winsford", True, "Covers Cheshire West and Chester"),
        (["Neston"], "neston", True, "Covers Neston"),
        (["Neston"], "winsford", False, None),
    ],
)
def test_an_offer_by_area_covers_only_its_areas(session, areas, place, covered, reason):
    make_offer(session, ("Food",), None, areas=areas, name="Area Offer")
    request = make_request(session, ("Food",), place)
    session.commit()
    found = candidates(session, request)
    assert bool(found) == covered
    if covered:
        assert found[0].reasons[1] == reason
        assert found[0].parts["place"] == weights.AREA_PLACE


def test_a_phone_or_online_service_covers_everywhere_in_its_service_area(session):
    """No venue at all: found for Neston and Winsford (both in Cheshire West and Chester,
    far apart), never for Crewe (Cheshire East)."""
    make_service(
        session, "Silver Voices", places=(), needs=("Telephone befriending",),
        service_areas=(CHESHIRE_WEST,), assured_date=TODAY,
    )  # fmt: skip
    make_service(
        session, "Crewe Calls", places=(), needs=("Telephone befriending",),
        service_areas=(CHESHIRE_EAST,), assured_date=TODAY,
    )  # fmt: skip
    neston = make_request(session, ("Befriending",), "neston")
    winsford = make_request(session, ("Befriending",), "winsford")
    crewe = make_request(session, ("Befriending",), "crewe")
    session.commit()
    for request in (neston, winsford):
        [found] = candidates(session, request)
        assert found.name == "Silver Voices" and found.distance_km is None
        assert found.reasons[1] == "By phone, online or visits across Cheshire West and Chester"
        assert found.parts["place"] == weights.AREA_PLACE
    assert names(candidates(session, crewe)) == ["Crewe Calls"]


def test_nearer_wins_when_all_else_is_equal(session):
    make_offer(session, ("Food",), "upton", radius_km=10, name="Upton Shoppers")
    make_offer(session, ("Food",), "chester_library", radius_km=10, name="City Shoppers")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    assert names(candidates(session, request)) == ["City Shoppers", "Upton Shoppers"]


def test_a_request_without_a_place_still_gets_offers_and_says_why_distance_is_missing(session):
    make_offer(session, ("Food",), "chester", name="Chester Food Run")
    request = make_request(session, ("Food",), None)
    session.commit()
    ranking = rank(session, request)
    assert names(ranking.candidates) == ["Chester Food Run"]
    assert ranking.candidates[0].parts["place"] == weights.UNKNOWN_PLACE
    assert any("no postcode" in m for m in ranking.messages)


# Capacity, status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [OfferStatus.PAUSED, OfferStatus.PENDING_CHECK, OfferStatus.CLOSED, OfferStatus.REJECTED],
)
def test_an_offer_not_active_is_never_a_candidate(session, status):
    make_offer(session, ("Food",), "chester", status=status)
    request = make_request(session, ("Food",), "chester")
    session.commit()
    assert candidates(session, request) == []


def test_a_full_offer_is_not_a_candidate_and_one_with_a_place_free_says_so(session):
    make_offer(session, ("Food",), "chester", capacity=2, in_use=2, name="Full Up")
    make_offer(session, ("Food",), "chester", capacity=3, in_use=2, name="One Left")
    make_offer(session, ("Food",), "chester", capacity=None, name="No Limit")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    found = candidates(session, request)
    assert names(found) == ["No Limit", "One Left"]
    assert "1 place free" in by_name(found, "One Left").reasons
    assert "No limit on numbers" in by_name(found, "No Limit").reasons


# Availability ----------------------------------------------------------------------------


def test_an_offer_free_when_the_person_can_be_reached_ranks_first(session):
    weekdays = [f"{d}-am" for d in ("mon", "tue", "wed", "thu", "fri")]
    make_offer(session, ("Food",), "chester", availability=["sat-pm"], name="Saturday Helper")
    make_offer(session, ("Food",), "chester", availability=weekdays, name="Weekday Helper")
    request = make_request(session, ("Food",), "chester", contact_times="weekday mornings")
    session.commit()
    found = candidates(session, request)
    assert names(found) == ["Weekday Helper", "Saturday Helper"]
    assert "Available weekday mornings" in found[0].reasons
    assert "Available Saturday afternoons, not when asked (weekday mornings)" in found[1].reasons
    assert found[1].parts["availability"] == weights.NOT_AVAILABLE


def test_any_time_matches_every_request(session):
    make_offer(session, ("Food",), "chester", availability=[], name="Any Time Helper")
    request = make_request(session, ("Food",), "chester", contact_times="Sunday evenings")
    session.commit()
    [found] = candidates(session, request)
    assert found.parts["availability"] == 1.0 and "Available any time" in found.reasons


def test_wanted_today_prefers_an_offer_free_today_or_tomorrow(session):
    today, in_three = TODAY.weekday(), (TODAY.weekday() + 3) % 7
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    make_offer(session, ("Food",), "chester", availability=[f"{days[in_three]}-am"], name="Later")
    make_offer(session, ("Food",), "chester", availability=[f"{days[today]}-am"], name="Today")
    request = make_request(session, ("Food",), "chester", urgency=Urgency.TODAY, contact_times=None)
    session.commit()
    found = candidates(session, request, today=TODAY)
    assert names(found) == ["Today", "Later"]
    assert found[1].reasons[3].endswith("; not today or tomorrow")


# Freshness -------------------------------------------------------------------------------


def test_a_stale_listing_ranks_below_a_fresh_one_otherwise_equal(session):
    fresh_listing(
        session, "Hoole Pantry A", "hoole", ("Food",), assured_date=TODAY - timedelta(400)
    )
    fresh_listing(session, "Hoole Pantry B", "hoole", ("Food",), assured_date=TODAY - timedelta(20))
    request = make_request(session, ("Food",), "chester")
    session.commit()
    found = candidates(session, request)
    assert names(found) == ["Hoole Pantry B", "Hoole Pantry A"]
    assert found[0].reasons[-1] == "Checked 2 weeks ago"
    assert found[1].reasons[-1].startswith("Not checked for over a year (last ")
    assert found[0].parts["freshness"] == 1.0 > found[1].parts["freshness"]


def test_an_offer_updated_recently_beats_one_untouched_for_a_year(session):
    from datetime import UTC, datetime

    old = datetime.now(UTC) - timedelta(days=400)
    make_offer(session, ("Food",), "chester", name="Old Offer", updated_at=old)
    make_offer(session, ("Food",), "chester", name="New Offer")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    # ``updated_at`` moves on every write: set it back after the insert.
    from sqlalchemy import update

    from directory.help_offers.models import HelpOffer

    session.execute(update(HelpOffer).where(HelpOffer.name == "Old Offer").values(updated_at=old))
    session.commit()
    found = candidates(session, request)
    assert names(found) == ["New Offer", "Old Offer"]
    assert found[1].reasons[-1] == "Updated over a year ago"


# Mixed, privacy, limits ------------------------------------------------------------------


def test_offers_and_listings_in_one_list_with_reasons_in_plain_words(session):
    fresh_listing(session, "Blacon Food Bank", "blacon", ("Food",))
    make_offer(
        session, ("Food",), "hoole", radius_km=5, capacity=4, in_use=1,
        availability=["mon-am", "tue-am", "wed-am", "thu-am", "fri-am"], name="Hoole Helpers",
    )  # fmt: skip
    request = make_request(session, ("Food",), "chester", contact_times="Weekday mornings")
    session.commit()
    found = candidates(session, request)
    assert [(c.kind, c.name) for c in found] == [
        ("offer", "Hoole Helpers"),
        ("listing", "Blacon Food Bank"),
    ]
    assert found[0].reasons == (
        "Offers food",
        "1.1 km away (goes up to 5 km)",
        "3 places free",
        "Available weekday mornings",
        "Updated today",
    )
    assert found[1].reasons == ("Helps with food", "2.1 km away", "Checked 7 days ago")
    assert 0 <= found[1].score <= found[0].score <= 100


def test_a_volunteers_name_is_never_shown_in_the_candidates(session):
    make_offer(
        session, ("Food",), "chester", kind=OfferKind.VOLUNTEER, name="Vera Volunteer",
        reference="OFF-VERA",
    )  # fmt: skip
    request = make_request(session, ("Food",), "chester")
    session.commit()
    [found] = candidates(session, request)
    assert found.name == "Volunteer offer OFF-VERA" and found.detail == "Volunteer"
    assert "Vera" not in repr(found)


def test_an_organisations_offer_is_named_by_its_listing_or_organisation_not_its_contact(session):
    """On /offer-help ``name`` is the contact person's: the organisation names the offer."""
    listing = fresh_listing(session, "Riverside Lunch Club", "chester", ("Food",))
    make_offer(session, ("Food",), "chester", name="Rita River", service_id=listing.id)
    make_offer(
        session, ("Food",), "hoole", name="Sam Smith",
        extra={"organisation_name": "Northgate Good Neighbours"},
    )  # fmt: skip
    make_offer(session, ("Food",), "upton", name="Upton Pantry")  # imported: the organisation's
    request = make_request(session, ("Food",), "chester")
    session.commit()
    offers = {c.name for c in candidates(session, request) if c.kind == "offer"}
    assert offers == {"Riverside Lunch Club", "Northgate Good Neighbours", "Upton Pantry"}


def test_limit_keeps_the_best(session):
    for n, place in enumerate(("chester", "hoole", "upton", "boughton")):
        make_offer(session, ("Food",), place, radius_km=10, name=f"Offer {n}")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    assert names(candidates(session, request, limit=2)) == ["Offer 0", "Offer 1"]


def test_drafts_and_closed_listings_are_never_candidates(session):
    from directory.listings.models import ListingStatus

    for status in (ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.CLOSED):
        fresh_listing(
            session, f"Hidden {status.value}", "chester", ("Food",), listing_status=status
        )
    request = make_request(session, ("Food",), "chester")
    session.commit()
    assert candidates(session, request) == []


def test_no_needs_recorded_gives_offers_in_the_area_and_no_listings(session):
    fresh_listing(session, "Chester Larder", "chester", ("Food",))
    make_offer(session, ("Food",), "chester", name="Local Offer")
    request = make_request(session, (), "chester")
    session.commit()
    ranking = rank(session, request)
    assert names(ranking.candidates) == ["Local Offer"]
    assert any("No needs are recorded" in m for m in ranking.messages)


def test_without_a_search_index_offers_are_still_shown_with_a_message(app, session):
    """A store with no index and nothing allowed to rebuild it (as when the disk is full):
    staff still get the offers, and are told why no listings are shown."""
    from search_index.store import get_store

    make_offer(session, ("Food",), "chester", name="Still Here")
    fresh_listing(session, "Chester Larder", "chester", ("Food",))
    request = make_request(session, ("Food",), "chester")
    session.commit()
    store = get_store(app)
    store.before_search, store.repair = [], None
    shutil.rmtree(store.root)
    ranking = rank(session, request)
    assert names(ranking.candidates) == ["Still Here"]
    assert any("cannot be searched just now" in m for m in ranking.messages)
