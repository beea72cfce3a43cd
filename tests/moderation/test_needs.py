"""The inferred-needs queue: confirm or reject each term, or confirm a listing's terms at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory.core.ids import utcnow
from directory.inference.models import InferredTerm, ReviewState
from directory.inference.services import infer_services
from directory.listings.models import ListingChange
from directory.staff.models import StaffAction
from tests.factories import make_service, term
from tests.moderation.conftest import sign_in
from tests.public.conftest import text_of


def _inferred(session, service, names, age_hours=1):
    rows = []
    for name in names:
        row = InferredTerm(
            service_id=service.id,
            taxonomy_term_id=term(session, name).id,
            link_type="need",
            method="vocabulary",
            confidence=0.8,
            evidence=f"words about {name.lower()}",
            created_at=utcnow() - timedelta(hours=age_hours),
        )
        session.add(row)
        rows.append(row)
    session.commit()
    return rows


@pytest.fixture
def listings(session):
    older = make_service(session, "Blacon Friendship Café", needs=())
    newer = make_service(session, "Hoole Debt Clinic", needs=())
    return (
        older,
        _inferred(session, older, ["Befriending", "Food"], age_hours=30),
        newer,
        _inferred(session, newer, ["Debt advice"]),
    )


def test_the_queue_groups_terms_by_listing_oldest_first(client, session, moderator, listings):
    sign_in(client, moderator)
    page = text_of(client.get("/staff/moderation/needs").data)
    assert "3 waiting on 2 listings" in page
    assert page.index("Blacon Friendship Café") < page.index("Hoole Debt Clinic")
    assert "Need: Befriending" in page and "words about food" in page
    assert "Confirm all 2" in page


def test_confirm_and_reject_one_term(client, session, moderator, listings):
    _older, (befriending, food), newer, (debt,) = listings
    sign_in(client, moderator)
    seq = session.scalar(select(ListingChange.seq).order_by(ListingChange.seq.desc()).limit(1))

    assert client.post(f"/staff/moderation/needs/terms/{befriending.id}/confirm").status_code == 302
    assert client.post(f"/staff/moderation/needs/terms/{debt.id}/reject").status_code == 302

    session.expire_all()
    assert session.get(InferredTerm, befriending.id).review == ReviewState.CONFIRMED
    assert session.get(InferredTerm, debt.id).review == ReviewState.REJECTED
    assert session.get(InferredTerm, food.id).review == ReviewState.INFERRED
    actions = session.scalars(select(StaffAction).order_by(StaffAction.id)).all()
    assert [(a.action, a.target_id, a.detail["term"]) for a in actions] == [
        ("inferred_term.confirm", befriending.service_id, "Befriending"),
        ("inferred_term.reject", newer.id, "Debt advice"),
    ]
    changed = session.scalars(select(ListingChange.service_id).where(ListingChange.seq > seq)).all()
    assert set(changed) == {befriending.service_id, newer.id}  # the search index re-reads them
    page = text_of(client.get("/staff/moderation/needs").data)
    assert "1 waiting on 1 listing" in page and "Hoole Debt Clinic" not in page


def test_a_rejected_term_is_never_inferred_again(session, moderator, listings, request_context):
    from directory.moderation.needs import review_term

    newer, (debt,) = listings[2], listings[3]
    newer.description = "Debt advice: free help with debt, arrears and bills."
    session.commit()
    review_term(session, debt.id, moderator, confirm=False)
    session.commit()
    infer_services(session, [newer.id])
    rows = session.scalars(select(InferredTerm).where(InferredTerm.service_id == newer.id)).all()
    assert [(r.taxonomy_term_id, r.review) for r in rows] == [
        (debt.taxonomy_term_id, ReviewState.REJECTED)
    ]


def test_confirm_every_term_of_a_listing(client, session, moderator, listings):
    older, rows = listings[0], listings[1]
    sign_in(client, moderator)
    response = client.post(
        f"/staff/moderation/needs/listings/{older.id}/confirm", data={"page": "1"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert {session.get(InferredTerm, r.id).review for r in rows} == {ReviewState.CONFIRMED}
    response = client.post(
        f"/staff/moderation/needs/listings/{older.id}/confirm", follow_redirects=True
    )
    assert "no terms waiting for review" in text_of(response.data)


def test_a_decided_term_cannot_be_decided_again(client, session, moderator, listings):
    befriending = listings[1][0]
    sign_in(client, moderator)
    client.post(f"/staff/moderation/needs/terms/{befriending.id}/confirm")
    response = client.post(
        f"/staff/moderation/needs/terms/{befriending.id}/reject", follow_redirects=True
    )
    assert "no longer waiting for review" in text_of(response.data)
    session.expire_all()
    assert session.get(InferredTerm, befriending.id).review == ReviewState.CONFIRMED
    assert client.post(f"/staff/moderation/needs/terms/{befriending.id}/maybe").status_code == 400
