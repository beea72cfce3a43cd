"""A resident's report that a listing is wrong, kept until staff have dealt with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime
from directory.db import Base


class ProblemReport(Base):
    """``reply_email`` is the only personal data: optional, used to reply, and blanked by
    ``purge_reply_addresses`` once the retention period has passed."""

    __tablename__ = "problem_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    problem: Mapped[str] = mapped_column(Text)
    reply_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
