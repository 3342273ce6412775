"""A registry of tenant ids for jobs that visit every organisation (trash purge).

`organization` is under forced RLS, so the app role cannot list organisations. `tenant_registry`
holds only ids (no tenant data, no `org_id` column, no RLS); a trigger adds each new organisation,
and its deletion cascades. Housekeeping jobs read it, then act inside each tenant's own scope.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_registry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION tandem_register_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO tenant_registry (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER tandem_register_tenant AFTER INSERT ON organization "
        "FOR EACH ROW EXECUTE FUNCTION tandem_register_tenant()"
    )
    # The owner is filtered too while RLS is forced: lift it for the backfill only.
    op.execute("ALTER TABLE organization NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "INSERT INTO tenant_registry (id) SELECT id FROM organization ON CONFLICT DO NOTHING"
    )
    op.execute("ALTER TABLE organization FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS tandem_register_tenant ON organization")
    op.execute("DROP FUNCTION IF EXISTS tandem_register_tenant()")
    op.drop_table("tenant_registry")
