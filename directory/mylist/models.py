"""The one table "My list" needs: share links.

A list itself lives in the visitor's signed session cookie, so nothing about a person is kept
on the server. A share link is the exception, and it holds no personal data by design: only
the ids of public services, a random token and two timestamps. Notes are never stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import utcnow
from directory.core.types import UTCDateTime
from directory.db import Base

#: ``secrets.token_urlsafe(32)`` gives 43 characters; the column leaves room for longer tokens.
TOKEN_LENGTH = 64


class SharedList(Base):
    """A list of service ids anyone holding the token may view until ``expires_at``."""

    __tablename__ = "shared_list"

    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), primary_key=True)
    service_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
