"""import runs and feed membership (issue 11: imports you can trust)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = directory.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("feed", sa.String(length=1024), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("walk_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("finished_at", _TIME, nullable=True),
        sa.Column("heartbeat_at", _TIME, nullable=True),
        sa.Column("process", sa.String(length=255), nullable=False),
        sa.Column("ran_by", sa.String(length=255), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_run_feed"), ["feed"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_run_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_run_walk_id"), ["walk_id"], unique=False)

    op.create_table(
        "feed_listing",
        sa.Column("feed", sa.String(length=1024), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("first_seen_at", _TIME, nullable=False),
        sa.Column("last_seen_at", _TIME, nullable=False),
        sa.Column("last_walk_id", sa.String(length=36), nullable=False),
        sa.Column("retired_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_feed_listing_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed", "service_id", name=op.f("pk_feed_listing")),
    )
    with op.batch_alter_table("feed_listing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_listing_last_walk_id"), ["last_walk_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_listing_service_id"), ["service_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feed_listing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_listing_service_id"))
        batch_op.drop_index(batch_op.f("ix_feed_listing_last_walk_id"))
    op.drop_table("feed_listing")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_run_walk_id"))
        batch_op.drop_index(batch_op.f("ix_import_run_status"))
        batch_op.drop_index(batch_op.f("ix_import_run_feed"))
    op.drop_table("import_run")
