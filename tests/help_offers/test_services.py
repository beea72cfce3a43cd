"""The offer services on their own, on SQLite and PostgreSQL: which offers matching may use,
the rules for making one, references, and drafts that do not outlive their day."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from directory.accounts.models import MemberRole
from directory.core.ids import utcnow
from directory.help_offers import drafts, journey
from directory.help_offers.models import HelpOffer, HelpOfferDraft, OfferKind, OfferStatus
from directory.help_offers.services import (
    OfferAnswers,
    OfferError,
    active_offers,
    create_offer,
    member_listings,
    new_reference,
)
from directory.listings.models import ListingStatus
from tests.auth import create_user
from tests.factories import make_organization, make_service, term


def _answers(**changes) -> OfferAnswers:
    base = {
        "kind": OfferKind.VOLUNTEER,
        "needs": ["n1"],
        "description": "Shopping",
        "name": "Val",
        "consent": True,
        "postcode": "CH1 2HJ",
        "outcode": "CH1",
        "radius_km": 5.0,
        "email": "val@example.net",
    }
    return OfferAnswers(**(base | changes))


def _offer(session, status: OfferStatus, capacity: int | None, in_use: int = 0) -> HelpOffer:
    offer = create_offer(session, _answers(capacity=capacity))
    offer.status, offer.in_use = status, in_use
    session.flush()
    return offer


def test_matching_uses_only_active_offers_with_room(any_session):
    session = any_session
    fits = _offer(session, OfferStatus.ACTIVE, None, in_use=40)
    room = _offer(session, OfferStatus.ACTIVE, 3, in_use=2)
    _offer(session, OfferStatus.ACTIVE, 3, in_use=3)  # full
    _offer(session, OfferStatus.PENDING_CHECK, None)  # not checked yet
    _offer(session, OfferStatus.PAUSED, None)
    _offer(session, OfferStatus.CLOSED, None)
    _offer(session, OfferStatus.REJECTED, None)
    session.commit()
    assert {o.id for o in active_offers(session)} == {fits.id, room.id}
    assert "matcher" in active_offers.__doc__


def test_a_volunteer_offer_is_pending_and_keeps_only_known_slots(any_session):
    offer = create_offer(any_session, _answers(availability=["sat-eve", "mon-am", "mon-am"]))
    any_session.commit()
    assert offer.status == OfferStatus.PENDING_CHECK
    assert offer.availability == ["mon-am", "sat-eve"]
    assert re.fullmatch(r"OFF-[2-9A-Z]{4}-[2-9A-Z]{2}", offer.reference)
    with pytest.raises(OfferError, match="times you are available"):
        create_offer(any_session, _answers(availability=["someday"]))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": False}, "Confirm"),
        ({"needs": []}, "at least one thing"),
        ({"description": " "}, "Describe"),
        ({"postcode": None, "areas": []}, "Say where"),
        ({"name": ""}, "Enter your name"),
        ({"email": None, "phone": None}, "phone number or an email"),
        ({"capacity": 0}, "from 1 to 500"),
    ],
)
def test_an_incomplete_offer_is_refused_with_a_reason(session, changes, message):
    with pytest.raises(OfferError, match=message):
        create_offer(session, _answers(**changes))
    assert session.scalars(select(HelpOffer)).all() == []


def test_only_a_members_own_live_listing_makes_an_active_offer(any_session):
    session = any_session
    river, hill = make_organization(session, "Riverside"), make_organization(session, "Hillside")
    mine = make_service(session, "Riverside Lunch Club", organization=river)
    theirs = make_service(session, "Hillside Cafe", organization=hill)
    draft = make_service(
        session, "Riverside Draft", organization=river, listing_status=ListingStatus.DRAFT
    )
    session.commit()
    editor = create_user(
        session, "e@river.example.org", organization_id=river.id, member_role=MemberRole.EDITOR
    )
    assert [s.id for s in member_listings(session, editor)] == [mine.id]

    organisation = {"kind": OfferKind.ORGANISATION}
    offer = create_offer(session, _answers(service_id=mine.id, **organisation), editor)
    assert offer.status == OfferStatus.ACTIVE
    assert (offer.organization_id, offer.service_id) == (river.id, mine.id)
    for other in (theirs.id, draft.id, "not-an-id"):
        with pytest.raises(OfferError, match="your own organisation"):
            create_offer(session, _answers(service_id=other, **organisation), editor)
    with pytest.raises(OfferError):
        create_offer(session, _answers(service_id=mine.id, **organisation), None)
    # A volunteer naming a listing links nothing.
    volunteer = create_offer(session, _answers(service_id=mine.id), editor)
    assert volunteer.service_id is None and volunteer.status == OfferStatus.PENDING_CHECK


def test_references_avoid_letters_that_are_misread():
    seen = {new_reference() for _ in range(300)}
    assert len(seen) == 300
    assert not any(set(r[4:]) & set("01ILOU") for r in seen)


def test_old_drafts_are_deleted_and_cannot_be_resumed(session):
    now = utcnow()
    token, fresh = drafts.start(session, now=now)
    old_token, old = drafts.start(session, now=now - timedelta(hours=drafts.DRAFT_HOURS + 1))
    session.commit()
    assert drafts.load(session, token) is fresh
    assert drafts.load(session, old_token) is None  # expired, even before it is purged
    assert drafts.load(session, "x" * 43) is None and drafts.load(session, 42) is None
    assert old.id != old_token  # the database holds a hash, not the token
    drafts.start(session)  # starting a draft purges the old ones
    session.commit()
    left = set(session.scalars(select(HelpOfferDraft.id)))
    assert old.id not in left and fresh.id in left


def test_the_purge_command_deletes_old_drafts_and_can_run_twice(app, session):
    drafts.start(session, now=utcnow() - timedelta(days=3))
    session.commit()
    first = app.test_cli_runner().invoke(args=["offers", "purge-drafts"])
    assert first.exit_code == 0 and "Deleted 1 unsent offer draft." in first.output
    second = app.test_cli_runner().invoke(args=["offers", "purge-drafts"])
    assert "Deleted 0 unsent offer drafts." in second.output
    assert session.scalars(select(HelpOfferDraft)).all() == []


def test_the_journey_rules():
    volunteer = {"kind": "volunteer", "done": ["who"]}
    assert journey.next_step(volunteer, {"s1"}) == "needs"  # no listing page for volunteers
    organisation = {"kind": "organisation", "done": ["who"]}
    assert journey.next_step(organisation, {"s1"}) == "listing"
    assert journey.next_step(organisation, set()) == "needs"
    everything = {"kind": "volunteer", "done": list(journey.SLUGS)}
    assert journey.next_step(everything, set()) is None
    # Linked to a listing: no organisation name needed; not linked: it is.
    linked = {"kind": "organisation", "listing": "s1", "done": list(journey.SLUGS)}
    assert journey.next_step(linked, {"s1"}) is None
    assert journey.next_step(journey.reconcile(linked, set()), set()) == "contact"
    assert journey.previous_step("needs", organisation, {"s1"}) == "listing"
    assert journey.previous_step("who", organisation, {"s1"}) is None
    assert journey.previous_step("check", volunteer, set()) == "consent"
    changes, drop = journey.after_answer("who", {"kind": "volunteer", "done": ["listing"]})
    assert changes["done"] == ["who"] and "listing" in drop


def test_needs_are_stored_as_term_ids(session):
    money = term(session, "Money")
    offer = create_offer(session, _answers(needs=[money.id, money.id]))
    assert offer.needs == [money.id]
