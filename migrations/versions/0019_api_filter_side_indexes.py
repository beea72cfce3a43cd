"""Indexes for the API's filters read from their own side (issue 14, scope 2: "API cost grows
with the answer, not the directory").

* ``attribute (taxonomy_term_id, link_entity, link_id)``: a term's services from the index
  alone, not from 4,400 pages of ``attribute`` for 8,700 rows at 100,000 services. It
  replaces the index on ``taxonomy_term_id`` alone, which it begins with.
* ``service (minimum_age, id)`` and ``service (maximum_age, id)`` where that age is not NULL:
  the services an age filter rules out (a minimum age above the asked maximum, a maximum age
  below the asked minimum), from one range of an index each (directory/api/filters.py,
  ``age_side``). Partial, so that only a query that says the age is there can use them: whole,
  they were smaller than the primary key's index (built at once, not page by page), and
  PostgreSQL read all of one for the ids of a page of ranked services (22 ms, not 3).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_attribute_term_link", "attribute", ["taxonomy_term_id", "link_entity", "link_id"]
    )
    op.drop_index("ix_attribute_taxonomy_term_id", table_name="attribute")
    for age in ("minimum_age", "maximum_age"):
        present = sa.text(f"{age} IS NOT NULL")
        op.create_index(f"ix_service_{age}_id", "service", [age, "id"],
                        postgresql_where=present, sqlite_where=present)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_service_maximum_age_id", table_name="service")
    op.drop_index("ix_service_minimum_age_id", table_name="service")
    op.create_index("ix_attribute_taxonomy_term_id", "attribute", ["taxonomy_term_id"])
    op.drop_index("ix_attribute_term_link", table_name="attribute")
