"""freshness (issue 12): reminder emails with their one-click links, and the sweep's last day

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "freshness_reminder",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Date(), nullable=False),
        sa.Column("sent_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", directory.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_freshness_reminder_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freshness_reminder")),
        sa.UniqueConstraint(
            "service_id",
            "stage",
            "cycle",
            name=op.f("uq_freshness_reminder_service_id"),
        ),
    )
    with op.batch_alter_table("freshness_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_freshness_reminder_service_id"), ["service_id"], unique=False
        )
    op.create_table(
        "freshness_sweep",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("swept_on", sa.Date(), nullable=False),
        sa.Column("swept_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freshness_sweep")),
    )


def downgrade() -> None:
    op.drop_table("freshness_sweep")
    with op.batch_alter_table("freshness_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_freshness_reminder_service_id"))
    op.drop_table("freshness_reminder")
