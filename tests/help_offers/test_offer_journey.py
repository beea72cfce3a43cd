"""/offer-help from start to reference number, for a volunteer, an organisation member and an
organisation without an account, with the rules that decide whether an offer can be used."""

from __future__ import annotations

import base64
import re
import zlib

from sqlalchemy import select

from directory.accounts.models import Membership
from directory.help_offers.models import HelpOffer, HelpOfferDraft, OfferKind, OfferStatus
from directory.help_offers.services import active_offers
from tests.factories import term
from tests.help_offers.conftest import POSTCODE, answer, send, walk

REFERENCE = re.compile(r"OFF-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}")


def _offers(world) -> list[HelpOffer]:
    def read(session):
        offers = list(session.scalars(select(HelpOffer).order_by(HelpOffer.created_at)))
        session.expunge_all()
        return offers

    return world.run(read)


def test_the_start_page_needs_no_account(world):
    page = world.client().get("/offer-help")
    assert page.status_code == 200
    assert "Offer help in your community" in page.text
    assert 'href="/offer-help/who"' in page.text


def test_a_volunteer_offer_waits_for_a_check_and_is_not_used_until_approved(world):
    client = world.client()
    walk(client)
    check = client.get("/offer-help/check")
    assert check.status_code == 200
    for shown in (
        "Me, as a volunteer",
        "Money",
        "Family",
        "weekly shopping",
        f"Within 5 km of {POSTCODE}",
        "Monday: morning",
        "Wednesday: afternoon",
        "Saturday: evening",
        "Val Unteer",
        "07700 900982",
        "val@example.net",
    ):
        assert shown in check.text, shown
    assert 'name="website"' in check.text  # the honeypot

    sent = send(client)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/offer-help/sent")
    page = client.get("/offer-help/sent")
    reference = REFERENCE.search(page.text).group(0)
    assert "will not put anyone in touch with you until your offer has been checked" in page.text

    [offer] = _offers(world)
    assert offer.reference == reference
    assert offer.kind == OfferKind.VOLUNTEER
    assert offer.status == OfferStatus.PENDING_CHECK
    assert offer.organization_id is None and offer.service_id is None
    assert offer.postcode == POSTCODE and offer.outcode == "CH1"
    assert abs(offer.latitude - 53.19) < 0.01 and abs(offer.longitude + 2.89) < 0.01
    assert offer.radius_km == 5
    assert offer.availability == ["mon-am", "wed-pm", "sat-eve"]
    assert offer.capacity == 3 and offer.in_use == 0
    assert (offer.name, offer.phone, offer.email) == (
        "Val Unteer",
        "07700 900982",
        "val@example.net",
    )
    needs = world.run(lambda s: {term(s, "Money").id, term(s, "Family").id})
    assert set(offer.needs) == needs

    # Not used for matching until staff approve it.
    assert world.run(active_offers) == []
    staff = world.client("moderator")
    assert staff.post(f"/staff/offers/{offer.id}/approve").status_code == 303
    assert [o.id for o in world.run(active_offers)] == [offer.id]

    # The draft is gone, and going back to the check page starts again.
    assert world.run(lambda s: s.query(HelpOfferDraft).count()) == 0
    assert client.get("/offer-help/check").headers["Location"].endswith("/offer-help")


def test_the_cookie_holds_a_token_not_the_answers(world):
    client = world.client()
    walk(client)
    cookie = client.get_cookie("session")
    raw = cookie.value  # signed, not encrypted: anyone holding it can read it
    body = raw.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if raw.startswith("."):
        data = zlib.decompress(data)
    text = data.decode()
    assert "offer_help_draft" in text
    for personal in ("Val Unteer", "07700", "val@example.net", "CH1", "shopping"):
        assert personal not in text


def test_an_organisation_member_links_their_listing_and_the_offer_is_active_at_once(world):
    client = world.client("member_a")
    response = answer(client, "who", {"kind": "organisation"})
    assert response.headers["Location"].endswith("/offer-help/listing")
    listing_page = client.get("/offer-help/listing")
    assert "Riverside Lunch Club" in listing_page.text
    assert "Hillside Carers Cafe" not in listing_page.text
    walk(
        client,
        who={"kind": "organisation"},
        listing={"listing": world.ids["svc_a"]},
        capacity={"capacity": ""},
        when={"any_time": "y"},
    )
    check = client.get("/offer-help/check")
    assert "Riverside Lunch Club" in check.text
    assert "Any time" in check.text and "No set limit" in check.text
    assert send(client).status_code == 303
    page = client.get("/offer-help/sent")
    assert "it is active now" in page.text

    [offer] = _offers(world)
    assert offer.kind == OfferKind.ORGANISATION
    assert offer.status == OfferStatus.ACTIVE
    assert (offer.organization_id, offer.service_id) == (world.ids["org_a"], world.ids["svc_a"])
    assert offer.availability == [] and offer.capacity is None
    assert [o.id for o in world.run(active_offers)] == [offer.id]


def test_organisation_b_cannot_link_organisation_a_listing(world):
    client = world.client("member_b")
    answer(client, "who", {"kind": "organisation"})
    page = answer(client, "listing", {"listing": world.ids["svc_a"]})
    assert page.status_code == 200
    assert "Select the listing this offer is from" in page.text
    assert "Riverside" not in page.text
    # Nothing was linked: the journey is still on the listing page.
    assert client.get("/offer-help/needs").headers["Location"].endswith("/offer-help/listing")


def test_a_member_who_leaves_the_organisation_midway_cannot_link_its_listing(world):
    client = world.client("member_a")
    walk(client, who={"kind": "organisation"}, listing={"listing": world.ids["svc_a"]})

    def leave(session):
        for membership in session.scalars(select(Membership)):
            if membership.user_id == world.ids["member_a"]:
                session.delete(membership)

    world.run(leave)
    # The listing is forgotten, so the organisation's name is asked for instead.
    assert client.get("/offer-help/check").headers["Location"].endswith("/offer-help/contact")
    answer(
        client,
        "contact",
        {"organisation_name": "Riverside", "name": "Rita", "phone": "01632 960001"},
    )
    send(client)
    [offer] = _offers(world)
    assert offer.status == OfferStatus.PENDING_CHECK and offer.service_id is None


def test_signing_out_forgets_the_draft(world):
    client = world.client("member_a")
    walk(client, who={"kind": "organisation"}, listing={"listing": world.ids["svc_a"]})
    client.post("/account/sign-out")
    assert client.get("/offer-help/check").headers["Location"].endswith("/offer-help")


def test_an_organisation_without_an_account_waits_for_a_check(world):
    client = world.client()
    response = answer(client, "who", {"kind": "organisation"})
    assert response.headers["Location"].endswith("/offer-help/needs")  # no listing page
    missing = answer(client, "contact", {"name": "Sam", "phone": "01632 960001"})
    assert missing.status_code == 303  # earlier pages first: sent back to them
    walk(
        client,
        who={"kind": "organisation"},
        contact={"organisation_name": "Upton Good Neighbours", "name": "Sam Smith",
                 "phone": "01632 960001", "email": ""},
    )  # fmt: skip
    assert "Upton Good Neighbours" in client.get("/offer-help/check").text
    send(client)
    [offer] = _offers(world)
    assert offer.kind == OfferKind.ORGANISATION
    assert offer.status == OfferStatus.PENDING_CHECK
    assert offer.extra["organisation_name"] == "Upton Good Neighbours"
    assert offer.email is None and offer.phone == "01632 960001"


def test_changing_who_from_volunteer_to_organisation_asks_for_the_organisation_name(world):
    client = world.client()
    walk(client)
    response = answer(client, "who", {"kind": "organisation"})
    assert response.headers["Location"].endswith("/offer-help/contact")
    page = client.get("/offer-help/contact")
    assert "Name of your organisation or group" in page.text
    done = answer(client, "contact", {"organisation_name": "Hoole Helpers", "name": "Val",
                                      "phone": "07700 900982"})  # fmt: skip
    assert done.headers["Location"].endswith("/offer-help/check")


def test_a_change_link_comes_back_to_the_check_page(world):
    client = world.client()
    walk(client)
    response = answer(client, "capacity", {"capacity": "7"})
    assert response.headers["Location"].endswith("/offer-help/check")
    assert "7" in client.get("/offer-help/check").text


def test_pages_ahead_of_the_answers_send_the_person_back(world):
    client = world.client()
    for slug in ("needs", "contact", "consent", "check"):
        response = client.get(f"/offer-help/{slug}")
        assert response.status_code == 303
    assert client.get("/offer-help/sent").headers["Location"].endswith("/offer-help")
    # Someone without listings never sees the listing page.
    answer(client, "who", {"kind": "organisation"})
    assert client.get("/offer-help/listing").headers["Location"].endswith("/offer-help/needs")


def test_areas_and_place_names_without_a_postcode(world):
    client = world.client()
    walk(
        client,
        where={"area_codes": ["E06000050", "E99999999"], "places": "Blacon\n\nfrodsham\nBlacon"},
    )
    send(client)
    [offer] = _offers(world)
    assert offer.postcode is None and offer.radius_km is None
    assert offer.areas[0] == "E06000050"
    assert offer.areas == ["E06000050", "Blacon", "Frodsham"]


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(world):
    client = world.client()
    walk(client)
    response = send(client, website="http://spam.example")
    assert response.status_code == 303
    assert REFERENCE.search(client.get("/offer-help/sent").text)
    assert _offers(world) == []
