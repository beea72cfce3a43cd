"""reports (issue 12): problem reports get a state, can be passed to the organisation, and
record who resolved them, what was done and when a reply was sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("problem_report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "state",
                sa.Enum(
                    "open",
                    "passed_to_organisation",
                    "resolved",
                    name="reportstate",
                    native_enum=False,
                    length=32,
                ),
                nullable=False,
                server_default="open",
            )
        )
        batch_op.add_column(
            sa.Column("passed_at", directory.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("organization_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "reply_sent_at", directory.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index(batch_op.f("ix_problem_report_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_problem_report_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_problem_report_resolved_by_user_account"),
            "user_account",
            ["resolved_by"],
            ["id"],
            ondelete="SET NULL",
        )
    # Reports resolved before states existed keep their meaning.
    op.execute("UPDATE problem_report SET state = 'resolved' WHERE resolved_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("problem_report", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_problem_report_resolved_by_user_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_problem_report_organization_id"))
        batch_op.drop_index(batch_op.f("ix_problem_report_state"))
        batch_op.drop_column("reply_sent_at")
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("organization_id")
        batch_op.drop_column("passed_at")
        batch_op.drop_column("state")
