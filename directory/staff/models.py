"""A log of every staff action (approve, reject, resolve a report, change a role...), kept
apart from the field-level change log because many staff actions change no listing field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import utcnow
from directory.core.types import UTCDateTime
from directory.db import Base


class StaffAction(Base):
    """``detail`` never holds personal data: ids, states and reasons only."""

    __tablename__ = "staff_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(36), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
