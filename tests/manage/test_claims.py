""" "Is this you? Ask to manage it": likely existing listings by name, organisation name,
postcode, phone, email or website, and the claim an organisation makes from them."""

from __future__ import annotations

from sqlalchemy import select

from directory.core.ids import new_id
from directory.listings.models import ListingStatus
from directory.manage.claims import Details, likely_matches
from directory.moderation.models import Claim, ClaimState
from tests.factories import make_organization, make_service
from tests.manage.journey import GOOD_ANSWERS, location, post_step, read, start


def _names(session, details: Details, **kwargs) -> dict[str, list[str]]:
    return {m.service.name: m.reasons for m in likely_matches(session, details, **kwargs)}


def test_each_kind_of_evidence_finds_the_listing(session, world):
    cases = {
        "a similar name": Details(name="Hoole Knit & Natter"),
        "an organisation with a similar name": Details(
            organisation_name="Hoole Friends Together CIC"
        ),
        "the same phone number": Details(phone="+44 1632 960555"),
        "the same email address": Details(email="KNIT@hoole-friends.example.org"),
        "the same website": Details(website="www.hoole-friends-together.example.org/about"),
        "the same postcode": Details(name="Tea Dance", postcode="ch2 3ae"),
    }
    for reason, details in cases.items():
        assert _names(session, details) == {"Hoole Knit and Natter": [reason]}, reason
    assert (
        _names(
            session,
            Details(
                name="Winsford Youth Club",
                phone="01632 960111",
                email="youth@example.net",
                postcode="CW7 1AA",
                website="https://youth.example.net",
            ),
        )
        == {}
    )


def test_several_kinds_of_evidence_rank_a_listing_first(session, world):
    make_service(session, "Knit Club", places=("chester",), phone="01632 960444")
    session.commit()
    found = likely_matches(session, Details(name="Knit and Natter", phone="01632 960555"))
    assert found[0].service.name == "Hoole Knit and Natter"
    assert found[0].reasons == ["a similar name", "the same phone number"]


def test_a_busy_postcode_needs_a_related_name(session, world):
    org = make_organization(session, "Hoole Community Centre Trust")
    for name in ("Bingo", "Chair Yoga", "Toddler Time", "Wednesday Lunch"):
        make_service(session, name, organization=org, places=("hoole",), phone="01632 960300")
    session.commit()
    assert _names(session, Details(name="Tea Dance", postcode="CH2 3AE")) == {}
    assert _names(session, Details(name="Hoole Knit Club", postcode="CH2 3AE")) == {
        "Hoole Knit and Natter": ["the same postcode"]
    }


def test_a_page_on_a_shared_platform_matches_only_as_a_whole(session, world):
    make_service(session, "Lache Larder", url="https://www.facebook.com/lachelarder")
    session.commit()
    assert _names(session, Details(website="facebook.com/someothergroup")) == {}
    assert _names(session, Details(website="https://facebook.com/lachelarder/")) == {
        "Lache Larder": ["the same website"]
    }


def test_own_claimed_and_hidden_listings_are_not_offered(session, world):
    details = Details(phone="01632 960555")
    assert _names(session, details, organization_id=world.org_b.id) == {}
    session.add(Claim(service_id=world.listing_b.id, organization_id=world.org_a))
    session.commit()
    assert _names(session, details, organization_id=world.org_a) == {}
    assert _names(session, details, organization_id=new_id()) != {}
    assert _names(session, details, exclude={world.listing_b.id}) == {}
    world.listing_b.listing_status = ListingStatus.CLOSED
    session.commit()
    assert _names(session, details) == {}


def test_a_claim_from_the_organisation_step_reaches_the_manage_page(session, world, member_client):
    pid = start(member_client, world.org_a)
    answers = GOOD_ANSWERS["organisation"] | {"phone": "01632 960555"}
    matches = location(post_step(member_client, pid, "organisation", answers))
    assert matches.endswith(f"/manage/proposals/{pid}/matches?after=organisation")
    page = read(member_client.get(matches))
    assert "Is this you?" in page.text
    assert "Hoole Knit and Natter" in page.text and "the same phone number" in page.text
    claim_url = f"/manage/organisations/{world.org_a}/claim/{world.listing_b.id}?proposal={pid}"
    assert f'href="{claim_url}"'.replace("&", "&amp;") in page.html or claim_url in page.html

    form = read(member_client.get(claim_url))
    assert "Ask to manage this listing" in form.text
    refused = read(member_client.post(claim_url, data={"message": "  "}))
    assert refused.error_summary() == ["Tell us how you are connected with this listing"]
    sent = location(member_client.post(claim_url, data={"message": "I run it on Wednesdays."}))
    assert "sent=1" in sent
    confirmation = read(member_client.get(sent))
    assert "Request sent" in confirmation.text and "What happens next" in confirmation.text
    assert "Carry on registering a different service" in confirmation.text

    (claim,) = session.scalars(select(Claim)).all()
    assert claim.state == ClaimState.OPEN
    assert (claim.service_id, claim.organization_id) == (world.listing_b.id, world.org_a)
    assert claim.user_id == world.member.id and claim.message == "I run it on Wednesdays."
    # A second request goes to the first one.
    assert location(member_client.get(claim_url)).startswith(f"/manage/claims/{claim.id}")
    dashboard = read(member_client.get("/manage/"))
    assert "Requests to manage a listing" in dashboard.text
    assert "Hoole Knit and Natter" in dashboard.text and "Waiting for a moderator" in dashboard.text
    # The claimed listing is not offered again.
    assert location(post_step(member_client, pid, "organisation", answers)).endswith("/service")


def test_carrying_on_past_the_matches_does_not_offer_them_again(world, member_client):
    pid = start(member_client, world.org_a)
    location(post_step(member_client, pid, "organisation", GOOD_ANSWERS["organisation"]))
    service = GOOD_ANSWERS["service"] | {"name": "Knit and Natter"}
    matches = location(post_step(member_client, pid, "service", service))
    assert "/matches?after=service" in matches
    assert location(member_client.post(matches, data={})).endswith(f"/proposals/{pid}/who")
    assert location(post_step(member_client, pid, "service", service)).endswith("/who")


def test_an_organisation_cannot_claim_its_own_or_a_missing_listing(world, client):
    from tests.auth import sign_in_as

    sign_in_as(client, world.other)
    base = f"/manage/organisations/{world.org_b.id}/claim"
    assert client.get(f"{base}/{world.listing_b.id}").status_code == 404
    assert client.get(f"{base}/{new_id()}").status_code == 404
