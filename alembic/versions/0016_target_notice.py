"""Social post targets keep a notice: what the author should know about how a post went out
(a Bluesky mention that could not be resolved, posted as plain text).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "social_post_target",
        sa.Column("notice", sa.String(1000), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("social_post_target", "notice")
