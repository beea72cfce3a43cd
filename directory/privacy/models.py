"""Every time a person's data is shown to staff, it is logged: who, when, which record, why
(the page). The log holds ids, never the personal data itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import utcnow
from directory.core.types import UTCDateTime
from directory.db import Base


class PersonalDataAccess(Base):
    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    record_type: Mapped[str] = mapped_column(String(32))  # help_request, help_offer
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(32))  # view, export, delete, contact
