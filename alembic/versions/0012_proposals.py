"""Proposals: templates, documents, versions, tracked links, views, signatures; notifications.

Every table is a tenant table under forced RLS. `proposal_link` is also readable by a session
that names the link's token hash in `app.link_token`: the public page (no login, no tenant)
finds its one link that way and then works inside that link's organisation.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = (
    "notification",
    "proposal_template",
    "proposal",
    "proposal_link",
    "proposal_signature",
    "proposal_version",
    "proposal_view",
)
LINK_BY_TOKEN = "token_hash = current_setting('app.link_token', true)"


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("href", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_notification_org_id"), "notification", ["org_id"], unique=False)
    op.create_index(op.f("ix_notification_user_id"), "notification", ["user_id"], unique=False)
    op.create_table(
        "proposal_template",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "sections",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    op.create_index(
        op.f("ix_proposal_template_org_id"), "proposal_template", ["org_id"], unique=False
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("voice", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("approval", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("approval_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("generation", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column(
            "generation_request", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False
        ),
        sa.Column("generation_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("generation_by", sa.Uuid(), nullable=True),
        sa.Column(
            "generation_target",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "sections",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "pending",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "items",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("discount_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("tax_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tone_score", sa.Integer(), nullable=True),
        sa.Column("tone_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("upsell", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "sources",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["generation_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["template_id"], ["proposal_template.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_proposal_deal_id"), "proposal", ["deal_id"], unique=False)
    op.create_index(op.f("ix_proposal_org_id"), "proposal", ["org_id"], unique=False)
    op.create_index(op.f("ix_proposal_status"), "proposal", ["status"], unique=False)
    op.create_table(
        "proposal_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_viewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_proposal_link_org_id"), "proposal_link", ["org_id"], unique=False)
    op.create_index(
        op.f("ix_proposal_link_proposal_id"), "proposal_link", ["proposal_id"], unique=False
    )
    op.create_table(
        "proposal_signature",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("signer_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id"),
    )
    op.create_index(
        op.f("ix_proposal_signature_org_id"), "proposal_signature", ["org_id"], unique=False
    )
    op.create_table(
        "proposal_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "sections",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "items",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("discount_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("tax_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "number"),
    )
    op.create_index(
        op.f("ix_proposal_version_org_id"), "proposal_version", ["org_id"], unique=False
    )
    op.create_index(
        op.f("ix_proposal_version_proposal_id"), "proposal_version", ["proposal_id"], unique=False
    )
    op.create_table(
        "proposal_view",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("ip_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["proposal_link.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_proposal_view_org_id"), "proposal_view", ["org_id"], unique=False)
    op.create_index(
        op.f("ix_proposal_view_proposal_id"), "proposal_view", ["proposal_id"], unique=False
    )
    op.add_column(
        "organization",
        sa.Column("proposal_approvals", sa.Boolean(), nullable=False, server_default=sa.false()),
    )

    for table in TABLES:
        read_also = LINK_BY_TOKEN if table == "proposal_link" else None
        for statement in tenant_policy_sql(table, read_also=read_also):
            op.execute(statement)


def downgrade() -> None:
    op.drop_column("organization", "proposal_approvals")
    op.drop_index(op.f("ix_proposal_view_proposal_id"), table_name="proposal_view")
    op.drop_index(op.f("ix_proposal_view_org_id"), table_name="proposal_view")
    op.drop_table("proposal_view")
    op.drop_index(op.f("ix_proposal_version_proposal_id"), table_name="proposal_version")
    op.drop_index(op.f("ix_proposal_version_org_id"), table_name="proposal_version")
    op.drop_table("proposal_version")
    op.drop_index(op.f("ix_proposal_signature_org_id"), table_name="proposal_signature")
    op.drop_table("proposal_signature")
    op.drop_index(op.f("ix_proposal_link_proposal_id"), table_name="proposal_link")
    op.drop_index(op.f("ix_proposal_link_org_id"), table_name="proposal_link")
    op.drop_table("proposal_link")
    op.drop_index(op.f("ix_proposal_status"), table_name="proposal")
    op.drop_index(op.f("ix_proposal_org_id"), table_name="proposal")
    op.drop_index(op.f("ix_proposal_deal_id"), table_name="proposal")
    op.drop_table("proposal")
    op.drop_index(op.f("ix_proposal_template_org_id"), table_name="proposal_template")
    op.drop_table("proposal_template")
    op.drop_index(op.f("ix_notification_user_id"), table_name="notification")
    op.drop_index(op.f("ix_notification_org_id"), table_name="notification")
    op.drop_table("notification")
