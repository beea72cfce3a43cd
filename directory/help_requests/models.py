"""Here2Help requests: a resident (or someone on their behalf) asks for non-urgent help.

Personal data lives only in the columns marked so (``name``, ``phone``, ``email``,
``details``, ``contact_times`` and the full ``postcode``); :mod:`directory.privacy` removes
them from closed requests after ``PERSONAL_DATA_DAYS`` and on a person's request, keeping the
rest (needs, outcode, dates, outcome) for insight. ``reference`` is what the person quotes.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"  # a staff member is working on it
    CLOSED = "closed"


class Outcome(enum.StrEnum):
    MATCHED = "matched"  # put in touch with an offer or a listed service that will help
    SIGNPOSTED = "signposted"  # given services to contact themselves
    SELF_SERVED = "self_served"  # found what they needed without staff
    NO_MATCH = "no_match"  # nobody could help: counted as unmet need
    WITHDRAWN = "withdrawn"


class Urgency(enum.StrEnum):
    """How soon help is needed, as the person says (urgent or unsafe goes to crisis numbers
    before the form: nothing here is an emergency)."""

    TODAY = "today"
    THIS_WEEK = "this_week"
    NOT_URGENT = "not_urgent"


class HelpRequest(Base):
    __tablename__ = "help_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Where it came from: "web", "import" (import-here2help), "staff" (taken by phone).
    source: Mapped[str] = mapped_column(String(16), default="web")
    #: Need taxonomy term ids the request was mapped to (from the list and from the words).
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The person's own words about the need (personal data: purged).
    details: Mapped[str | None] = mapped_column(Text)
    for_someone_else: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency: Mapped[Urgency] = mapped_column(text_enum(Urgency), default=Urgency.NOT_URGENT)
    postcode: Mapped[str | None] = mapped_column(String(10))  # personal: purged
    outcode: Mapped[str | None] = mapped_column(String(5), index=True)  # kept for insight
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    name: Mapped[str | None] = mapped_column(String(200))  # personal: purged
    phone: Mapped[str | None] = mapped_column(String(40))  # personal: purged
    email: Mapped[str | None] = mapped_column(String(320))  # personal: purged
    contact_by: Mapped[str | None] = mapped_column(String(16))  # phone, email, either
    contact_times: Mapped[str | None] = mapped_column(String(200))  # personal: purged
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RequestStatus] = mapped_column(
        text_enum(RequestStatus), default=RequestStatus.OPEN, index=True
    )
    outcome: Mapped[Outcome | None] = mapped_column(text_enum(Outcome))
    assigned_to: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    matched_offer_id: Mapped[str | None] = mapped_column(String(36))
    matched_service_id: Mapped[str | None] = mapped_column(String(36))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    attempts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ContactAttempt.at"
    )


class ContactAttempt(Base):
    """Staff tried to reach the person: when, how, and whether it worked. ``note`` must not
    hold more personal data than needed; it is purged with the request."""

    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(16))  # phone, email, text, letter
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    request: Mapped[HelpRequest] = relationship(back_populates="attempts")


class SelfServed(Base):
    """Someone saw services that match their need and stopped there: no personal data at all,
    just what they needed and roughly where (the outcode)."""

    __tablename__ = "self_served"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcode: Mapped[str | None] = mapped_column(String(5), index=True)
    services_shown: Mapped[int] = mapped_column(Integer, default=0)
