"""What waits for a moderator: proposed listings and edits, and claims to manage a listing.

A :class:`Proposal` holds a whole service record as ORUK JSON (``payload``, the shape
:func:`directory.listings.serialise.service_json` gives and the import writer takes), plus the
live record it was based on (``base``) for the field-by-field diff. Nothing in a proposal
touches the live tables, the change log or the search index until it is approved, when it is
written through the one writer (:mod:`directory.moderation.apply`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base


class ProposalKind(enum.StrEnum):
    NEW = "new"  # a listing not yet in the directory
    EDIT = "edit"  # a change to a live listing
    RESTORE = "restore"  # an earlier version brought back (from the history view)


class ProposalState(enum.StrEnum):
    DRAFT = "draft"  # the organisation is still filling it in
    SUBMITTED = "submitted"  # in the moderation queue
    CHANGES_REQUESTED = "changes_requested"  # back with the organisation, with a reason
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: States in which the organisation may still change a proposal.
EDITABLE_STATES = (ProposalState.DRAFT, ProposalState.CHANGES_REQUESTED)


class Proposal(Base):
    __tablename__ = "proposal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[ProposalKind] = mapped_column(text_enum(ProposalKind))
    state: Mapped[ProposalState] = mapped_column(
        text_enum(ProposalState), default=ProposalState.DRAFT, index=True
    )
    #: The organisation the proposal belongs to: who may see and change it.
    organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: The service it creates or changes (the id is chosen when a new listing is started).
    service_id: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Wizard progress and answers not yet in the record (for "save and come back later").
    form_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: A minor edit from a trusted organisation, published without waiting.
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)


class ClaimState(enum.StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


class Claim(Base):
    """ "Is this you? Ask to manage it": an organisation asks to manage an existing listing."""

    __tablename__ = "claim"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ClaimState] = mapped_column(
        text_enum(ClaimState), default=ClaimState.OPEN, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
