"""freshness (issue 12): reserved for the freshness work; fill in or remove and re-chain.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
