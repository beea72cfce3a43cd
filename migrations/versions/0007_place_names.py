"""local place names: curated and from listings' addresses (issue 11)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "place_name",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("folded", sa.String(length=100), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("postcodes", sa.Integer(), nullable=False),
        sa.Column("addresses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_name")),
    )
    with op.batch_alter_table("place_name", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_name_folded"), ["folded"], unique=False)
    op.create_table(
        "place_name_refresh",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("listing_seq", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("names", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_name_refresh")),
    )


def downgrade() -> None:
    op.drop_table("place_name_refresh")
    with op.batch_alter_table("place_name", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_name_folded"))
    op.drop_table("place_name")
