"""The AI usage ledger records how many prompt tokens the provider served from its prompt cache.

Revision ID: 0021_prompt_cost
Revises: 0020_issue13_merge
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0021_prompt_cost"
down_revision = "0020_issue13_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "ai_usage",
        sa.Column("cached_tokens", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    op.drop_column("ai_usage", "cached_tokens")
