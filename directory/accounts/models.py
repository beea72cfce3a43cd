"""People who sign in: organisation members (owner or editor of one or more organisations) and
council staff (moderator or admin).

An organisation member's organisation is named by ``organization_id`` without a foreign key:
a group that has just signed up has no row in the directory's ``organization`` table until a
moderator approves its first listing (nothing unapproved reaches the live tables). Who may do
what is decided in one place, :mod:`directory.accounts.policy`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id, utcnow
from directory.core.outbox import OutgoingEmail  # noqa: F401  (account emails queue there)
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base


class StaffRole(enum.StrEnum):
    """Council staff. ``NONE`` is everyone else (organisation members)."""

    NONE = "none"
    MODERATOR = "moderator"
    ADMIN = "admin"


class MemberRole(enum.StrEnum):
    """An owner manages the organisation's people as well as its listings; an editor only the
    listings."""

    OWNER = "owner"
    EDITOR = "editor"


class User(UserMixin, Base):
    """A person with a password. ``email`` is stored lower-cased and is the sign-in name.

    ``session_version`` is part of every session cookie's user id: raising it signs the person
    out everywhere (a password change or reset does so too).
    """

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    staff_role: Mapped[StaffRole] = mapped_column(text_enum(StaffRole), default=StaffRole.NONE)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last TOTP time step accepted, so a code cannot be used twice (migration 0009).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.created_at"
    )

    def get_id(self) -> str:
        """The id kept in the session cookie: stale once ``session_version`` moves on."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # flask-login: a disabled account cannot sign in
        return not self.is_disabled

    @property
    def is_staff(self) -> bool:
        return self.staff_role in (StaffRole.MODERATOR, StaffRole.ADMIN)


class Membership(Base):
    """One person's place in one organisation."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str] = mapped_column(String(36), index=True)
    role: Mapped[MemberRole] = mapped_column(text_enum(MemberRole), default=MemberRole.EDITOR)
    #: The organisation's name as given at sign-up (copied to people invited later): the only
    #: record of it until a listing creates the ``organization`` row (migration 0009).
    organization_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
