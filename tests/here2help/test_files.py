"""Reading the files: a byte-order mark, both date formats, headers in any order and case,
extra columns reported, a missing column stopping the run before anything is written, and
needs that could not be mapped reported (without the personal data around them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer
from directory.help_requests.models import HelpRequest
from directory.here2help.csvfile import HeaderError, parse_table
from directory.here2help.importer import import_here2help
from directory.moderation.models import Proposal
from directory.taxonomy.models import TaxonomyTerm
from tests.here2help.conftest import (
    offer_row,
    organisation_row,
    request_row,
    with_taxonomy,
    write_folder,
)


def _count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _request(session: Session, reference: str) -> HelpRequest:
    return session.scalars(select(HelpRequest).where(HelpRequest.reference == reference)).one()


def _term(session: Session, code: str) -> str:
    return session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.term == code))


def test_a_byte_order_mark_and_both_date_formats(tax_session: Session, tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        bom=True,
        requests=[
            request_row("H2H-1", created="2026-01-15"),
            request_row("H2H-2", created="15/01/2026"),
            request_row("H2H-3", created="5/1/2026"),
            request_row("H2H-4", created="2026-07-15 14:30"),
            request_row("H2H-5", created="15/07/2026 09:05:30"),
        ],
    )
    report = import_here2help(tax_session, folder)

    assert report.file("requests.csv").created == 5
    assert report.file("requests.csv").errors == []
    winter = datetime(2026, 1, 15, tzinfo=UTC)
    assert _request(tax_session, "H2H-1").created_at == winter
    assert _request(tax_session, "H2H-2").created_at == winter
    assert _request(tax_session, "H2H-3").created_at == datetime(2026, 1, 5, tzinfo=UTC)
    # UK local time in summer is an hour ahead of UTC.
    assert _request(tax_session, "H2H-4").created_at == datetime(2026, 7, 15, 13, 30, tzinfo=UTC)
    assert _request(tax_session, "H2H-5").created_at == datetime(2026, 7, 15, 8, 5, 30, tzinfo=UTC)


def test_headers_in_another_order_and_case_with_extra_columns(
    tax_session: Session, tmp_path: Path
) -> None:
    tmp_path.joinpath("requests.csv").write_text(
        "Ward,STATUS, Matched-Offer ,Outcome,Email,Phone,Name,Postcode,Details,Need,Created,"
        "Reference,Referred By,\r\n"
        "Hoole,Closed,,Signposted,,01632 960902,Sample Person 2,ch23ae,Wants a weekly call,"
        "befriending,04/03/2026,H2H-2,GP,\r\n"
        "Hoole,open,,,,,Sample Person 3,CH2,,Food parcel,2026-03-05,H2H-3,,,surplus\r\n",
        encoding="utf-8",
    )
    report = import_here2help(tax_session, tmp_path)

    requests = report.file("requests.csv")
    assert requests.created == 2 and requests.skipped == 0
    assert requests.extra_columns == ["ward", "referred_by", "column 14 (no header)"]
    assert requests.warnings == [(3, "1 more cells than columns; ignored")]
    lines = "\n".join(report.lines())
    assert "Extra columns, ignored: ward, referred_by, column 14 (no header)" in lines
    two = _request(tax_session, "H2H-2")
    assert (two.status, two.outcome, two.postcode, two.outcode) == (
        "closed", "signposted", "CH2 3AE", "CH2"
    )  # fmt: skip
    assert two.needs == [_term(tax_session, "befriending")]
    three = _request(tax_session, "H2H-3")
    assert (three.postcode, three.outcode) == (None, "CH2")
    assert three.needs == [_term(tax_session, "food-banks")]
    assert "Ward" not in str(three.extra) and "surplus" not in str(three.extra)


def test_a_missing_column_is_an_error_naming_it_and_nothing_is_written(
    app, tax_session: Session, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path, offers=[offer_row()], organisations=[organisation_row()])
    good = request_row()
    text = "reference,created,need,details,postcode,name,phone,email,status,outcome\r\n"
    text += ",".join(good[c] for c in text.strip().split(",")) + "\r\n"
    (folder / "requests.csv").write_text(text, encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["import-here2help", str(folder)])

    assert result.exit_code == 2
    assert "requests.csv: missing column matched_offer" in result.output
    assert "Nothing was imported." in result.output
    for model in (HelpRequest, HelpOffer, Proposal):
        assert _count(tax_session, model) == 0


def test_every_file_problem_is_reported_at_once() -> None:
    with pytest.raises(HeaderError, match="missing columns capacity, status"):
        parse_table("offers.csv", "reference,created,name,needs,postcode,radius_km,phone,email\n")
    with pytest.raises(HeaderError, match="'name' appears twice"):
        parse_table("organisations.csv", "name,Name,postcode,phone,email,website,description\n")
    with pytest.raises(HeaderError, match="first row must name the columns"):
        parse_table("organisations.csv", "\n\n")


def test_an_empty_folder_or_a_binary_file_is_a_clear_error(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["import-here2help", str(tmp_path)])
    assert empty.exit_code == 2 and "holds none of" in empty.output

    (tmp_path / "offers.csv").write_bytes(b"PK\x03\x04 an Excel workbook saved as .csv")
    binary = runner.invoke(args=["import-here2help", str(tmp_path)])
    assert binary.exit_code == 2 and "save the sheet as CSV" in binary.output

    missing = runner.invoke(args=["import-here2help", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "is not a folder" in missing.output


def test_a_file_that_is_not_there_is_skipped_and_said(tax_session: Session, tmp_path: Path) -> None:
    folder = write_folder(tmp_path, organisations=[organisation_row()])
    report = import_here2help(tax_session, folder)

    assert report.file("requests.csv").lines() == ["requests.csv: not found, skipped"]
    assert report.file("organisations.csv").created == 1


def test_unmapped_needs_are_counted_without_personal_data(
    tax_session: Session, tmp_path: Path
) -> None:
    folder = write_folder(
        tmp_path,
        requests=[
            request_row("H2H-1", need="Ironing; shopping"),
            request_row("H2H-2", need="ironing"),
            request_row("H2H-3", need="posting letters for Jo Bloggs", name="Jo Bloggs"),
            request_row("H2H-4", need="jo.bloggs@example.org 01632 960999"),
            request_row("H2H-5", need="n/a"),
        ],
        offers=[offer_row("OFF-1", needs="window cleaning; befriending")],
    )
    report = import_here2help(tax_session, folder)

    requests = report.file("requests.csv")
    assert requests.unmapped == {
        "ironing": 2,
        "posting letters for [name] [name]": 1,
        "[email] #": 1,
    }
    assert report.file("offers.csv").unmapped == {"window cleaning": 1}
    assert _request(tax_session, "H2H-1").needs == [_term(tax_session, "shopping-help")]
    # Nothing mapped: the words are kept for staff with the person's other words.
    two = _request(tax_session, "H2H-2")
    assert two.needs == []
    assert two.details == "Need as recorded: ironing\n\nCannot get to the shops this week."
    assert _request(tax_session, "H2H-5").details == "Cannot get to the shops this week."
    lines = "\n".join(report.lines())
    assert "Needs that could not be mapped to the need list (4):" in lines
    assert "'ironing': 2" in lines
    assert "Bloggs" not in lines and "960999" not in lines and "@" not in lines


def test_rows_with_errors_are_skipped_with_the_row_number_and_why(
    tax_session: Session, tmp_path: Path
) -> None:
    folder = write_folder(
        tmp_path,
        requests=[
            request_row("H2H-1"),
            request_row("H2H-1", name="Sample Person 2"),
            request_row("", created="2026-01-01"),
            request_row("H2H-3", created="31/02/2026"),
            request_row("H2H-4", created="next week"),
            request_row("H2H-5", status="pending"),
            request_row("H2H-6", created="2999-01-01"),
            request_row(
                "H2H-7",
                outcome="sent a pigeon",
                postcode="Chester",
                email="none@",
                phone="call",
                matched_offer="OFF-404",
            ),
        ],
    )
    report = import_here2help(tax_session, folder)

    requests = report.file("requests.csv")
    assert (requests.read, requests.created, requests.skipped) == (8, 2, 6)
    assert requests.errors == [
        (3, "reference H2H-1 appears again (first on row 2)"),
        (4, "reference is empty"),
        (5, "created is not a real date"),
        (6, "created is not a date written YYYY-MM-DD or DD/MM/YYYY"),
        (7, "status is not open or closed"),
        (8, "created is in the future"),
    ]
    assert sorted(m for _, m in requests.warnings) == [
        "email is not an email address; left out",
        "matched_offer OFF-404 is not an offer imported or made here; left empty",
        "outcome is not one of matched, signposted, self-served, no match, withdrawn; left empty",
        "phone is not a phone number; left out",
        "postcode is not a UK postcode; left out",
    ]
    assert {w[0] for w in requests.warnings} == {9}
    seven = _request(tax_session, "H2H-7")
    assert (seven.outcome, seven.postcode, seven.email, seven.phone) == (None, None, None, None)
    assert _request(tax_session, "H2H-1").name == "Sample Person 1"


def test_imports_alike_on_postgresql(any_app, tmp_path: Path) -> None:
    from directory.db import db

    with any_app.app_context():
        session = with_taxonomy(db.session)
        folder = write_folder(
            tmp_path,
            requests=[request_row("H2H-1", details="Ünïcödé — “quotes”, commas\nand lines")],
            offers=[offer_row()],
            organisations=[organisation_row()],
        )
        first = import_here2help(session, folder)
        again = import_here2help(session, folder)

        assert [f.created for f in first.files] == [1, 1, 1]
        assert [(f.created, f.updated) for f in again.files] == [(0, 0)] * 3
        assert _request(session, "H2H-1").details == "Ünïcödé — “quotes”, commas\nand lines"
