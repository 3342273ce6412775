"""Per-organisation data keys for envelope encryption of stored secrets (RLS).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_data_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_by", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_org_data_key_org_id"), "org_data_key", ["org_id"])
    for statement in tenant_policy_sql("org_data_key"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("org_data_key")
