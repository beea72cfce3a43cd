"""The made-up sample set in seeds/here2help imports into the demo directory with the counts
its README gives, a second run changes nothing, and the command prints no personal data."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.here2help.importer import import_here2help
from directory.listings.models import ChangeRecord
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from directory.places.gazetteer import GazetteerMissing, get_gazetteer
from directory.taxonomy.models import TaxonomyTerm
from tests.here2help.conftest import SAMPLE

#: What the README of seeds/here2help says an import into the demo directory reports.
EXPECTED = {
    "organisations.csv": {"read": 42, "created": 30, "updated": 0, "skipped": 4, "matched": 8},
    "offers.csv": {"read": 164, "created": 160, "updated": 0, "skipped": 4, "matched": 0},
    "requests.csv": {"read": 326, "created": 320, "updated": 0, "skipped": 6, "matched": 0},
}


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _counts(report) -> dict[str, dict[str, int]]:
    keys = ("read", "created", "updated", "skipped", "matched")
    return {f.file: {k: getattr(f, k) for k in keys} for f in report.files}


def _term(session: Session, code: str) -> str:
    return session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.term == code))


def test_the_sample_set_imports_with_the_expected_counts(demo_session: Session) -> None:
    report = import_here2help(demo_session, SAMPLE)

    assert _counts(report) == EXPECTED
    assert _count(demo_session, HelpRequest, HelpRequest.source == "import") == 320
    assert _count(demo_session, HelpOffer, HelpOffer.source == "import") == 160
    assert _count(demo_session, Proposal, Proposal.kind == ProposalKind.NEW,
                  Proposal.state == ProposalState.SUBMITTED) == 30  # fmt: skip
    requests = report.file("requests.csv")
    assert requests.extra_columns == ["ward", "referred_by"]
    assert {"ironing", "posting letters", "window cleaning"} <= set(requests.unmapped)
    offers = report.file("offers.csv")
    assert offers.extra_columns == ["dbs_checked", "availability"]
    # The organisations of the demo directory offering help are linked and active.
    linked = demo_session.scalars(select(HelpOffer).where(HelpOffer.service_id.is_not(None))).all()
    assert linked and {o.kind for o in linked} == {OfferKind.ORGANISATION}
    assert {o.status for o in linked} <= {OfferStatus.ACTIVE, OfferStatus.CLOSED}
    volunteers = demo_session.scalars(
        select(HelpOffer).where(HelpOffer.kind == OfferKind.VOLUNTEER)
    ).all()
    assert {o.status for o in volunteers} == {OfferStatus.PENDING_CHECK, OfferStatus.CLOSED}


def _request(session: Session, reference: str) -> HelpRequest:
    return session.scalars(select(HelpRequest).where(HelpRequest.reference == reference)).one()


def test_sample_rows_land_as_written(demo_session: Session) -> None:
    import_here2help(demo_session, SAMPLE)

    # open,H2H-00001,Sample Person 1,08/04/2026,Shopping,...,Matched,CW8 2AX,...,OFF-0009
    first = _request(demo_session, "H2H-00001")
    assert first.needs == [_term(demo_session, "shopping-help")]
    assert first.created_at == datetime(2026, 4, 7, 23, 0, tzinfo=UTC)  # midnight, BST
    assert first.status == RequestStatus.OPEN and first.outcome == Outcome.MATCHED
    assert first.closed_at is None
    offer = demo_session.scalars(select(HelpOffer).where(HelpOffer.reference == "OFF-0009")).one()
    assert first.matched_offer_id == offer.id
    assert (first.name, first.phone) == ("Sample Person 1", "07700 900750")
    assert (first.email, first.contact_by) == ("sample.person.1@example.org", "either")
    assert (first.postcode, first.outcode, first.source) == ("CW8 2AX", "CW8", "import")
    # Closed,H2H-00002,...,2026-10-11,Lonley,...,Signposted: a typo the taxonomy knows.
    second = _request(demo_session, "H2H-00002")
    assert second.needs == [_term(demo_session, "loneliness")]
    assert second.status == RequestStatus.CLOSED and second.outcome == Outcome.SIGNPOSTED
    assert second.closed_at == second.created_at == datetime(2026, 10, 10, 23, 0, tzinfo=UTC)
    # closed,H2H-00008,...,matched to volunteer,cw98yl,01632 960920,not given,OFF-0124
    eighth = _request(demo_session, "H2H-00008")
    assert (eighth.postcode, eighth.email, eighth.contact_by) == ("CW9 8YL", None, "phone")
    assert eighth.outcome == Outcome.MATCHED
    try:
        get_gazetteer()
    except GazetteerMissing:
        pytest.skip("the gazetteer is not built here: coordinates cannot be checked")
    assert first.latitude == pytest.approx(53.25, abs=0.1)
    assert first.longitude == pytest.approx(-2.55, abs=0.15)


def test_a_second_run_creates_and_changes_nothing(demo_session: Session) -> None:
    import_here2help(demo_session, SAMPLE)
    before = (_count(demo_session, HelpRequest), _count(demo_session, HelpOffer),
              _count(demo_session, Proposal), _count(demo_session, ChangeRecord))  # fmt: skip

    again = import_here2help(demo_session, SAMPLE)

    for file in again.files:
        assert (file.created, file.updated) == (0, 0), file.file
        assert file.skipped == EXPECTED[file.file]["skipped"]
    assert again.file("requests.csv").unchanged == 320
    assert again.file("offers.csv").unchanged == 160
    assert again.file("organisations.csv").unchanged == 30
    assert again.file("organisations.csv").matched == 8
    after = (_count(demo_session, HelpRequest), _count(demo_session, HelpOffer),
             _count(demo_session, Proposal), _count(demo_session, ChangeRecord))  # fmt: skip
    assert after == before


def test_a_dry_run_reports_the_same_and_writes_nothing(demo_session: Session) -> None:
    report = import_here2help(demo_session, SAMPLE, dry_run=True)

    assert _counts(report) == EXPECTED
    assert "dry run" in report.lines()[0]
    assert _count(demo_session, HelpRequest) == 0
    assert _count(demo_session, HelpOffer) == 0
    assert _count(demo_session, Proposal) == 0


def _personal_values(folder: Path) -> set[str]:
    """Requesters' and volunteers' names, phones, emails, postcodes and words in the files
    (organisations' names may be printed: the report names those it matched)."""
    found: set[str] = set()
    for name, columns in (
        ("requests.csv", ("Name", "Phone", "Email", "Postcode", "Details")),
        ("offers.csv", ("name", "phone", "email", "postcode")),
    ):
        with open(folder / name, encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    value = (row.get(column) or "").strip()
                    if column == "name" and not value.startswith("Sample Volunteer"):
                        continue
                    if column.lower() == "postcode" and not any(c.isdigit() for c in value):
                        continue  # "Chester" typed as a postcode is a town, not personal
                    if len(value) > 4:
                        found.add(value)
    return found


def test_the_command_prints_no_personal_data(demo_app) -> None:
    result = demo_app.test_cli_runner().invoke(args=["import-here2help", str(SAMPLE)])

    assert result.exit_code == 0, result.output
    output = result.output
    assert "requests.csv: 326 rows read: 320 created" in output
    assert "Sample Person" not in output and "Sample Volunteer" not in output
    assert "@" not in output
    assert "07700" not in output and "01632" not in output
    leaked = [v for v in _personal_values(SAMPLE) if v in output]
    assert leaked == []
