"""ORUK organization and service tables, and the tables nested inside a service.

Our own additions sit beside the standard columns and are named so they cannot be mistaken for
it: ``listing_status`` (draft, pending, active, closed, retired: only active listings are
public; the ORUK ``status`` says whether the service itself is running), ``is_demonstration``,
``data_notes``, ``delivery_modes`` and ``referral``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base
from directory.places.models import ServiceAtLocation
from directory.taxonomy.models import Attribute


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    ACTIVE = "active"
    CLOSED = "closed"
    #: Gone from the feed it was imported from: not public, and made active again if the feed
    #: brings it back (a listing staff closed is never re-opened by a feed).
    RETIRED = "retired"


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(2048))
    logo: Mapped[str | None] = mapped_column(String(2048))
    uri: Mapped[str | None] = mapped_column(String(2048))
    parent_organization_id: Mapped[str | None] = mapped_column(String(36))
    is_demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    #: Our additions (issue 12): a trusted organisation publishes minor edits without waiting
    #: for a moderator; a suspended one's listings are not public (directory/listings/visibility).
    is_trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    identifiers: Mapped[list[OrganizationIdentifier]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        order_by="OrganizationIdentifier.id",
    )
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin="and_(Organization.id == foreign(Attribute.link_id), "
        "Attribute.link_entity == 'organization')",
        cascade="all, delete-orphan",
        order_by="Attribute.id",
        overlaps="attributes",
    )
    services: Mapped[list[Service]] = relationship(
        back_populates="organization", order_by="Service.name"
    )


class OrganizationIdentifier(Base):
    __tablename__ = "organization_identifier"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    identifier_scheme: Mapped[str | None] = mapped_column(String(64))
    identifier_type: Mapped[str] = mapped_column(String(255), default="")
    identifier: Mapped[str] = mapped_column(String(255), default="")

    organization: Mapped[Organization] = relationship(back_populates="identifiers")


class Service(Base):
    __tablename__ = "service"
    #: The services an API age filter rules out, from an index alone
    #: (directory.api.filters.age_side). Partial: a query must say the age is there to use
    #: one, so PostgreSQL never reads a whole one (smaller than the primary key's) for ids.
    __table_args__ = tuple(
        Index(f"ix_service_{age}_id", age, "id", postgresql_where=text(f"{age} IS NOT NULL"),
              sqlite_where=text(f"{age} IS NOT NULL"))
        for age in ("minimum_age", "maximum_age")
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(32), default="active")
    fees: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(320))
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, index=True)

    listing_status: Mapped[ListingStatus] = mapped_column(
        text_enum(ListingStatus), default=ListingStatus.ACTIVE, index=True
    )
    is_demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    data_notes: Mapped[str | None] = mapped_column(Text)
    delivery_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    referral: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship(
        back_populates="services", lazy="joined"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Schedule.id"
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceArea.id"
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceAtLocation.id"
    )
    languages: Mapped[list[Language]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Language.id"
    )
    funding: Mapped[list[Funding]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Funding.id"
    )
    cost_options: Mapped[list[CostOption]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="CostOption.id"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Contact.id"
    )
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin="and_(Service.id == foreign(Attribute.link_id), "
        "Attribute.link_entity == 'service')",
        cascade="all, delete-orphan",
        order_by="Attribute.id",
        overlaps="attributes",
    )

    @property
    def is_public(self) -> bool:
        """The public rule lives in :mod:`directory.listings.visibility`."""
        from directory.listings.visibility import is_public

        return is_public(self)


class Schedule(Base):
    """A recurring opening time or session, in the RFC 5545 terms ORUK uses."""

    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(String(36), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(64))
    byweekno: Mapped[str | None] = mapped_column(String(255))
    bymonthday: Mapped[str | None] = mapped_column(String(255))
    byyearday: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    schedule_link: Mapped[str | None] = mapped_column(String(2048))
    attending_type: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="schedules")
    service_at_location: Mapped[ServiceAtLocation | None] = relationship(back_populates="schedules")


class ServiceArea(Base):
    """Where a service is available. ``extent_type`` ``local_authority`` with an ONS code in
    ``extent`` lets search answer "does this service cover your postcode" offline."""

    __tablename__ = "service_area"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(String(64))
    uri: Mapped[str | None] = mapped_column(String(2048))

    service: Mapped[Service] = relationship(back_populates="service_areas")


class Language(Base):
    __tablename__ = "language"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    phone_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str | None] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="languages")


class Funding(Base):
    __tablename__ = "funding"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="funding")


class CostOption(Base):
    __tablename__ = "cost_option"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None] = mapped_column(Float)
    amount_description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="cost_options")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))

    service: Mapped[Service | None] = relationship(back_populates="contacts")
    phones: Mapped[list[Phone]] = relationship(
        back_populates="contact",
        cascade="all, delete-orphan",
        order_by="[Phone.position, Phone.id]",
        # A number added to the list without a place (any code but the importer's writer,
        # which sets each one) gets its place in the list, so no phone is left unordered.
        collection_class=ordering_list("position"),
    )


class Phone(Base):
    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    #: Where the number came in its contact's list: the first a feed or a form gives is the
    #: one people call, and ids (derived or a feed's UUIDs) do not keep that order. Not an
    #: ORUK field; set by the writer, never exported.
    position: Mapped[int | None] = mapped_column(Integer)

    contact: Mapped[Contact] = relationship(back_populates="phones")


class ChangeRecord(Base):
    """ORUK ``metadata``: one row per changed field, so staff can see who changed what."""

    __tablename__ = "metadata"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    last_action_date: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_action_type: Mapped[str] = mapped_column(String(16))
    field_name: Mapped[str] = mapped_column(String(64), default="")
    previous_value: Mapped[str] = mapped_column(Text, default="")
    replacement_value: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(255), default="system")


class ListingChange(Base):
    """An ever-growing sequence of "service X changed" events.

    Each web process keeps its own search index; it reads this table from the last sequence
    number it has applied to catch up with changes made by other processes and machines.
    """

    __tablename__ = "listing_change"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(36), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extra: Mapped[dict | None] = mapped_column(JSON)


def _register_attribute_listeners() -> None:
    from sqlalchemy import event

    from directory.places.models import Location
    from directory.taxonomy.models import link_entity_listener

    for cls, entity in (
        (Service, "service"),
        (Organization, "organization"),
        (Location, "location"),
    ):
        event.listen(cls.attributes, "append", link_entity_listener(entity), retval=True)


_register_attribute_listeners()
