"""The ``duplicate_flag`` table: two listings that look like one service, and staff's decision.

A flag never changes either listing: nothing is merged or hidden in the database. Search shows
one card per group of ``likely`` or ``confirmed`` pairs (:mod:`.groups`); everything else is for
staff to look at. A pair marked ``not_duplicate`` keeps its row forever, so it is never flagged
again however often the feeds are imported.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base
from directory.listings.models import Service


class Strength(enum.StrEnum):
    #: The same service: near-same name and the same postcode, phone, email, site or organisation.
    LIKELY = "likely"
    #: Worth a look: the same name elsewhere, or a shared contact and a related name.
    POSSIBLE = "possible"


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    NOT_DUPLICATE = "not_duplicate"
    CONFIRMED = "confirmed"


class DuplicateFlag(Base):
    """One pair of services, ``service_a_id < service_b_id`` so each pair has one row."""

    __tablename__ = "duplicate_flag"
    __table_args__ = (UniqueConstraint("service_a_id", "service_b_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_a_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    service_b_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    strength: Mapped[Strength] = mapped_column(text_enum(Strength))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[FlagStatus] = mapped_column(
        text_enum(FlagStatus), default=FlagStatus.OPEN, index=True
    )
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service_a: Mapped[Service] = relationship(foreign_keys=[service_a_id])
    service_b: Mapped[Service] = relationship(foreign_keys=[service_b_id])

    #: Not stored: True on flags :func:`flag_duplicates` created in this run, and the two
    #: listings' names for ``str()`` where the function that returned the flag knew them.
    is_new = False
    labels = None  # (name of A, name of B)

    def other(self, service_id: str) -> str:
        """The id of the pair's other service."""
        return self.service_b_id if service_id == self.service_a_id else self.service_a_id

    def __str__(self) -> str:
        state = "new" if self.is_new else self.status.value.replace("_", " ")
        a, b = self.labels or (self.service_a_id, self.service_b_id)
        return f"{self.strength.value} duplicate ({state}): {a} and {b}: {'; '.join(self.reasons)}"
