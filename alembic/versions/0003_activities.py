"""Activities (note, call, meeting, email, task) on contacts, companies and deals, under RLS.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 16:52:53.345018
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("deal_id", sa.Uuid(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_activity_company_id"), "activity", ["company_id"], unique=False)
    op.create_index(op.f("ix_activity_contact_id"), "activity", ["contact_id"], unique=False)
    op.create_index(op.f("ix_activity_deal_id"), "activity", ["deal_id"], unique=False)
    op.create_index(op.f("ix_activity_due_at"), "activity", ["due_at"], unique=False)
    op.create_index(op.f("ix_activity_org_id"), "activity", ["org_id"], unique=False)
    op.create_check_constraint(
        "ck_activity_kind", "activity", "kind IN ('note', 'call', 'meeting', 'email', 'task')"
    )
    for stmt in tenant_policy_sql("activity"):
        op.execute(stmt)


def downgrade() -> None:
    op.drop_index(op.f("ix_activity_org_id"), table_name="activity")
    op.drop_index(op.f("ix_activity_due_at"), table_name="activity")
    op.drop_index(op.f("ix_activity_deal_id"), table_name="activity")
    op.drop_index(op.f("ix_activity_contact_id"), table_name="activity")
    op.drop_index(op.f("ix_activity_company_id"), table_name="activity")
    op.drop_table("activity")
