"""/staff/insights and its CSV downloads, and ``flask insights``: who may see them, and that
the page, every CSV and the command all give the same figures."""

from __future__ import annotations

import csv
import io
import uuid
from html.parser import HTMLParser

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.accounts.models import StaffRole
from directory.db import db
from directory.insights.reports import TABLE_KEYS, build_tables
from directory.insights.tables import csv_cell
from tests.auth import create_user, sign_in_as
from tests.insights.conftest import PERSONAL_STRINGS, World


class Tables(HTMLParser):
    """Each ``<table id="table-KEY">`` on a page as rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "table" and str(found.get("id", "")).startswith("table-"):
            self._key = found["id"].removeprefix("table-")
            self.tables[self._key] = []
        elif self._key and tag == "tr":
            self.tables[self._key].append([])
        elif self._key and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if self._key and tag in ("th", "td") and self._cell is not None:
            self.tables[self._key][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(body: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(body)
    return parser.tables


def shown(value: str) -> str:
    """A CSV cell as the page shows it: numbers with thousands commas, empty as "Not known"."""
    if value == "":
        return "Not known"
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:,.1f}" if "." in value else f"{int(number):,}"


def as_staff(app: Flask, role: StaffRole = StaffRole.MODERATOR):
    client = app.test_client()
    with app.app_context():
        email = f"{role.value}-{uuid.uuid4().hex[:8]}@council.example.org"
        sign_in_as(client, create_user(db.session, email, staff_role=role))
    return client


def test_anonymous_goes_to_sign_in_and_members_are_refused(world_app: Flask, world: World) -> None:
    client = world_app.test_client()
    for path in ("/staff/insights/", "/staff/insights/monthly.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/sign-in" in response.location
    member = world_app.test_client()
    with world_app.app_context():
        sign_in_as(member, create_user(db.session, "owner@group.example.org",
                                       organization_id="org-1"))  # fmt: skip
    assert member.get("/staff/insights/").status_code == 403
    assert member.get("/staff/insights/unmet.csv").status_code == 403


@pytest.mark.parametrize("role", [StaffRole.MODERATOR, StaffRole.ADMIN])
def test_staff_see_every_table_with_its_chart(world_app: Flask, world: World, role) -> None:
    response = as_staff(world_app, role).get("/staff/insights/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert set(page_tables(body)) == set(TABLE_KEYS)
    assert body.count('role="img"') == 8  # every table with a chart (all have rows here)
    for secret in PERSONAL_STRINGS:
        assert secret not in body


def test_every_csv_equals_the_pages_table(world_app: Flask, world: World) -> None:
    client = as_staff(world_app)
    on_page = page_tables(client.get("/staff/insights/").get_data(as_text=True))
    for key in TABLE_KEYS:
        response = client.get(f"/staff/insights/{key}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert [rows[0], *([shown(v) for v in row] for row in rows[1:])] == on_page[key], key
        for secret in PERSONAL_STRINGS:
            assert secret not in response.get_data(as_text=True)


def test_a_period_on_the_page_and_in_the_csv(world_app: Flask, world: World) -> None:
    client = as_staff(world_app)
    body = client.get("/staff/insights/?from=2026-02&to=2026-02").get_data(as_text=True)
    assert page_tables(body)["monthly"][1:] == [["2026-02", "2", "1", "0"]]
    assert 'href="/staff/insights/monthly.csv?from=2026-02&amp;to=2026-02"' in body
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/staff/insights/monthly.csv?from=2026-02&to=2026-02").get_data(
                    as_text=True
                )
            )
        )
    )
    assert rows[1:] == [["2026-02", "2", "1", "0"]]


def test_months_that_cannot_be_read_say_how_to_fix_them(world_app: Flask, world: World) -> None:
    client = as_staff(world_app)
    response = client.get("/staff/insights/?from=March&to=2026-02")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter the first month as a year and month, like 2026-03" in body
    assert 'href="#from"' in body and "<title>Error:" in body
    backwards = client.get("/staff/insights/?from=2026-05&to=2026-02").get_data(as_text=True)
    assert "The last month must be the same as or after the first month" in backwards
    assert client.get("/staff/insights/monthly.csv?from=2026-13").status_code == 400
    assert client.get("/staff/insights/nothing.csv").status_code == 404


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60), st.text(max_size=60))
def test_any_query_string_gives_a_page_not_an_error(
    world_app: Flask, first: str, last: str
) -> None:
    client = as_staff(world_app)
    for path in ("/staff/insights/", "/staff/insights/outcomes.csv"):
        response = client.get(path, query_string={"from": first, "to": last})
        assert response.status_code in (200, 400)


def test_the_get_form_works_with_csrf_on(world_app: Flask, world: World) -> None:
    """The period form changes nothing, so it carries no token and needs none."""
    world_app.config["WTF_CSRF_ENABLED"] = True
    response = as_staff(world_app).get("/staff/insights/?from=2026-01")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    start = body.index('<form method="get" action="/staff/insights/"')
    assert 'name="csrf_token"' not in body[start : body.index("</form>", start)]


def test_the_command_writes_the_same_csvs(world_app: Flask, world: World, tmp_path) -> None:
    client = as_staff(world_app)
    runner = world_app.test_cli_runner()
    result = runner.invoke(args=["insights", "--csv", str(tmp_path), "--from", "2026-01"])
    assert result.exit_code == 0, result.output
    for key in TABLE_KEYS:
        download = client.get(f"/staff/insights/{key}.csv?from=2026-01").get_data(as_text=True)
        assert (tmp_path / f"{key}.csv").read_bytes().decode("utf-8") == download, key
    to_stdout = runner.invoke(args=["insights", "--csv", "-"])
    assert to_stdout.exit_code == 0
    assert "# unmet: Unmet need by area" in to_stdout.output
    bare = runner.invoke(args=["insights", "--csv"])  # as the issue writes it: stdout
    assert bare.exit_code == 0 and bare.output == to_stdout.output
    before = runner.invoke(args=["insights", "--csv", "--from", "2026-01"])
    assert before.exit_code == 0 and before.output.startswith("# monthly")
    text = runner.invoke(args=["insights", "--to", "2026-01"])
    assert text.exit_code == 0 and "Requests and offers by month" in text.output
    for output in (to_stdout.output, text.output):
        for secret in PERSONAL_STRINGS:
            assert secret not in output
    bad = runner.invoke(args=["insights", "--from", "2026-99"])
    assert bad.exit_code == 2 and "like 2026-03" in bad.output


def test_formula_like_cells_are_defused() -> None:
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("food") == "food"
    assert csv_cell(3) == 3


def test_the_tables_need_no_request(world_app: Flask, world: World) -> None:
    with world_app.app_context():
        assert [t.key for t in build_tables(db.session, keys=["unmet"])] == ["unmet"]
