"""shared lists: share links for "My list" (service ids only, no personal data)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import directory.core.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('shared_list',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('service_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', directory.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', directory.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_shared_list'))
    )
    with op.batch_alter_table('shared_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_list_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shared_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_list_expires_at'))

    op.drop_table('shared_list')
