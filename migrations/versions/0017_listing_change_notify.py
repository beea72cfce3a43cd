"""listing_change notifies (issue 14, scope 3): every insert wakes the index updaters.

A statement-level trigger on ``listing_change`` sends ``pg_notify('listing_change', max(seq))``
for each INSERT statement, whoever the writer is (a web request, a CLI import, another
machine). PostgreSQL delivers it when the transaction commits (never for a rollback), to
every session that ran ``LISTEN listing_change`` (``search_index.updater``). The table stays
the truth: a notification only says "look now" (docs/adr/0018-change-feed-listen-notify.md).
PostgreSQL only; on SQLite this migration does nothing (its processes poll).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The channel; ``search_index.feed.CHANNEL`` names the same one.
CHANNEL = "listing_change"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION listing_change_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', (SELECT max(seq) FROM new_rows)::text);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER listing_change_notify
        AFTER INSERT ON listing_change
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION listing_change_notify()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS listing_change_notify ON listing_change")
    op.execute("DROP FUNCTION IF EXISTS listing_change_notify()")
