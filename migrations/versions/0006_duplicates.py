"""possible duplicate listings, flagged and never merged (issue 11)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_flag",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_a_id", sa.String(length=36), nullable=False),
        sa.Column("service_b_id", sa.String(length=36), nullable=False),
        sa.Column(
            "strength",
            sa.Enum("likely", "possible", name="strength", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "not_duplicate",
                "confirmed",
                name="flagstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("first_seen", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", directory.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_a_id"],
            ["service.id"],
            name=op.f("fk_duplicate_flag_service_a_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_b_id"],
            ["service.id"],
            name=op.f("fk_duplicate_flag_service_b_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_flag")),
        sa.UniqueConstraint(
            "service_a_id", "service_b_id", name=op.f("uq_duplicate_flag_service_a_id")
        ),
    )
    with op.batch_alter_table("duplicate_flag", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicate_flag_service_b_id"), ["service_b_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_duplicate_flag_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duplicate_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_flag_status"))
        batch_op.drop_index(batch_op.f("ix_duplicate_flag_service_b_id"))
    op.drop_table("duplicate_flag")
