"""ORUK location, address, accessibility and service_at_location tables, and the place
names found in listings' addresses.

``kind`` is our own addition: community hubs and Let's Talk sites are first-class places with
their own pages, not just venues that happen to host a service.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base
from directory.taxonomy.models import Attribute

if TYPE_CHECKING:
    from directory.listings.models import Schedule, Service


class LocationKind(enum.StrEnum):
    VENUE = "venue"
    COMMUNITY_HUB = "community_hub"
    LETS_TALK = "lets_talk"
    VIRTUAL = "virtual"


class Location(Base):
    __tablename__ = "location"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(String(255))
    external_identifier_type: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[LocationKind] = mapped_column(
        text_enum(LocationKind),
        default=LocationKind.VENUE,
        index=True,
    )
    geocode_source: Mapped[str | None] = mapped_column(String(32))

    addresses: Mapped[list[Address]] = relationship(
        back_populates="location", cascade="all, delete-orphan", order_by="Address.id"
    )
    accessibility: Mapped[list[Accessibility]] = relationship(
        back_populates="location", cascade="all, delete-orphan", order_by="Accessibility.id"
    )
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin="and_(Location.id == foreign(Attribute.link_id), "
        "Attribute.link_entity == 'location')",
        cascade="all, delete-orphan",
        order_by="Attribute.id",
        overlaps="attributes",
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )

    @property
    def postcode(self) -> str | None:
        for address in self.addresses:
            if address.postal_code:
                return address.postal_code
        return None


class Address(Base):
    __tablename__ = "address"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255), default="")
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(255), default="")
    region: Mapped[str | None] = mapped_column(String(255))
    state_province: Mapped[str] = mapped_column(String(255), default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="", index=True)
    country: Mapped[str] = mapped_column(String(2), default="GB")
    address_type: Mapped[str] = mapped_column(String(16), default="physical")

    location: Mapped[Location] = relationship(back_populates="addresses")


class Accessibility(Base):
    __tablename__ = "accessibility"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))

    location: Mapped[Location] = relationship(back_populates="accessibility")


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations", lazy="joined")
    schedules: Mapped[list[Schedule]] = relationship(
        back_populates="service_at_location", order_by="Schedule.id"
    )


class PlaceName(Base):
    """A place name written in listings' addresses ("Upton" in "Upton, Chester CH2 1..."),
    located at the middle of the postcodes written with it.

    Derived data: ``directory.places.listing_places.refresh_place_names`` rebuilds the whole
    table from the addresses, so nothing here is edited by hand.
    """

    __tablename__ = "place_name"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    folded: Mapped[str] = mapped_column(String(100), index=True)
    la_code: Mapped[str | None] = mapped_column(String(9))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    #: How many different postcodes and addresses gave this name: the evidence for it.
    postcodes: Mapped[int] = mapped_column(Integer)
    addresses: Mapped[int] = mapped_column(Integer)


class PlaceNameRefresh(Base):
    """One row saying how far through the listing change sequence ``place_name`` is, so every
    process can tell cheaply whether the names need rebuilding or reloading."""

    __tablename__ = "place_name_refresh"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    listing_seq: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    names: Mapped[int] = mapped_column(Integer, default=0)
