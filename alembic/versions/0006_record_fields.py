"""The CRM's full field set, per-organisation custom fields, and saved list views.

Contacts gain further emails and phones, tags, source, lifecycle stage, notes; companies gain
industry, size, address, phone, tags; deals gain products of interest and tags. Every record gets a
JSONB `custom` map for the organisation's custom fields. `custom_field` and `saved_view` are tenant
tables under the same forced RLS policy as every other.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _text_array(name: str) -> sa.Column:
    return sa.Column(name, postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}")


def _custom() -> sa.Column:
    return sa.Column(
        "custom", postgresql.JSONB(astext_type=sa.Text()), nullable=False, server_default="{}"
    )


def _string(name: str, length: int, default: str = "") -> sa.Column:
    return sa.Column(
        name,
        sqlmodel.sql.sqltypes.AutoString(length=length),
        nullable=False,
        server_default=default,
    )


def upgrade() -> None:
    for column in (
        _text_array("extra_emails"),
        _text_array("extra_phones"),
        _text_array("tags"),
        _string("source", 60),
        _string("lifecycle_stage", 16, "lead"),
        _string("notes", 10_000),
        _custom(),
    ):
        op.add_column("contact", column)
    for column in (
        _string("industry", 80),
        _string("size", 12),
        _string("address", 500),
        _string("phone", 40),
        _text_array("tags"),
        _custom(),
    ):
        op.add_column("company", column)
    for column in (_text_array("products"), _text_array("tags"), _custom()):
        op.add_column("deal", column)
    for table in ("contact", "company", "deal"):
        op.execute(f"CREATE INDEX ix_{table}_tags ON {table} USING gin (tags)")
    op.execute("CREATE INDEX ix_company_org_created ON company (org_id, created_at DESC, id)")
    op.execute("CREATE INDEX ix_deal_org_created ON deal (org_id, created_at DESC, id)")

    op.create_table(
        "custom_field",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("field_type", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        _text_array("options"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "entity", "key"),
    )
    op.create_index(op.f("ix_custom_field_org_id"), "custom_field", ["org_id"])
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False, server_default="{}"
        ),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_saved_view_org_id"), "saved_view", ["org_id"])
    op.create_index(op.f("ix_saved_view_user_id"), "saved_view", ["user_id"])
    for table in ("custom_field", "saved_view"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("saved_view")
    op.drop_table("custom_field")
    for table in ("contact", "company", "deal"):
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_tags")
    op.execute("DROP INDEX IF EXISTS ix_company_org_created")
    op.execute("DROP INDEX IF EXISTS ix_deal_org_created")
    for column in ("products", "tags", "custom"):
        op.drop_column("deal", column)
    for column in ("industry", "size", "address", "phone", "tags", "custom"):
        op.drop_column("company", column)
    for column in (
        "extra_emails",
        "extra_phones",
        "tags",
        "source",
        "lifecycle_stage",
        "notes",
        "custom",
    ):
        op.drop_column("contact", column)
