"""CSV imports (job + rejected rows) under RLS; contacts remember which import row made them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 16:59:40.278740
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("policy", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_import_job_org_id"), "import_job", ["org_id"], unique=False)
    op.create_table(
        "import_rejection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["import_job.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_import_rejection_import_id"), "import_rejection", ["import_id"], unique=False
    )
    op.create_index(
        op.f("ix_import_rejection_org_id"), "import_rejection", ["org_id"], unique=False
    )
    op.add_column(
        "contact",
        sa.Column("import_ref", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    )
    op.create_index(
        "uq_contact_import_ref",
        "contact",
        ["org_id", "import_ref"],
        unique=True,
        postgresql_where=sa.text("import_ref IS NOT NULL"),
    )
    # Dedupe by email looks contacts up by lower(email).
    op.create_index("ix_contact_org_email", "contact", ["org_id", sa.text("lower(email)")])
    for table in ("import_job", "import_rejection"):
        for stmt in tenant_policy_sql(table):
            op.execute(stmt)


def downgrade() -> None:
    op.drop_index("ix_contact_org_email", table_name="contact")
    op.drop_index("uq_contact_import_ref", table_name="contact")
    op.drop_column("contact", "import_ref")
    op.drop_index(op.f("ix_import_rejection_org_id"), table_name="import_rejection")
    op.drop_index(op.f("ix_import_rejection_import_id"), table_name="import_rejection")
    op.drop_table("import_rejection")
    op.drop_index(op.f("ix_import_job_org_id"), table_name="import_job")
    op.drop_table("import_job")
