"""last_modified, the ORUK metadata log and the change sequence follow every change."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from directory.models import (
    Address,
    ChangeRecord,
    Contact,
    ListingChange,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)


def _service(session) -> Service:
    org = Organization(name="Blacon Friends", description="A volunteer group.")
    service = Service(name="Tuesday Friendship Club", status="active", organization=org)
    session.add(service)
    session.commit()
    return service


def test_new_service_gets_last_modified_and_a_change(any_session):
    service = _service(any_session)
    assert service.last_modified is not None
    assert service.last_modified.tzinfo is not None
    seqs = any_session.scalars(select(ListingChange).where(ListingChange.service_id == service.id))
    assert len(list(seqs)) == 1


def test_editing_a_field_records_old_and_new_value(any_session):
    service = _service(any_session)
    before = service.last_modified
    service.name = "Tuesday Friendship Café"
    any_session.commit()
    record = any_session.scalars(
        select(ChangeRecord).where(
            ChangeRecord.resource_id == service.id, ChangeRecord.field_name == "name"
        )
    ).one()
    assert record.previous_value == "Tuesday Friendship Club"
    assert record.replacement_value == "Tuesday Friendship Café"
    assert record.last_action_type == "update"
    assert service.last_modified > before


def test_change_to_nested_phone_bumps_the_service(any_session):
    service = _service(any_session)
    contact = Contact(name="Helpline")
    service.contacts.append(contact)
    contact.phones.append(Phone(number="01632 960001"))
    any_session.commit()
    stamp = service.last_modified
    contact.phones[0].number = "01632 960002"
    any_session.commit()
    any_session.refresh(service)
    assert service.last_modified > stamp


def test_change_to_a_location_bumps_every_service_there(any_session):
    service = _service(any_session)
    location = Location(name="Blacon Community Centre")
    location.addresses.append(
        Address(address_1="1 Demo Road", city="Chester", postal_code="CH1 5BE")
    )
    service.service_at_locations.append(ServiceAtLocation(location=location))
    any_session.commit()
    stamp = service.last_modified
    count = len(any_session.scalars(select(ListingChange)).all())
    location.addresses[0].address_1 = "2 Demo Road"
    any_session.commit()
    any_session.refresh(service)
    assert service.last_modified > stamp
    assert len(any_session.scalars(select(ListingChange)).all()) == count + 1


def test_an_explicit_last_modified_is_kept(any_session):
    """Imports carry their own timestamps; the hook must not overwrite them."""
    given = datetime(2023, 3, 15, 10, 30, 45, 123000, tzinfo=UTC)
    service = Service(name="Imported", status="active", last_modified=given)
    any_session.add(service)
    any_session.commit()
    any_session.expire_all()
    assert any_session.get(Service, service.id).last_modified == given


def test_no_change_records_nothing(any_session):
    service = _service(any_session)
    count = len(any_session.scalars(select(ChangeRecord)).all())
    service.name = service.name
    any_session.commit()
    assert len(any_session.scalars(select(ChangeRecord)).all()) == count


def test_new_identifier_only_touches_its_own_organisations_services(any_session):
    """A regression: the new row's organization_id is unset in before_flush, and matching on
    it once re-stamped every service without an organisation."""
    from directory.models import OrganizationIdentifier

    mine = _service(any_session)
    orphan = Service(name="No organisation", status="active")
    any_session.add(orphan)
    any_session.commit()
    orphan_stamp = orphan.last_modified
    mine_stamp = mine.last_modified
    mine.organization.identifiers.append(
        OrganizationIdentifier(
            identifier_scheme="GB-CHC", identifier_type="Charity", identifier="1"
        )
    )
    any_session.commit()
    any_session.expire_all()
    assert any_session.get(Service, orphan.id).last_modified == orphan_stamp
    assert any_session.get(Service, mine.id).last_modified > mine_stamp
