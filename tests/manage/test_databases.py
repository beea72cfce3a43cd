"""The manage functions on both databases: the claim queries, the place search and a draft
saved step by step, called without a request (as any other part may call them)."""

from __future__ import annotations

from directory.core.actor import Actor
from directory.core.ids import new_id
from directory.core.uow import unit_of_work
from directory.manage import services
from directory.manage.claims import Details, likely_matches, make_claim
from directory.manage.places import search_places
from directory.moderation.apply import apply_proposal
from directory.moderation.models import ClaimState, ProposalState
from tests.factories import make_location, make_organization, make_service, make_taxonomy


def test_a_draft_claims_and_places_on_each_database(any_session):
    session = any_session
    terms = make_taxonomy(session)
    org = make_organization(session, "Hoole Friends Together")
    listing = make_service(
        session, "Hoole Knit and Natter", organization=org, places=("hoole",), phone="01632 960555"
    )
    hub = make_location(session, "blacon")
    session.commit()

    found = likely_matches(
        session,
        Details(
            name="Knit & Natter",
            phone="01632960555",
            email=org.email,
            website=org.website,
            postcode="CH2 3AE",
        ),
    )
    assert [m.service.id for m in found] == [listing.id]
    assert set(found[0].reasons) == {
        "a similar name",
        "the same phone number",
        "the same email address",
        "the same website",
        "the same postcode",
    }
    assert [p.id for p in search_places(session, "blacon community")] == [hub.id]
    assert [p.id for p in search_places(session, "CH1 5BE")] == [hub.id]

    org_id, user = new_id(), None
    with unit_of_work(session, Actor.system("test")):
        claim = make_claim(session, listing.id, org_id, user, "We run it now")
    assert claim.state == ClaimState.OPEN
    assert likely_matches(session, Details(phone="01632 960555"), organization_id=org_id) == []

    answers = {
        "organisation": {"name": "Blacon Baby Bounce", "email": "", "website": "", "phone": ""},
        "service": {"name": "Baby Bounce", "description": "Songs and rhymes for babies."},
        "who": {"client_groups": [terms["Carers"].id], "minimum_age": "", "maximum_age": "4"},
        "cost": {"cost": "donation", "details": ""},
        "access": {"access": "book", "how": "Phone to book."},
        "contact": {"contact_name": "", "phone": "01632 960777", "email": ""},
        "where": {"mode": "place", "also": []},
        "place": {"location_id": hub.id},
        "when": {
            "sessions": [
                {
                    "frequency": "monthly",
                    "days": ["FR"],
                    "week": "-1",
                    "first_date": "",
                    "opens": "10:00",
                    "closes": "11:00",
                }
            ],
            "notes": "",
        },
        "area": {"areas": [], "other": "Blacon"},
        "needs": {"needs": [terms["Parenting support"].id]},
    }
    with unit_of_work(session, Actor.system("test")):
        proposal = services.start_new(session, org_id, None)
    for slug, values in answers.items():
        with unit_of_work(session, Actor.system("test")):
            services.save_step(session, proposal, slug, values)
    with unit_of_work(session, Actor.system("test")):
        assert services.submit(session, proposal).errors == []
    assert proposal.state == ProposalState.SUBMITTED
    with unit_of_work(session, Actor.system("moderator")):
        service = apply_proposal(session, proposal)
    session.expire_all()
    assert service.is_public
    (schedule,) = service.schedules
    assert (schedule.freq, schedule.byday) == ("MONTHLY", "-1FR")
    assert service.service_at_locations[0].location_id == hub.id
    assert service.cost_options[0].option == "Donation"
    assert service.referral == "self_referral"
    assert [a.name for a in service.service_areas] == ["Blacon"]
