"""/staff/offers: the list by status with no personal details, each offer's page (every view
logged), and the actions, each with its staff log row; nobody but staff gets in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory.core.ids import utcnow
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_offers.services import OfferAnswers, active_offers, create_offer
from directory.privacy.models import PersonalDataAccess
from directory.staff.models import StaffAction


def _make(world, name: str, status: OfferStatus, days_ago: int, **extra) -> str:
    def work(session) -> str:
        offer = create_offer(session, _answers(name))
        offer.status = status
        offer.created_at = utcnow() - timedelta(days=days_ago)
        for key, value in extra.items():
            setattr(offer, key, value)
        return offer.id

    return world.run(work)


def _answers(name: str) -> OfferAnswers:
    return OfferAnswers(
        kind=OfferKind.VOLUNTEER,
        needs=["some-need"],
        description=f"{name} can help with shopping",
        name=name,
        consent=True,
        postcode="CH2 3AE",
        outcode="CH2",
        radius_km=3.0,
        phone="07700 900123",
        email=f"{name.lower()}@example.net",
    )


def _offer(world, offer_id: str) -> HelpOffer:
    def read(session):
        offer = session.get(HelpOffer, offer_id)
        session.expunge(offer)
        return offer

    return world.run(read)


def _actions(world, offer_id: str) -> list[tuple]:
    return world.run(
        lambda s: [
            (a.user_id, a.action, a.target_type, a.detail)
            for a in s.scalars(select(StaffAction).where(StaffAction.target_id == offer_id))
        ]
    )


def _views(world, offer_id: str) -> list[tuple]:
    return world.run(
        lambda s: [
            (a.user_id, a.record_type, a.action)
            for a in s.scalars(
                select(PersonalDataAccess).where(PersonalDataAccess.record_id == offer_id)
            )
        ]
    )


def test_the_list_puts_pending_first_oldest_first_without_personal_details(world):
    newer = _make(world, "Newer", OfferStatus.PENDING_CHECK, 1)
    older = _make(world, "Older", OfferStatus.PENDING_CHECK, 9)
    _make(world, "Active", OfferStatus.ACTIVE, 5)
    page = world.client("moderator").get("/staff/offers")
    assert page.status_code == 200
    assert "Waiting for a check (2)" in page.text and "Active (1)" in page.text
    refs = [_offer(world, i).reference for i in (older, newer)]
    assert page.text.index(refs[0]) < page.text.index(refs[1])
    for personal in ("Older", "Newer", "07700", "@example.net", "CH2 3AE"):
        assert personal not in page.text
    assert "Within 3 km of CH2" in page.text
    assert 'class="app-table-scroll"' in page.text
    active = world.client("moderator").get("/staff/offers?status=active")
    assert "Active (1)" in active.text and _offer(world, older).reference not in active.text
    assert world.client("moderator").get("/staff/offers?status=nonsense").status_code == 200
    assert _views(world, older) == []  # the list shows nobody's details: nothing to log


def test_the_offer_page_shows_personal_details_to_staff_and_logs_each_view(world):
    offer_id = _make(world, "Val", OfferStatus.PENDING_CHECK, 2)
    staff = world.client("moderator")
    for _ in range(2):
        page = staff.get(f"/staff/offers/{offer_id}")
        assert page.status_code == 200
        for shown in ("Val", "07700 900123", "val@example.net", "CH2 3AE"):
            assert shown in page.text
    assert _views(world, offer_id) == [(world.ids["moderator"], "help_offer", "view")] * 2
    assert world.client("moderator").get("/staff/offers/not-an-offer").status_code == 404


@pytest.mark.parametrize("who", [None, "member_a"])
def test_nobody_but_staff_sees_an_offer(world, who):
    offer_id = _make(world, "Val", OfferStatus.PENDING_CHECK, 2)
    client = world.client(who)
    for method, url in (
        ("get", "/staff/offers"),
        ("get", f"/staff/offers/{offer_id}"),
        ("post", f"/staff/offers/{offer_id}/approve"),
        ("post", f"/staff/offers/{offer_id}/reject"),
        ("post", f"/staff/offers/{offer_id}/capacity"),
    ):
        response = getattr(client, method)(url, data={"reject-reason": "x"})
        if who is None:
            assert response.status_code == 302 and "/account/sign-in" in response.location
        else:
            assert response.status_code == 403
        assert "val@example.net" not in response.text
    assert _views(world, offer_id) == [] and _actions(world, offer_id) == []
    assert _offer(world, offer_id).status == OfferStatus.PENDING_CHECK


def test_approve_pause_resume_and_close_each_logged(world):
    offer_id = _make(world, "Val", OfferStatus.PENDING_CHECK, 2)
    staff = world.client("moderator")
    mo = world.ids["moderator"]

    response = staff.post(f"/staff/offers/{offer_id}/approve")
    assert response.status_code == 303
    offer = _offer(world, offer_id)
    assert offer.status == OfferStatus.ACTIVE and offer.checked_by == mo
    assert offer.checked_at is not None
    assert offer_id in {o.id for o in world.run(active_offers)}
    assert "matching can use it" in staff.get(f"/staff/offers/{offer_id}").text

    staff.post(f"/staff/offers/{offer_id}/pause")
    assert _offer(world, offer_id).status == OfferStatus.PAUSED
    assert offer_id not in {o.id for o in world.run(active_offers)}
    staff.post(f"/staff/offers/{offer_id}/approve")  # active again
    staff.post(f"/staff/offers/{offer_id}/close")
    assert _offer(world, offer_id).status == OfferStatus.CLOSED

    assert _actions(world, offer_id) == [
        (mo, "offer.approve", "help_offer", {"from": "pending_check", "to": "active"}),
        (mo, "offer.pause", "help_offer", {"from": "active", "to": "paused"}),
        (mo, "offer.approve", "help_offer", {"from": "paused", "to": "active"}),
        (mo, "offer.close", "help_offer", {"from": "active", "to": "closed"}),
    ]


def test_an_action_its_status_does_not_allow_changes_nothing(world):
    offer_id = _make(world, "Val", OfferStatus.CLOSED, 2)
    staff = world.client("moderator")
    for action in ("approve", "pause", "close"):
        response = staff.post(f"/staff/offers/{offer_id}/{action}")
        assert response.status_code == 303
    page = staff.get(f"/staff/offers/{offer_id}")
    assert "This offer is closed, so it cannot be closed" in page.text
    assert _offer(world, offer_id).status == OfferStatus.CLOSED
    assert _actions(world, offer_id) == []
    # Nor does the page offer buttons it would refuse.
    assert f"/staff/offers/{offer_id}/approve" not in page.text


def test_rejecting_needs_a_reason_kept_on_the_offer_not_in_the_staff_log(world):
    offer_id = _make(world, "Val", OfferStatus.PENDING_CHECK, 2)
    staff = world.client("moderator")
    blank = staff.post(f"/staff/offers/{offer_id}/reject", data={"reject-reason": "  "})
    assert blank.status_code == 400
    assert "Enter why the offer is rejected" in blank.text and 'href="#reject-reason"' in blank.text
    assert _offer(world, offer_id).status == OfferStatus.PENDING_CHECK

    reason = "We could not reach them on the number given"
    done = staff.post(f"/staff/offers/{offer_id}/reject", data={"reject-reason": reason})
    assert done.status_code == 303
    offer = _offer(world, offer_id)
    assert offer.status == OfferStatus.REJECTED and offer.extra["rejected_reason"] == reason
    [(_, action, _, detail)] = _actions(world, offer_id)
    assert action == "offer.reject" and reason not in repr(detail)
    assert reason in staff.get(f"/staff/offers/{offer_id}").text


def test_capacity_changes_are_checked_and_logged(world):
    offer_id = _make(world, "Val", OfferStatus.ACTIVE, 2, capacity=4, in_use=2)
    staff = world.client("moderator")
    for value, message in (
        ("many", "Enter the number of people as a whole number"),
        ("0", "Enter a number from 1 to 500"),
    ):
        page = staff.post(f"/staff/offers/{offer_id}/capacity", data={"capacity-capacity": value})
        assert page.status_code == 400 and message in page.text
    below = staff.post(f"/staff/offers/{offer_id}/capacity", data={"capacity-capacity": "1"})
    assert below.status_code == 303
    assert "It is helping 2 people now" in staff.get(f"/staff/offers/{offer_id}").text
    assert _offer(world, offer_id).capacity == 4

    staff.post(f"/staff/offers/{offer_id}/capacity", data={"capacity-capacity": "2"})
    assert _offer(world, offer_id).capacity == 2
    assert offer_id not in {o.id for o in world.run(active_offers)}  # full now
    staff.post(f"/staff/offers/{offer_id}/capacity", data={"capacity-capacity": ""})
    assert _offer(world, offer_id).capacity is None
    assert [a[3] for a in _actions(world, offer_id)] == [
        {"before": 4, "after": 2},
        {"before": 2},
    ]


def test_the_staff_home_links_to_offers_with_the_count_waiting(world):
    _make(world, "Val", OfferStatus.PENDING_CHECK, 2)
    home = world.client("moderator").get("/staff/")
    assert 'href="/staff/offers' in home.text
    assert "1 waiting for a check" in home.text
