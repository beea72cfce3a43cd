"""Needs and client groups inferred from a listing's own words, stored apart from curated ones.

A curated term (an ``Attribute`` with ``link_type`` ``need`` or ``client_group``) is a person's
judgement; an inferred term is a guess with a method, a confidence and the words that gave it.
Keeping them in their own table means a guess can never overwrite or be mistaken for a
judgement, can be re-derived or withdrawn when the listing's words change, and can be reviewed
by staff: ``review`` is ``inferred`` until someone confirms or rejects it, and a rejected term is
kept (so it is never inferred again) but never used.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime, text_enum
from directory.db import Base

#: Longest evidence kept: a few words or a source term's label, never a whole description.
EVIDENCE_LENGTH = 255


class ReviewState(enum.StrEnum):
    INFERRED = "inferred"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class InferredTerm(Base):
    __tablename__ = "inferred_term"
    __table_args__ = (UniqueConstraint("service_id", "taxonomy_term_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    #: ``need`` or ``client_group``, as the curated link would say.
    link_type: Mapped[str] = mapped_column(String(32))
    #: ``vocabulary``, ``crosswalk`` or ``semantic``: the method with the strongest evidence.
    method: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(String(EVIDENCE_LENGTH), default="")
    review: Mapped[ReviewState] = mapped_column(
        text_enum(ReviewState, length=16),
        default=ReviewState.INFERRED,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
