"""The search index's records read through psycopg's cursor on PostgreSQL (by id range for a
sorted batch, by ``= ANY`` otherwise) equal those read with SQLAlchemy Core, on a directory
with every shape a record carries: venues with and without their own sessions, a virtual
place, a place with two addresses, a shared place, no organisation, a suspended one, inferred
terms in each review state, a duplicate pair, cost options, areas, hidden listings."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from directory.inference.models import InferredTerm, ReviewState
from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.models import (
    Address,
    CostOption,
    ListingStatus,
    Location,
    LocationKind,
    Schedule,
    ServiceAtLocation,
)
from search_index import records
from search_index.records import load_services, load_services_core
from tests.factories import make_directory, make_organization, make_service, term


def _world(session: Session) -> list[str]:
    """Ids of every service of a varied directory (and the hidden ones)."""
    directory = make_directory(session)
    ids = [s.id for s in directory.services.values()]
    ids += [s.id for s in directory.hidden.values()]
    suspended = make_organization(session, "Suspended Trust", is_suspended=True)
    rng = random.Random(7)
    states = [ReviewState.INFERRED, ReviewState.CONFIRMED, ReviewState.REJECTED]
    for n in range(40):
        service = make_service(
            session,
            f"Upton Lantern Club {n:02d}",
            places=("chester", "hoole")[: n % 3],
            organization=suspended if n % 11 == 0 else None,
            alternate_name=f"Lantern {n}" if n % 2 else None,
            needs=("Food",) if n % 4 else ("Befriending", "Debt advice"),
            client_groups=("Carers",) if n % 5 == 0 else (),
            service_areas=("E06000050",) if n % 3 == 0 else (),
            schedules=[{"byday": "MO", "opens_at": "10:00", "closes_at": "11:30"}],
            minimum_age=rng.choice([None, 0, 16.5]),
            is_demonstration=n % 7 == 0,
            fees=("Free", "£3 per session", None)[n % 3],
            last_modified=datetime(2025, 3, 1 + n % 28, 9, 30, tzinfo=UTC),
            assured_date=date(2025, 2, 1) if n % 2 else None,
            delivery_modes=["in_person", "online"] if n % 4 == 1 else ["phone"],
        )
        if n % 13 == 0:
            service.organization = None
        ids.append(service.id)
        if n % 3 == 1:
            session.add(
                InferredTerm(
                    service_id=service.id, taxonomy_term_id=term(session, "Mental health").id,
                    link_type="need", method="vocabulary", confidence=0.5 + n / 100,
                    evidence="words", review=states[n // 3 % 3],
                )
            )  # fmt: skip
        if n % 5 == 2:
            session.add(CostOption(service_id=service.id, option="Per term", amount=n / 2))
        session.flush()
        if n % 4 == 2 and service.service_at_locations:  # a venue with its own session
            sal = service.service_at_locations[0]
            sal.schedules.append(
                Schedule(service_id=service.id, byday="TU", freq="WEEKLY", interval=1,
                         description="At the hall", valid_from=date(2025, 1, 1))
            )  # fmt: skip
            sal.location.addresses.append(Address(address_1="Back door", city="", postal_code=""))
        if n % 9 == 4:
            virtual = Location(name="Online", kind=LocationKind.VIRTUAL)
            service.service_at_locations.append(ServiceAtLocation(location=virtual))
    shared = make_service(session, "Shared Hall Lunch", places=("chester",))
    other = make_service(session, "Shared Hall Lunch Club", places=())
    other.service_at_locations.append(
        ServiceAtLocation(location=shared.service_at_locations[0].location, description="<b>Hi</b>")
    )
    closed = make_service(session, "Closed Club", listing_status=ListingStatus.CLOSED)
    ids += [shared.id, other.id, closed.id]
    a, b = sorted((shared.id, other.id))
    session.add(
        DuplicateFlag(service_a_id=a, service_b_id=b, strength=Strength.LIKELY,
                      status=FlagStatus.OPEN, score=0.9, reasons=["same name"])
    )  # fmt: skip
    session.commit()
    session.expire_all()
    return ids


def test_records_are_the_same_read_either_way(any_session: Session, monkeypatch):
    ids = _world(any_session)
    assert len(ids) >= records.RANGE_FROM + 10
    monkeypatch.setattr(records, "RANGE_FROM", 8)  # the batch with gaps is read by range too
    ordered = sorted(ids)
    shuffled = ids[:]
    random.Random(3).shuffle(shuffled)
    cases = {
        "sorted (by id range on PostgreSQL)": ordered,
        "sorted with gaps and unknown ids": ["0-unknown", *ordered[::2], "zzzz-unknown"],
        "in no order (by ANY)": shuffled,
        "a few": ordered[3:6],
    }
    statements: list[str] = []
    read = records._PostgresReader._rows
    monkeypatch.setattr(
        records._PostgresReader,
        "_rows",
        lambda self, sql, p: statements.append(sql) or read(self, sql, p),
    )
    for name, case in cases.items():
        statements.clear()
        fast = load_services(any_session, case)
        if any_session.get_bind().dialect.name == "postgresql":
            ranged = "s.id >= %s" in statements[0]
            assert ranged is (case is not shuffled and len(case) >= 8), name
        core = load_services_core(any_session, case)
        assert [r.id for r in fast] == [r.id for r in core], name
        assert fast == core, name
        any_session.rollback()
    # A sparse sorted batch (mostly other services in its id range) still reads right.
    monkeypatch.setattr(records, "RANGE_FROM", 2)
    sparse = [ordered[0], ordered[-1]]
    assert load_services(any_session, sparse) == load_services_core(any_session, sparse)
    everything = load_services(any_session, ordered)
    assert any(r.inferred for r in everything)
    assert any(r.duplicate_of for r in everything)
    assert any(v.schedules for r in everything for v in r.venues)
    assert any(v.location and v.location.kind == LocationKind.VIRTUAL
               for r in everything for v in r.venues)  # fmt: skip


def test_pending_edits_are_read_as_session_execute_reads_them(any_session: Session):
    service = make_service(any_session, "Hoole Knit and Natter", places=("hoole",))
    any_session.commit()
    service.name = "Hoole Knit and Natter (renamed)"  # not flushed yet
    (record,) = load_services(any_session, [service.id])
    assert record.name == "Hoole Knit and Natter (renamed)"
