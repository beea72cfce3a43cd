"""``flask duplicates scan|list|resolve`` on a small directory with one real duplicate."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from directory.db import db
from directory.listings.duplicates import DuplicateFlag, FlagStatus
from tests.factories import make_organization, make_service
from tests.listings.test_duplicates import _own_contacts, _pair


@pytest.fixture
def listed(app):
    """A memory cafe listed by two feeds (likely), look-alikes with nothing shared (possible),
    and one organisation's services on one switchboard (nothing)."""
    with app.app_context():
        session = db.session
        cafe, again = _pair(session)
        knit = make_service(session, "Neston Knit and Natter", places=(), phone="01632 960101")
        other = make_service(session, "Neston Knit & Natter", places=(), phone="01632 960102")
        other.organization = make_organization(session, "Neston Crafters")
        _own_contacts(session, other)
        council = make_organization(session, "Cheshire West and Chester Council")
        for name in ("Chester Library", "Adult Social Care", "Blue Badges"):
            make_service(session, name, organization=council, phone="0300 123 8123")
        session.commit()
        return {"cafe": cafe.id, "again": again.id, "knit": knit.id, "other": other.id}


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["duplicates", *args])


def test_scan_stores_flags_and_prints_both_listings(app, listed):
    result = _run(app, "scan")
    assert result.exit_code == 0, result.output
    assert (
        "Checked 7 listing(s): 1 likely and 1 possible duplicate pair(s) open, 2 of them new."
        in result.output
    )
    assert "likely (1.00): same name; same phone 01632 960777" in result.output
    assert "Chester Memory Cafe (CH1 2HJ)" in result.output
    assert "Memory Café - Chester (no postcode)" in result.output
    assert "Library" not in result.output
    again = _run(app, "scan")
    assert "0 of them new" in again.output


def test_list_filters_by_strength_and_writes_a_csv(app, listed, tmp_path):
    _run(app, "scan")
    result = _run(app, "list", "--strength", "possible", "--csv", str(tmp_path / "flags.csv"))
    assert result.exit_code == 0, result.output
    assert "1 open duplicate flag(s)." in result.output
    assert "Neston Knit and Natter" in result.output and "Memory" not in result.output
    with (tmp_path / "flags.csv").open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["strength"] == "possible"
    assert {row["service_a_id"], row["service_b_id"]} == {listed["knit"], listed["other"]}
    assert row["service_a_postcodes"] == "no postcode"


def test_resolve_records_the_decision_and_scan_respects_it(app, listed):
    _run(app, "scan")
    result = _run(app, "resolve", listed["again"], listed["cafe"], "--not-duplicate", "--by", "Sam")
    assert result.exit_code == 0, result.output
    assert "are different services and will not be flagged again" in result.output
    assert "1 likely" not in _run(app, "scan").output
    listed_now = _run(app, "list")
    assert "1 open duplicate flag(s)." in listed_now.output
    with app.app_context():
        flag = db.session.scalars(
            select(DuplicateFlag).where(DuplicateFlag.status == FlagStatus.NOT_DUPLICATE)
        ).one()
        assert flag.decided_by == "Sam"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resolve", "cafe", "cafe", "--confirmed"], "cannot be a duplicate of itself"),
        (
            ["resolve", "cafe", "no-such-listing", "--confirmed"],
            "no listing with id no-such-listing",
        ),
        (["resolve", "cafe", "again"], "Say --not-duplicate, --confirmed or --reopen"),
        (["list", "--strength", "certain"], "Invalid value for '--strength'"),
    ],
)
def test_bad_commands_explain_themselves_and_change_nothing(app, listed, args, message):
    args = [listed.get(a, a) for a in args]
    result = _run(app, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalars(select(DuplicateFlag)).all() == []


def test_an_unwritable_csv_is_a_clear_error(app, listed, tmp_path):
    result = _run(app, "scan", "--csv", str(tmp_path / "missing-folder" / "flags.csv"))
    assert result.exit_code == 1
    assert "Cannot write" in result.output
