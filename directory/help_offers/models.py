"""Here2Help offers: an organisation or a volunteer says what help they can give, where, when
and for how many people. A volunteer's offer is checked by staff before it is used in
matching; an organisation's offer links to its directory listing where it has one.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base


class OfferKind(enum.StrEnum):
    ORGANISATION = "organisation"
    VOLUNTEER = "volunteer"


class OfferStatus(enum.StrEnum):
    PENDING_CHECK = "pending_check"  # a volunteer's offer before staff have checked it
    ACTIVE = "active"  # used in matching
    PAUSED = "paused"  # full, or away for a while
    CLOSED = "closed"
    REJECTED = "rejected"


class HelpOffer(Base):
    __tablename__ = "help_offer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16), default="web")
    kind: Mapped[OfferKind] = mapped_column(text_enum(OfferKind))
    status: Mapped[OfferStatus] = mapped_column(
        text_enum(OfferStatus), default=OfferStatus.PENDING_CHECK, index=True
    )
    #: Need taxonomy term ids offered.
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    #: An organisation's offer: its directory organisation and listing, where known.
    organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    service_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: Where: a radius around a postcode, and/or named areas (ONS codes or place names).
    postcode: Mapped[str | None] = mapped_column(String(10))  # a volunteer's: personal
    outcode: Mapped[str | None] = mapped_column(String(5), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    radius_km: Mapped[float | None] = mapped_column(Float)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: When: weekday/part-of-day slots, e.g. ["mon-am", "sat-pm"]; empty means any time.
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: How many people they can help at once (None: not limited); ``in_use`` counts matches.
    capacity: Mapped[int | None] = mapped_column(Integer)
    in_use: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(200))  # a volunteer's: personal
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    checked_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class HelpOfferDraft(Base):
    """The answers of someone part way through /offer-help.

    Kept on the server rather than in the session cookie: the cookie is signed, not secret,
    and My list already fills most of its 4 KB. The cookie carries only a random token; ``id``
    is that token's SHA-256, so a copy of the database cannot be used to take over a draft.
    A draft is deleted when the offer is sent, and any draft untouched for
    :data:`directory.help_offers.drafts.DRAFT_HOURS` is deleted (it holds personal data).
    """

    __tablename__ = "help_offer_draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
