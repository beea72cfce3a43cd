"""What the freshness reminders remember (docs/freshness.md).

One :class:`FreshnessReminder` row per listing, stage and check cycle: the row is written in
the same transaction as the email is sent, and the unique key ``(service_id, stage, cycle)``
is what makes ``send-reminders`` safe to run twice, from cron, or from two machines at once.
The cycle is the "last checked" date the reminder was worked out from, so confirming a listing
(a new last-checked date) starts a new cycle and a new round of reminders six months later.

The row also carries the one-click "still correct" link's state: a hash of its secret part
(never the secret itself), when it expires and when it was used.

:class:`FreshnessSweep` keeps the day of the last sweep, so the sweep knows which listings
crossed the "stale" or "hidden" line since then.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime
from directory.db import Base

#: The reminder stages, in months since the listing was last checked.
STAGES = (6, 11)


class FreshnessReminder(Base):
    """One reminder email (to everyone who keeps the listing) and its confirm link."""

    __tablename__ = "freshness_reminder"
    __table_args__ = (UniqueConstraint("service_id", "stage", "cycle"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    #: 6 or 11 (:data:`STAGES`).
    stage: Mapped[int] = mapped_column(Integer)
    #: The last-checked date the reminder was worked out from.
    cycle: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: How many people were emailed (the addresses themselves are not kept).
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    #: SHA-256 of the link's secret part (:mod:`directory.freshness.tokens`).
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FreshnessSweep(Base):
    """A single row (id 1): the day the last sweep looked at."""

    __tablename__ = "freshness_sweep"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    swept_on: Mapped[date] = mapped_column(Date)
    swept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
