"""A resident's report that a listing is wrong, kept until staff (or the organisation that runs
the service) have dealt with it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base
from directory.listings.models import Service


class ReportState(enum.StrEnum):
    """Open: waiting for staff. Passed: staff asked the organisation to check its listing (it
    sees the report in /manage). Resolved: staff or the organisation dealt with it."""

    OPEN = "open"
    PASSED = "passed_to_organisation"
    RESOLVED = "resolved"


class ProblemReport(Base):
    """``reply_email`` is the only personal data: optional, used only to reply, shown only to
    staff on the report's own page, never to the organisation, and blanked once a reply has
    been sent or the retention period has passed (:mod:`directory.feedback.workflow`).

    ``resolution`` says what was done; it is shown to staff and to the organisation, so the
    forms ask for no personal data in it. ``organization_id`` is set when the report is passed
    on and decides which organisation may read it.
    """

    __tablename__ = "problem_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    problem: Mapped[str] = mapped_column(Text)
    reply_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[ReportState] = mapped_column(
        text_enum(ReportState), default=ReportState.OPEN, index=True
    )
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    resolved_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    resolution: Mapped[str | None] = mapped_column(Text)
    reply_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship(lazy="joined")
