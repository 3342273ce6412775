"""AI usage ledger (RLS) and per-organisation AI budget settings.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organization", sa.Column("ai_monthly_budget_usd", sa.Float(), nullable=True))
    op.add_column(
        "organization",
        sa.Column("ai_hard_stop", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "ai_usage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "request_id"),
    )
    op.create_index(op.f("ix_ai_usage_org_id"), "ai_usage", ["org_id"])
    op.create_index(op.f("ix_ai_usage_month"), "ai_usage", ["month"])
    for statement in tenant_policy_sql("ai_usage"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("ai_usage")
    op.drop_column("organization", "ai_hard_stop")
    op.drop_column("organization", "ai_monthly_budget_usd")
