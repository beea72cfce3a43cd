"""The privacy commands as cron and the server's operator run them: counts, never data."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from directory.help_offers.models import OfferStatus
from directory.help_requests.models import HelpRequest, RequestStatus
from directory.privacy.models import PersonalDataAccess
from tests.privacy.conftest import make_offer, make_request, person

QUILL, WREN = person("quill", 1), person("wren", 2)


def _setup(session) -> None:
    make_request(session, QUILL, "H2H-QUILL1", closed_days_ago=100)
    make_request(session, QUILL, "H2H-QUILL2", status=RequestStatus.OPEN, created_days_ago=5)
    make_offer(session, QUILL, "OFF-QUILL1", status=OfferStatus.ACTIVE)
    make_request(session, WREN, "H2H-WREN01", closed_days_ago=40)
    session.commit()


def _names(session) -> dict[str, str | None]:
    session.expire_all()
    return dict(session.execute(select(HelpRequest.reference, HelpRequest.name)).all())


def _no_personal_data(output: str) -> None:
    for secret in QUILL.secrets + WREN.secrets:
        assert secret not in output, secret


def test_purge_uses_personal_data_days_and_prints_counts_only(app, session):
    _setup(session)
    app.config["PERSONAL_DATA_DAYS"] = 90
    runner = app.test_cli_runner()

    result = runner.invoke(args=["purge-personal-data"])

    assert result.exit_code == 0, result.output
    assert "Removed personal data from 1 closed help request(s) and 0 volunteer offer(s)" in (
        result.output
    )
    assert "(90 days); 1 contact note(s) blanked." in result.output
    _no_personal_data(result.output)
    assert _names(session) == {"H2H-QUILL1": None, "H2H-QUILL2": QUILL.name,
                               "H2H-WREN01": WREN.name}  # fmt: skip

    again = runner.invoke(args=["purge-personal-data"])
    assert "from 0 closed help request(s) and 0 volunteer offer(s)" in again.output


def test_purge_days_option_and_dry_run(app, session):
    _setup(session)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["purge-personal-data", "--days", "30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would remove personal data from 2 closed help request(s)" in dry.output
    assert _names(session)["H2H-WREN01"] == WREN.name

    done = runner.invoke(args=["purge-personal-data", "--days", "30"])
    assert "Removed personal data from 2 closed help request(s)" in done.output
    assert _names(session)["H2H-WREN01"] is None
    assert runner.invoke(args=["purge-personal-data", "--days", "0"]).exit_code != 0


def test_export_prints_json_and_is_logged(app, session, tmp_path):
    _setup(session)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["personal-data", "export", "--email", QUILL.email])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {r["reference"] for r in data["help_requests"]} == {"H2H-QUILL1", "H2H-QUILL2"}
    assert data["help_offers"][0]["name"] == QUILL.name
    assert WREN.name not in result.output
    session.expire_all()
    logged = session.scalars(select(PersonalDataAccess)).all()
    assert len(logged) == 3 and {(row.user_id, row.action) for row in logged} == {(None, "export")}

    output = tmp_path / "quill.json"
    to_file = runner.invoke(
        args=["personal-data", "export", "--reference", "h2h-quill1", "--output", str(output)]
    )
    assert to_file.exit_code == 0
    assert json.loads(output.read_text())["help_requests"][0]["reference"] == "H2H-QUILL1"
    _no_personal_data(to_file.output)


def test_delete_asks_unless_told_yes_and_prints_counts(app, session):
    _setup(session)
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["personal-data", "delete", "--phone", QUILL.phone], input="n\n")
    assert refused.exit_code != 0
    assert _names(session)["H2H-QUILL1"] == QUILL.name

    result = runner.invoke(args=["personal-data", "delete", "--phone", QUILL.phone], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Erased personal data from 2 help request(s) and 1 offer(s)" in result.output
    assert _names(session) == {"H2H-QUILL1": None, "H2H-QUILL2": None, "H2H-WREN01": WREN.name}
    _no_personal_data(result.output.split("?")[-1])

    nobody = runner.invoke(args=["personal-data", "delete", "--email", "no@example.net", "--yes"])
    assert "No help request or offer matches." in nobody.output


def test_a_person_must_be_named(app):
    runner = app.test_cli_runner()
    for command in ("export", "delete"):
        result = runner.invoke(args=["personal-data", command])
        assert result.exit_code == 2
        assert "Give a reference, an email address or a phone number" in result.output


def test_on_sqlite_the_purge_leaves_nothing_in_the_file(app, session):
    """No VACUUM by the test: the command compacts the file itself, WAL included."""
    _setup(session)
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))

    def on_disk() -> bytes:
        wal = database.with_name(database.name + "-wal")
        return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    assert QUILL.name.encode() in on_disk()  # the control
    result = app.test_cli_runner().invoke(args=["purge-personal-data", "--days", "30"])
    assert result.exit_code == 0, result.output
    data = on_disk()
    # Wren's only request was closed 40 days ago: purged. Quill's open request keeps hers.
    for secret in WREN.secrets:
        assert secret.encode() not in data, secret
    assert QUILL.name.encode() in data
