"""``phone.position``: a contact's numbers keep the order they were given in.

Phones were ordered by id. A feed's or a spreadsheet's derived ids are UUIDs, so the order
people saw depended on the ids (and a spreadsheet's derived ids on the feed's name): the
second number of a cell could come first. The writer now stores each number's place in its
contact's list; existing rows get their current (id) order, so nothing moves on upgrade.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("phone") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE phone SET position = (SELECT count(*) FROM phone AS earlier"
        " WHERE earlier.contact_id = phone.contact_id AND earlier.id < phone.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("phone") as batch:
        batch.drop_column("position")
