"""The console's actions as plain functions, each in a unit of work as the views run them:
assign, log a contact attempt, record the outcome; what each leaves in the staff log and the
personal data access log; offers' places taken atomically (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.accounts.models import StaffRole
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_requests.models import ContactAttempt, HelpRequest, Outcome, RequestStatus
from directory.listings.models import ListingStatus
from directory.matching import services
from directory.matching.services import MatchingError
from directory.privacy.models import PersonalDataAccess
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.factories import make_service
from tests.matching.conftest import make_offer, make_request


def run(session, user, action, *args, **kwargs):
    with unit_of_work(session, Actor.user(user.id)):
        return action(session, *args, **kwargs)


def log_rows(session, request_id):
    return [
        (a.action, a.detail)
        for a in session.scalars(
            select(StaffAction).where(StaffAction.target_id == request_id).order_by(StaffAction.id)
        )
    ]


def access_rows(session, request_id):
    return [
        (a.user_id, a.action)
        for a in session.scalars(
            select(PersonalDataAccess).where(PersonalDataAccess.record_id == request_id)
        )
    ]


def test_assign_to_me_a_colleague_and_back_to_nobody(session, moderator, colleague):
    request = make_request(session)
    session.commit()
    run(session, moderator, services.assign, request, moderator.id, moderator.id)
    assert (request.status, request.assigned_to) == (RequestStatus.ASSIGNED, moderator.id)
    run(session, moderator, services.assign, request, colleague.id, moderator.id)
    assert request.assigned_to == colleague.id
    run(session, moderator, services.assign, request, colleague.id, moderator.id)  # no change
    run(session, moderator, services.assign, request, None, moderator.id)
    assert (request.status, request.assigned_to) == (RequestStatus.OPEN, None)
    assert log_rows(session, request.id) == [
        ("help_request.assign", {"reference": request.reference, "assigned_to": moderator.id}),
        ("help_request.assign", {"reference": request.reference, "assigned_to": colleague.id}),
        ("help_request.assign", {"reference": request.reference, "assigned_to": None}),
    ]


def test_only_active_staff_can_be_given_a_request(session, moderator):
    request = make_request(session)
    member = create_user(session, "member@group.example.org")
    gone = create_user(session, "gone@council.example.org", staff_role=StaffRole.MODERATOR)
    gone.is_disabled = True
    session.commit()
    for who in (member.id, gone.id, "no-such-user"):
        with pytest.raises(MatchingError, match="member of staff"):
            run(session, moderator, services.assign, request, who, moderator.id)
    assert session.get(HelpRequest, request.id).assigned_to is None


def test_a_contact_attempt_is_kept_and_logged_without_its_words(session, moderator):
    request = make_request(session)
    session.commit()
    run(
        session,
        moderator,
        services.log_contact_attempt,
        request,
        moderator.id,
        "phone",
        False,
        "Left a voicemail\x00 for Pat on 07700 900123\r\n",
    )
    [attempt] = session.scalars(select(ContactAttempt)).all()
    assert (attempt.method, attempt.succeeded, attempt.by) == ("phone", False, moderator.id)
    assert attempt.note == "Left a voicemail for Pat on 07700 900123"
    assert access_rows(session, request.id) == [(moderator.id, "contact")]
    [(action, detail)] = log_rows(session, request.id)
    assert action == "help_request.contact_attempt"
    assert detail == {"reference": request.reference, "method": "phone", "succeeded": False}


def test_a_contact_attempt_needs_a_known_method_and_the_persons_details(session, moderator):
    request = make_request(session)
    session.commit()
    with pytest.raises(MatchingError):
        run(session, moderator, services.log_contact_attempt, request, moderator.id, "pigeon", True)
    from directory.core.ids import utcnow

    request.anonymised_at = utcnow()
    session.commit()
    with pytest.raises(MatchingError, match="removed"):
        run(session, moderator, services.log_contact_attempt, request, moderator.id, "phone", True)
    assert session.scalars(select(ContactAttempt)).all() == []


def test_a_long_note_is_cut(session, moderator):
    request = make_request(session)
    session.commit()
    attempt = run(
        session,
        moderator,
        services.log_contact_attempt,
        request,
        moderator.id,
        "email",
        True,
        "x" * 2000,
    )
    assert len(attempt.note) == services.NOTE_MAX_LENGTH


def test_matching_to_an_offer_takes_a_place_and_closes_the_request(any_session):
    session = any_session
    staff = create_user(session, "s@council.example.org", staff_role=StaffRole.MODERATOR)
    offer = make_offer(session, capacity=2, in_use=1)
    request = make_request(session)
    session.commit()
    run(
        session,
        staff,
        services.record_outcome,
        request,
        staff.id,
        Outcome.MATCHED,
        offer_id=offer.id,
    )
    session.expire_all()
    request, offer = session.get(HelpRequest, request.id), session.get(HelpOffer, offer.id)
    assert offer.in_use == 2
    assert (request.status, request.outcome) == (RequestStatus.CLOSED, Outcome.MATCHED)
    assert request.matched_offer_id == offer.id and request.closed_at is not None
    [(action, detail)] = log_rows(session, request.id)
    assert action == "help_request.outcome" and detail["outcome"] == "matched"

    # The offer is full now: a second request cannot take a place, and nothing changes.
    second = make_request(session)
    session.commit()
    with pytest.raises(MatchingError, match="no place free"):
        run(
            session,
            staff,
            services.record_outcome,
            second,
            staff.id,
            Outcome.MATCHED,
            offer_id=offer.id,
        )
    session.expire_all()
    assert session.get(HelpOffer, offer.id).in_use == 2
    assert session.get(HelpRequest, second.id).status == RequestStatus.OPEN
    assert log_rows(session, second.id) == []


@pytest.mark.parametrize("status", [OfferStatus.PAUSED, OfferStatus.PENDING_CHECK])
def test_an_offer_not_active_cannot_be_matched(session, moderator, status):
    offer = make_offer(session, status=status)
    request = make_request(session)
    session.commit()
    with pytest.raises(MatchingError):
        run(
            session,
            moderator,
            services.record_outcome,
            request,
            moderator.id,
            Outcome.MATCHED,
            offer_id=offer.id,
        )
    assert session.get(HelpOffer, offer.id).in_use == 0


def test_an_offer_with_no_limit_counts_its_matches(session, moderator):
    offer = make_offer(session, capacity=None)
    session.commit()
    for _ in range(3):
        request = make_request(session)
        session.commit()
        run(
            session,
            moderator,
            services.record_outcome,
            request,
            moderator.id,
            Outcome.MATCHED,
            offer_id=offer.id,
        )
    session.expire_all()
    assert session.get(HelpOffer, offer.id).in_use == 3


def test_matched_or_signposted_to_a_listing(session, moderator):
    listing = make_service(session, "Chester Larder", needs=("Food",))
    matched, signposted = make_request(session), make_request(session)
    session.commit()
    run(
        session,
        moderator,
        services.record_outcome,
        matched,
        moderator.id,
        Outcome.MATCHED,
        service_id=listing.id,
    )
    run(
        session,
        moderator,
        services.record_outcome,
        signposted,
        moderator.id,
        Outcome.SIGNPOSTED,
        service_id=listing.id,
    )
    assert matched.matched_service_id == listing.id and matched.matched_offer_id is None
    assert signposted.outcome == Outcome.SIGNPOSTED and signposted.matched_service_id == listing.id


def test_a_listing_not_public_cannot_be_the_match(session, moderator):
    draft = make_service(session, "Draft Larder", listing_status=ListingStatus.DRAFT)
    request = make_request(session)
    session.commit()
    with pytest.raises(MatchingError, match="not on the public directory"):
        run(
            session,
            moderator,
            services.record_outcome,
            request,
            moderator.id,
            Outcome.MATCHED,
            service_id=draft.id,
        )


@pytest.mark.parametrize(
    ("outcome", "kwargs", "message"),
    [
        (Outcome.MATCHED, {}, "Choose the offer or listing"),
        (Outcome.MATCHED, {"offer_id": "a", "service_id": "b"}, "Choose the offer or listing"),
        (Outcome.SIGNPOSTED, {"offer_id": "a"}, "Signposting is to a listed service"),
    ],
)
def test_an_outcome_must_name_what_it_needs(session, moderator, outcome, kwargs, message):
    request = make_request(session)
    session.commit()
    with pytest.raises(MatchingError, match=message):
        run(session, moderator, services.record_outcome, request, moderator.id, outcome, **kwargs)
    assert session.get(HelpRequest, request.id).status == RequestStatus.OPEN


@pytest.mark.parametrize("outcome", [Outcome.SELF_SERVED, Outcome.NO_MATCH, Outcome.WITHDRAWN])
def test_other_outcomes_close_the_request_naming_nothing(session, moderator, outcome):
    offer = make_offer(session)
    request = make_request(session)
    session.commit()
    # An offer named with these outcomes is ignored: they name nothing.
    run(
        session,
        moderator,
        services.record_outcome,
        request,
        moderator.id,
        outcome,
        offer_id=offer.id,
    )
    assert (request.status, request.outcome) == (RequestStatus.CLOSED, outcome)
    assert request.matched_offer_id is None and session.get(HelpOffer, offer.id).in_use == 0
    with pytest.raises(MatchingError, match="already closed"):
        run(session, moderator, services.record_outcome, request, moderator.id, Outcome.NO_MATCH)
    with pytest.raises(MatchingError, match="closed"):
        run(session, moderator, services.assign, request, moderator.id, moderator.id)


def test_viewing_logs_an_access_unless_the_data_is_gone(session, moderator):
    from directory.core.ids import utcnow

    request = make_request(session)
    session.commit()
    run(session, moderator, services.viewed, request, moderator.id)
    assert access_rows(session, request.id) == [(moderator.id, "view")]
    request.anonymised_at = utcnow()
    session.commit()
    run(session, moderator, services.viewed, request, moderator.id)
    assert len(access_rows(session, request.id)) == 1
