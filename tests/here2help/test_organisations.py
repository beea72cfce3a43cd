"""organisations.csv: draft listings for moderation, never a second copy of an organisation
the directory lists already (or has waiting in the queue), and offers linked to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import StaffRole
from directory.core.actor import Actor
from directory.core.ids import new_id, utcnow
from directory.core.uow import unit_of_work
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.here2help.context import derived_id, organisation_key
from directory.here2help.importer import import_here2help
from directory.listings.models import Service
from directory.listings.visibility import is_public
from directory.moderation import services as moderation
from directory.moderation.apply import check_payload
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from tests.auth import create_user
from tests.factories import make_organization, make_service
from tests.here2help.conftest import offer_row, organisation_row, write_folder


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    """Approving renders links, as in a view."""
    with app.test_request_context("/", base_url="https://directory.example.org"):
        yield


@pytest.fixture
def pantry(session: Session) -> Service:
    org = make_organization(session, "Hoole Pantry Trust")
    service = make_service(session, "Hoole Community Pantry", organization=org,
                           places=("hoole",), phone="01632 960555")  # fmt: skip
    session.commit()
    return service


def _proposals(session: Session) -> list[Proposal]:
    return list(session.scalars(select(Proposal).order_by(Proposal.created_at)))


def test_duplicates_of_a_directory_organisation_are_matched_not_created(
    session: Session, pantry: Service, tmp_path: Path
) -> None:
    folder = write_folder(
        tmp_path,
        organisations=[
            organisation_row("Hoole Pantry Trust Ltd", phone=""),  # near-same organisation
            organisation_row("The Hoole Community Pantry", phone=""),  # near-same listing
            organisation_row("Hoole Pantry", phone="01632960555"),  # related name, same phone
            organisation_row("Sample Upton Lunch Club", phone="01632 960555"),  # phone only
            organisation_row("Sample Lache Larder", phone="01632 960556"),
        ],
    )
    report = import_here2help(session, folder).file("organisations.csv")

    assert (report.read, report.created, report.matched, report.skipped) == (5, 2, 3, 0)
    assert [(m.row, m.listing_id) for m in report.matches] == [
        (2, pantry.id), (3, pantry.id), (4, pantry.id)
    ]  # fmt: skip
    assert report.matches[0].listing == "Hoole Community Pantry, run by Hoole Pantry Trust"
    assert "the same phone number" in report.matches[2].reasons
    names = sorted(p.payload["name"] for p in _proposals(session))
    assert names == ["Sample Lache Larder", "Sample Upton Lunch Club"]
    lines = "\n".join(import_here2help(session, folder).lines())
    assert "row 2: 'Hoole Pantry Trust Ltd' matches 'Hoole Community Pantry" in lines


def test_an_organisation_becomes_a_listing_waiting_for_a_moderator(
    session: Session, tmp_path: Path, request_context: None
) -> None:
    folder = write_folder(tmp_path, organisations=[organisation_row(website="www.hgn.example.net")])
    import_here2help(session, folder)

    [proposal] = _proposals(session)
    key = organisation_key("Sample Hoole Good Neighbours")
    assert (proposal.kind, proposal.state) == (ProposalKind.NEW, ProposalState.SUBMITTED)
    assert proposal.id == derived_id("proposal", key)
    assert proposal.organization_id == proposal.payload["organization"]["id"]
    assert proposal.submitted_at is not None and proposal.created_by is None
    record, _warnings = check_payload(proposal.payload)
    assert record["organization"]["name"] == "Sample Hoole Good Neighbours"
    assert record["url"] == "https://www.hgn.example.net"
    assert record["contacts"][0]["phones"][0]["number"] == "01632 960850"
    [place] = record["service_at_locations"]
    assert place["location"]["addresses"][0]["postal_code"] == "CH2 3AE"
    queue = moderation.proposal_queue(session)
    assert [(e.name, e.organisation) for e in queue] == [
        ("Sample Hoole Good Neighbours", "Sample Hoole Good Neighbours")
    ]

    moderator = create_user(session, "mod@council.example.org", staff_role=StaffRole.MODERATOR)
    with unit_of_work(session, Actor.user(moderator.id)):
        moderation.approve(session, proposal, moderator)
    service = session.get(Service, proposal.service_id)
    assert service is not None and is_public(service)
    assert service.organization.name == "Sample Hoole Good Neighbours"

    # Run again with an offer from the group: nothing new, and the offer is linked and active.
    write_folder(folder, offers=[offer_row(name="Sample Hoole Good Neighbours")])
    again = import_here2help(session, folder)
    assert again.file("organisations.csv").unchanged == 1
    assert again.file("organisations.csv").created == 0
    offer = session.scalars(select(HelpOffer)).one()
    assert (offer.kind, offer.status) == (OfferKind.ORGANISATION, OfferStatus.ACTIVE)
    assert (offer.organization_id, offer.service_id) == (service.organization_id, service.id)
    assert session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_a_changed_row_updates_a_waiting_proposal_but_never_a_decided_one(
    session: Session, tmp_path: Path
) -> None:
    write_folder(tmp_path, organisations=[organisation_row()])
    import_here2help(session, tmp_path)
    write_folder(tmp_path, organisations=[organisation_row(description="Now also prescriptions.")])

    report = import_here2help(session, tmp_path).file("organisations.csv")
    [proposal] = _proposals(session)
    assert (report.updated, report.created) == (1, 0)
    assert proposal.payload["description"] == "Now also prescriptions."

    proposal.state = ProposalState.REJECTED
    session.commit()
    write_folder(tmp_path, organisations=[organisation_row(description="Third version.")])
    report = import_here2help(session, tmp_path).file("organisations.csv")
    assert (report.unchanged, report.created, report.updated) == (1, 0, 0)
    assert [p.state for p in _proposals(session)] == [ProposalState.REJECTED]


def test_a_near_same_listing_waiting_in_the_queue_is_matched(
    session: Session, tmp_path: Path
) -> None:
    payload = {"name": "Blacon Community Pantry", "description": "Food."}
    waiting = Proposal(id=new_id(), kind=ProposalKind.NEW, state=ProposalState.SUBMITTED,
                       organization_id=new_id(), service_id=new_id(), submitted_at=utcnow(),
                       payload=payload)  # fmt: skip
    session.add(waiting)
    session.commit()
    write_folder(tmp_path, organisations=[organisation_row("Blacon Community Pantry CIC")])

    report = import_here2help(session, tmp_path).file("organisations.csv")

    assert (report.created, report.matched) == (0, 1)
    assert report.matches[0].listing_id == waiting.service_id
    assert report.matches[0].reasons == ["a near-same name waiting for moderation"]


def test_offers_are_organisations_or_volunteers_with_the_status_documented(
    session: Session, pantry: Service, tmp_path: Path
) -> None:
    folder = write_folder(
        tmp_path,
        organisations=[organisation_row("Sample Lache Larder")],
        offers=[
            offer_row("OFF-1", name="Hoole Pantry Trust"),  # listed: active
            offer_row("OFF-2", name="Sample Lache Larder"),  # proposed in this run
            offer_row("OFF-3", name="St Sample's Church Helpers"),  # an organisation's word
            offer_row("OFF-4", name="Sample Volunteer 4", needs="food; befriending"),
            offer_row("OFF-5", name="Sample Volunteer 5", status="closed"),
            offer_row("OFF-6", name="Hoole Pantry Trust", status="Closed"),
        ],
    )
    report = import_here2help(session, folder)

    offers = {o.reference: o for o in session.scalars(select(HelpOffer))}
    larder = _proposals(session)[0]
    assert [(r, offers[r].kind, offers[r].status) for r in sorted(offers)] == [
        ("OFF-1", OfferKind.ORGANISATION, OfferStatus.ACTIVE),
        ("OFF-2", OfferKind.ORGANISATION, OfferStatus.PENDING_CHECK),
        ("OFF-3", OfferKind.ORGANISATION, OfferStatus.PENDING_CHECK),
        ("OFF-4", OfferKind.VOLUNTEER, OfferStatus.PENDING_CHECK),
        ("OFF-5", OfferKind.VOLUNTEER, OfferStatus.CLOSED),
        ("OFF-6", OfferKind.ORGANISATION, OfferStatus.CLOSED),
    ]
    assert (offers["OFF-1"].service_id, offers["OFF-1"].organization_id) == (
        pantry.id, pantry.organization_id
    )  # fmt: skip
    assert offers["OFF-2"].organization_id == larder.organization_id
    assert offers["OFF-2"].service_id is None
    assert offers["OFF-4"].radius_km == 5 and offers["OFF-4"].capacity == 2
    assert offers["OFF-4"].outcode == "CH1"
    assert len(offers["OFF-4"].needs) == 2
    assert report.file("offers.csv").statuses["volunteer pending check"] == 1
