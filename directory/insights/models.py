"""What residents search for, logged anonymously: no IP address, no session, postcodes cut to
the outcode, names, numbers and email addresses scrubbed from the words before they are
stored (:mod:`directory.insights.scrub`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import utcnow
from directory.core.types import UTCDateTime
from directory.db import Base


class SearchLog(Base):
    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Stored to the hour only: enough for "when do people search", too coarse to single out.
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    query: Mapped[str] = mapped_column(String(200), default="")  # scrubbed
    outcode: Mapped[str | None] = mapped_column(String(5), index=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    results: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: "site", "guided", "api", "ask" (the ask-for-help self-signposting step).
    channel: Mapped[str] = mapped_column(String(16), default="site")
