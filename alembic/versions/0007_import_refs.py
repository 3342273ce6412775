"""Companies and deals remember the import row that made them (reruns never duplicate), and
companies are matched on domain case-insensitively.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("company", "deal"):
        op.add_column(
            table,
            sa.Column("import_ref", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        )
        op.create_index(
            f"uq_{table}_import_ref",
            table,
            ["org_id", "import_ref"],
            unique=True,
            postgresql_where=sa.text("import_ref IS NOT NULL"),
        )
    op.create_index("ix_company_org_domain", "company", ["org_id", sa.text("lower(domain)")])
    op.create_index("ix_company_org_name", "company", ["org_id", sa.text("lower(name)")])


def downgrade() -> None:
    op.drop_index("ix_company_org_name", "company")
    op.drop_index("ix_company_org_domain", "company")
    for table in ("company", "deal"):
        op.drop_index(f"uq_{table}_import_ref", table)
        op.drop_column(table, "import_ref")
