"""Indexed substring search on contacts, and an index for the newest-first list.

pg_trgm is not in every PostgreSQL build we run on (the embedded one lacks it), so
`tandem_trigrams(text)` returns the distinct lower-case 3-character substrings of a text; a GIN
index on the contact's searchable text lets `@>` find every row that contains all trigrams of the
query, and an ILIKE recheck keeps the result exact. The trigrams are a stored generated column, so
rechecking a candidate row costs no function call.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEARCH_TEXT = "(first_name || ' ' || last_name || ' ' || email)"


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION tandem_trigrams(t text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 3)), '{}')
            FROM generate_series(1, length(t) - 2) AS i
        $$
        """
    )
    op.execute(
        "ALTER TABLE contact ADD COLUMN search_trigrams text[] "
        f"GENERATED ALWAYS AS (tandem_trigrams({SEARCH_TEXT})) STORED"
    )
    op.execute("CREATE INDEX ix_contact_search ON contact USING gin (search_trigrams)")
    op.execute("CREATE INDEX ix_contact_org_created ON contact (org_id, created_at DESC, id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contact_org_created")
    op.execute("DROP INDEX IF EXISTS ix_contact_search")
    op.execute("ALTER TABLE contact DROP COLUMN IF EXISTS search_trigrams")
    op.execute("DROP FUNCTION IF EXISTS tandem_trigrams(text)")
