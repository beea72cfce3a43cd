"""The insight tables on a fixed world with known figures (tests/insights/conftest.py)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from directory.db import db
from directory.insights.charts import bar_chart
from directory.insights.reports import TABLE_KEYS, build_tables, find
from directory.insights.tables import Period, to_csv
from tests.insights.conftest import PERSONAL_STRINGS, World

MONEY = "Money, debt and benefits"
HEALTH = "Health and wellbeing"


def tables(app: Flask, period: Period | None = None) -> dict:
    with app.app_context():
        return {t.key: t for t in build_tables(db.session, period)}


def test_requests_and_offers_by_month(world_app: Flask, world: World) -> None:
    monthly = tables(world_app)["monthly"]
    # Month, requests, offers (the rejected one is not counted), found help themselves.
    assert monthly.rows == [
        ("2025-12", 1, 0, 0),
        ("2026-01", 2, 1, 2),
        ("2026-02", 2, 1, 0),
        ("2026-03", 2, 1, 1),
    ]


def test_matched_against_unmatched(world_app: Flask, world: World) -> None:
    outcomes = tables(world_app)["outcomes"]
    assert [(r[1], r[2]) for r in outcomes.rows] == [
        (1, 14.3), (1, 14.3), (0, 0.0), (2, 28.6), (1, 14.3), (0, 0.0), (2, 28.6)
    ]  # fmt: skip
    assert outcomes.column("outcome")[0].startswith("Matched")
    assert outcomes.column("outcome")[3].startswith("No match")


def test_by_need_rolls_up_to_the_top_of_the_taxonomy(world_app: Flask, world: World) -> None:
    """Food and debt advice sit under Money; loneliness and mental health under Health."""
    needs = {row[0]: row for row in tables(world_app)["needs"].rows}
    assert needs[MONEY][:3] == (MONEY, 4, 1)  # R1, R2, R5, R7; offer C (pending) counts
    assert needs[HEALTH][:3] == (HEALTH, 2, 1)
    assert needs["Family"][:3] == ("Family", 1, 1)
    assert needs["Need not given"][:3] == ("Need not given", 1, 0)
    keys = [c.key for c in tables(world_app)["needs"].columns]
    money = dict(zip(keys, needs[MONEY], strict=True))
    assert (money["matched"], money["no_match"], money["withdrawn"]) == (1, 2, 1)


def test_by_area_uses_outcodes_only(world_app: Flask, world: World) -> None:
    areas = {row[0]: row[1:3] for row in tables(world_app)["areas"].rows}
    assert areas == {
        "CW1": (2, 0), "CW9": (2, 2), "CH1": (1, 0), "CH2": (1, 0), "Not known": (1, 1)
    }  # fmt: skip


def test_over_time_by_need_and_by_area(world_app: Flask, world: World) -> None:
    found = tables(world_app)
    assert ("2026-03", MONEY, 1, 1) in found["needs_by_month"].rows
    assert ("2026-01", "CW9", 1, 1) in found["areas_by_month"].rows
    assert sum(r[2] for r in found["areas_by_month"].rows) == 7


def test_unmet_need_by_area(world_app: Flask, world: World) -> None:
    """Unmet: asked for, and no active offer and no public listing reaches the area.

    CH2 and CH1 asked for money help, and the Hoole food bank is within reach; CW9's
    loneliness is met by the active Northwich offer; CW1's parenting by the offer covering
    Cheshire East. Left: money in CW9 (only a pending offer there) and in CW1, and health in
    CW1 (the Northwich offer's 5 km do not reach Crewe)."""
    assert tables(world_app)["unmet"].rows == [
        ("CW1", HEALTH, 1, 1),
        ("CW1", MONEY, 1, 1),
        ("CW9", MONEY, 1, 1),
    ]


def test_a_listing_added_near_meets_the_need(world_app: Flask, world: World) -> None:
    from tests.factories import make_service

    with world_app.app_context():
        make_service(db.session, "Northwich Money Advice", places=("northwich",),
                     needs=("Debt advice",), client_groups=(), service_areas=())  # fmt: skip
        db.session.commit()
    assert ("CW9", MONEY, 1, 1) not in tables(world_app)["unmet"].rows


def test_searches(world_app: Flask, world: World) -> None:
    found = tables(world_app)
    assert found["searches_monthly"].rows == [
        # month, searches, found nothing, site, guided, api, ask
        ("2026-01", 2, 1, 1, 1, 0, 0),
        ("2026-02", 2, 2, 1, 0, 1, 0),
        ("2026-03", 1, 1, 0, 0, 0, 1),
    ]
    assert found["top_queries"].rows == [("food bank", 2, 1), ("zebra grooming", 2, 2)]
    assert found["zero_queries"].rows == [("zebra grooming", 2), ("food bank", 1)]


def test_needs_searched_per_area_against_listings(world_app: Flask, world: World) -> None:
    assert tables(world_app)["search_needs"].rows == [
        ("CH2", MONEY, 1, 0, 1),  # the Hoole food bank serves it
        ("CW9", "Family", 1, 1, 0),  # the Neston group is 40 km away
        ("CW9", MONEY, 1, 1, 0),
    ]


def test_a_period_counts_only_its_months(world_app: Flask, world: World) -> None:
    found = tables(world_app, Period.parse("2026-01", "2026-02"))
    assert [r[0] for r in found["monthly"].rows] == ["2026-01", "2026-02"]
    assert sum(found["outcomes"].column("requests")) == 4
    assert found["unmet"].rows == [("CW9", MONEY, 1, 1)]
    assert [r[0] for r in found["searches_monthly"].rows] == ["2026-01", "2026-02"]
    assert found["top_queries"].rows == [("food bank", 2, 1), ("zebra grooming", 2, 2)]
    only_march = tables(world_app, Period.parse("2026-03", ""))
    assert only_march["top_queries"].rows == []
    assert sum(only_march["outcomes"].column("requests")) == 2


def test_every_chart_draws_its_tables_figures(world_app: Flask, world: World) -> None:
    for table in tables(world_app).values():
        svg = str(bar_chart(table))
        if table.chart is None:
            assert svg == ""
            continue
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        drawn = re.findall(r'data-label="([^"]*)" data-value="([^"]*)"', svg)
        expected = [(html.escape(label), _shown(value)) for label, value in table.chart_bars()]
        assert drawn == expected, table.key
        assert len(drawn) == min(len(table.rows), table.chart.limit)


def _shown(value: float) -> str:
    return f"{value:,.1f}" if value % 1 else f"{int(value):,}"


def test_no_personal_data_reaches_any_table(world_app: Flask, world: World) -> None:
    everything = "\n".join(to_csv(t) for t in tables(world_app).values())
    for secret in PERSONAL_STRINGS:
        assert secret not in everything
    assert set(tables(world_app)) == set(TABLE_KEYS)


def test_the_figures_do_not_change_when_personal_data_is_purged(
    world_app: Flask, world: World
) -> None:
    """Insight reads only the columns the purge keeps."""
    from sqlalchemy import update

    from directory.help_requests.models import HelpRequest

    before = {k: t.rows for k, t in tables(world_app).items()}
    with world_app.app_context():
        db.session.execute(
            update(HelpRequest).values(name=None, phone=None, email=None, details=None,
                                       postcode=None, contact_times=None)
        )  # fmt: skip
        db.session.commit()
    assert {k: t.rows for k, t in tables(world_app).items()} == before


def test_find_names_a_missing_table() -> None:
    with pytest.raises(KeyError):
        find([], "monthly")
