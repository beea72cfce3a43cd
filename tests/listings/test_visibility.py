"""The one rule for "public" (directory/listings/visibility.py): the SQL clause and its Python
twin agree on every case, on SQLite and PostgreSQL, and every public surface (the API, search,
the service page and My list) follows it when an organisation is suspended."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.listings.visibility import (
    HIDE_AFTER_DAYS,
    is_public,
    public_clause,
    public_service_ids,
)
from directory.models import ListingStatus, Organization, Service
from search_index.documents import DocumentBuilder
from search_index.records import load_services
from tests.factories import make_organization, make_service

TODAY = date(2026, 6, 15)


def _days_ago(days: int) -> datetime:
    """Noon UTC on the day ``days`` before :data:`TODAY`."""
    return datetime.combine(TODAY - timedelta(days=days), time(12), tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    name: str
    public: bool
    status: ListingStatus = ListingStatus.ACTIVE
    suspended: bool | None = False  # None: no organisation at all
    created_days: int = 10
    modified_days: int = 10
    assured_days: int | None = None


CASES = [
    Case("active", True),
    Case("draft", False, status=ListingStatus.DRAFT),
    Case("pending", False, status=ListingStatus.PENDING),
    Case("closed", False, status=ListingStatus.CLOSED),
    Case("retired", False, status=ListingStatus.RETIRED),
    Case("no organisation", True, suspended=None),
    Case("organisation suspended", False, suspended=True),
    Case("suspended and draft", False, status=ListingStatus.DRAFT, suspended=True),
    # Unchecked for over 15 months: hidden only once it has been here that long too.
    Case("unchecked, here long", False, created_days=500, modified_days=500),
    Case("unchecked, arrived recently", True, created_days=20, modified_days=500),
    Case(
        "unchecked, no org, here long", False, suspended=None, created_days=500, modified_days=500
    ),
    # The assured date is the last check when there is one, whatever last_modified says.
    Case("assured recently", True, created_days=900, modified_days=900, assured_days=30),
    Case("assured long ago", False, created_days=900, modified_days=5, assured_days=600),
    # Either side of the line, a day apart.
    Case("at the limit", True, created_days=900, modified_days=HIDE_AFTER_DAYS),
    Case("a day past", False, created_days=900, modified_days=HIDE_AFTER_DAYS + 1),
    Case("assured at the limit", True, created_days=900, assured_days=HIDE_AFTER_DAYS),
    Case("assured a day past", False, created_days=900, assured_days=HIDE_AFTER_DAYS + 1),
    Case("created a day past", False, created_days=HIDE_AFTER_DAYS + 1, modified_days=700),
    Case("created at the limit", True, created_days=HIDE_AFTER_DAYS, modified_days=700),
]


def _make(session: Session, case: Case) -> Service:
    organization = None
    if case.suspended is not None:
        organization = make_organization(
            session, f"Org for {case.name}", is_suspended=case.suspended
        )
    service = make_service(
        session,
        f"Service {case.name}",
        organization=organization,
        listing_status=case.status,
        created_at=_days_ago(case.created_days),
        last_modified=_days_ago(case.modified_days),
        assured_date=(
            None if case.assured_days is None else TODAY - timedelta(days=case.assured_days)
        ),
    )
    if organization is None:
        service.organization = None
        service.last_modified = _days_ago(case.modified_days)  # kept: set in this flush
        session.flush()
    return service


def test_sql_clause_and_python_twin_agree_on_every_case(any_session: Session):
    services = {case.name: _make(any_session, case) for case in CASES}
    any_session.commit()
    any_session.expire_all()
    in_sql = set(any_session.scalars(public_service_ids(TODAY)))
    for case in CASES:
        service = any_session.get(Service, services[case.name].id)
        assert is_public(service, TODAY) is case.public, case.name
        assert (service.id in in_sql) is case.public, case.name
    # The same clause on an alias of Service (as the duplicate groups query uses it).
    alias = aliased(Service)
    via_alias = set(any_session.scalars(select(alias.id).where(public_clause(TODAY, alias))))
    assert via_alias == in_sql


def test_the_search_index_reads_the_same_rule(any_session: Session):
    """The index builds from plain records, not models: they carry what the rule reads."""
    services = {case.name: _make(any_session, case) for case in CASES}
    any_session.commit()
    records = {r.id: r for r in load_services(any_session, [s.id for s in services.values()])}
    builder = DocumentBuilder(any_session, gazetteer=None)
    builder.today = TODAY
    for case in CASES:
        record = records[services[case.name].id]
        assert is_public(record, TODAY) is case.public, case.name
        assert bool(builder.documents(record)) is case.public, case.name


def _page_text(html: bytes) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.decode())).split())


def test_a_suspended_organisations_service_disappears_everywhere(app: Flask):
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()
    with app.app_context():
        organization = make_organization(db.session, "Upton Lantern Trust")
        service = make_service(
            db.session, "Upton Lantern Repair Cafe", organization=organization, places=("upton",)
        )
        db.session.commit()
        service_id, organization_id = service.id, organization.id

    def seen() -> dict[str, bool]:
        listed = client.get("/api/services", query_string={"per_page": 200}).get_json()
        search = client.get("/search", query_string={"q": "Lantern repair"})
        my_list = _page_text(client.get("/my-list").data)
        return {
            "api list": service_id in {s["id"] for s in listed["contents"]},
            "api record": client.get(f"/api/services/{service_id}").status_code == 200,
            "search": "Upton Lantern Repair Cafe" in _page_text(search.data),
            "service page": client.get(f"/services/{service_id}", follow_redirects=True).status_code
            == 200,
            "my list": "Upton Lantern Repair Cafe No longer listed" not in my_list
            and "Upton Lantern Repair Cafe" in my_list,
        }

    assert client.post("/my-list/add", data={"service_id": service_id}).status_code == 303
    assert seen() == dict.fromkeys(seen(), True)

    with app.app_context(), unit_of_work(db.session, Actor.system("test")):
        db.session.get(Organization, organization_id).is_suspended = True

    assert seen() == dict.fromkeys(seen(), False)
    assert client.get(f"/services/{service_id}", follow_redirects=True).status_code == 404
    assert client.get(f"/api/services/{service_id}").status_code == 404
    assert "Upton Lantern Repair Cafe No longer listed" in _page_text(client.get("/my-list").data)


@pytest.mark.parametrize("status", [ListingStatus.ACTIVE, ListingStatus.DRAFT])
def test_model_property_is_the_same_rule(session: Session, status: ListingStatus):
    service = make_service(session, "Hoole Tuesday Lunch", listing_status=status)
    assert service.is_public is is_public(service) is (status == ListingStatus.ACTIVE)
