"""Imported history and the purge: old closed requests and volunteers' closed offers lose their
personal data at the purge's next run (their clock starts when they were made, as the export
does not say when they closed); open ones, recent ones and organisations' offers keep theirs,
and importing the same files again brings nothing back."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from directory.here2help.importer import import_here2help
from directory.privacy.services import OFFER_PERSONAL, REQUEST_PERSONAL, purge_closed
from tests.here2help.conftest import offer_row, request_row, write_folder

OLD = "10/01/2020"  # DD/MM/YYYY, years before any retention period
RECENT = (date.today() - timedelta(days=10)).isoformat()


def _rows(session: Session, table: str, columns: tuple[str, ...]) -> dict[str, dict]:
    found = session.execute(text(f"SELECT reference, {', '.join(columns)} FROM {table}"))
    return {row["reference"]: dict(row) for row in found.mappings()}


def _files(folder: Path) -> Path:
    return write_folder(
        folder,
        requests=[
            request_row("H2H-OLD", created=OLD, status="closed", outcome="signposted"),
            request_row("H2H-OPEN", created=OLD, name="Sample Person 2"),
        ],
        offers=[
            offer_row("OFF-OLD", created=OLD, status="closed"),
            offer_row("OFF-OPEN", created=OLD, name="Sample Volunteer 2"),
            offer_row("OFF-NEW", created=RECENT, status="closed", name="Sample Volunteer 3"),
        ],
        bom=True,
    )


def test_old_closed_imported_records_are_purged_at_the_next_run(
    tax_session: Session, tmp_path: Path
) -> None:
    folder = _files(tmp_path)
    import_here2help(tax_session, folder)
    tax_session.commit()

    result = purge_closed(tax_session, 90)
    tax_session.commit()

    assert (result.requests, result.offers) == (1, 1)
    requests = _rows(tax_session, "help_request", REQUEST_PERSONAL)
    offers = _rows(tax_session, "help_offer", OFFER_PERSONAL)
    assert all(requests["H2H-OLD"][column] is None for column in REQUEST_PERSONAL)
    assert all(offers["OFF-OLD"][column] is None for column in OFFER_PERSONAL)
    assert requests["H2H-OPEN"]["name"] == "Sample Person 2"
    assert offers["OFF-OPEN"]["name"] == "Sample Volunteer 2"
    # Closed, but made ten days ago: kept for the retention period.
    assert offers["OFF-NEW"]["name"] == "Sample Volunteer 3"
    everything = str(requests["H2H-OLD"]) + str(offers["OFF-OLD"])
    for secret in ("Sample", "01632", "07700", "example.org", "shops", "CH2 3AE", "CH1 2HJ"):
        assert secret not in everything

    # Safe twice, and a second import does not bring the removed data back.
    assert purge_closed(tax_session, 90).requests == 0
    tax_session.commit()
    import_here2help(tax_session, folder)
    tax_session.commit()
    assert _rows(tax_session, "help_request", ("name",))["H2H-OLD"]["name"] is None
    assert _rows(tax_session, "help_offer", ("name",))["OFF-OLD"]["name"] is None
