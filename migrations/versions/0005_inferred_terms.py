"""inferred needs and client groups, stored apart from curated terms (issue 11)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = directory.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inferred_term",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=36), nullable=False),
        sa.Column("link_type", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.String(length=255), nullable=False),
        sa.Column(
            "review",
            sa.Enum(
                "inferred",
                "confirmed",
                "rejected",
                name="reviewstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_inferred_term_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_inferred_term_taxonomy_term_id_taxonomy_term"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inferred_term")),
        sa.UniqueConstraint(
            "service_id", "taxonomy_term_id", name=op.f("uq_inferred_term_service_id")
        ),
    )
    with op.batch_alter_table("inferred_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inferred_term_review"), ["review"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inferred_term_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inferred_term_taxonomy_term_id"), ["taxonomy_term_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inferred_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inferred_term_taxonomy_term_id"))
        batch_op.drop_index(batch_op.f("ix_inferred_term_service_id"))
        batch_op.drop_index(batch_op.f("ix_inferred_term_review"))
    op.drop_table("inferred_term")
