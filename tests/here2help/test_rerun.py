"""Running the import again: what changed in the file is applied, what staff did since is
kept, anonymised records stay anonymised, and this directory's own records are not touched."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.ids import new_id, utcnow
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.here2help.importer import import_here2help
from tests.here2help.conftest import offer_row, request_row, write_folder


def _request(session: Session, reference: str = "H2H-1") -> HelpRequest:
    return session.scalars(select(HelpRequest).where(HelpRequest.reference == reference)).one()


def _offer(session: Session, reference: str = "OFF-1") -> HelpOffer:
    return session.scalars(select(HelpOffer).where(HelpOffer.reference == reference)).one()


def test_what_changed_in_the_file_is_applied(tax_session: Session, tmp_path: Path) -> None:
    write_folder(tmp_path, requests=[request_row()], offers=[offer_row()])
    import_here2help(tax_session, tmp_path)
    write_folder(
        tmp_path,
        requests=[
            request_row(
                status="closed", outcome="Matched", matched_offer="OFF-1", phone="07700 900999"
            )
        ],
        offers=[offer_row(capacity="4", status="closed")],
    )

    report = import_here2help(tax_session, tmp_path)

    assert report.file("requests.csv").updated == 1
    assert report.file("offers.csv").updated == 1
    request, offer = _request(tax_session), _offer(tax_session)
    assert (request.status, request.outcome) == (RequestStatus.CLOSED, Outcome.MATCHED)
    assert request.closed_at == request.created_at
    assert request.matched_offer_id == offer.id
    assert request.phone == "07700 900999"
    assert (offer.capacity, offer.status) == (4, OfferStatus.CLOSED)


def test_what_staff_did_since_is_kept(tax_session: Session, tmp_path: Path) -> None:
    write_folder(tmp_path, requests=[request_row()], offers=[offer_row()])
    import_here2help(tax_session, tmp_path)
    request, offer = _request(tax_session), _offer(tax_session)
    assert offer.status == OfferStatus.PENDING_CHECK
    request.status = RequestStatus.ASSIGNED
    offer.status, offer.capacity = OfferStatus.ACTIVE, 3
    tax_session.commit()

    report = import_here2help(tax_session, tmp_path)

    assert report.file("requests.csv").unchanged == 1
    assert report.file("offers.csv").unchanged == 1
    assert _request(tax_session).status == RequestStatus.ASSIGNED
    assert (_offer(tax_session).status, _offer(tax_session).capacity) == (OfferStatus.ACTIVE, 3)


def test_an_anonymised_record_is_never_filled_in_again(
    tax_session: Session, tmp_path: Path
) -> None:
    write_folder(tmp_path, requests=[request_row(status="closed", outcome="signposted")])
    import_here2help(tax_session, tmp_path)
    request = _request(tax_session)
    request.name = request.phone = request.email = request.details = request.postcode = None
    request.anonymised_at = utcnow()
    tax_session.commit()

    report = import_here2help(tax_session, tmp_path).file("requests.csv")

    assert (report.skipped, report.updated, report.created) == (1, 0, 0)
    assert report.errors == [
        (2, "personal data was removed from this record, so it is not imported again")
    ]
    request = _request(tax_session)
    assert (request.name, request.phone, request.email, request.details) == (None,) * 4


def test_a_reference_of_a_request_made_here_is_not_overwritten(
    tax_session: Session, tmp_path: Path
) -> None:
    own = HelpRequest(id=new_id(), reference="H2H-1", source="web", name="Someone Else",
                      needs=[], extra={})  # fmt: skip
    tax_session.add(own)
    tax_session.commit()
    write_folder(tmp_path, requests=[request_row("H2H-1")])

    report = import_here2help(tax_session, tmp_path).file("requests.csv")

    assert report.errors == [(2, "reference H2H-1 belongs to a record made in this directory")]
    assert _request(tax_session).name == "Someone Else"
