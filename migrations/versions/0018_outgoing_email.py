"""outgoing_email (issue 12, "no account enumeration through ... timing"): account emails are
queued in the request's transaction and sent afterwards by a thread or ``mail send-queued``;
each row is deleted as soon as it is sent (directory/core/outbox.py)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outgoing_email",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("created_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", directory.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("claimed_until", directory.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_email")),
    )
    with op.batch_alter_table("outgoing_email", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outgoing_email_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_email", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_email_next_attempt_at"))
    op.drop_table("outgoing_email")
