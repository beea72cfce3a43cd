"""help_offers (issue 13): drafts of /offer-help kept on the server, not in the cookie.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "help_offer_draft",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", directory.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_offer_draft")),
    )
    with op.batch_alter_table("help_offer_draft", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_help_offer_draft_updated_at"), ["updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("help_offer_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_offer_draft_updated_at"))
    op.drop_table("help_offer_draft")
