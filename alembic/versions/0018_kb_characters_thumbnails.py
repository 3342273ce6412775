"""Knowledge-base documents keep their length (lists read it instead of the text) and the upload
until the background job has read it; media assets keep the thumbnail made at upload.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "kb_document",
        sa.Column("characters", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("kb_document", sa.Column("source", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE kb_document SET characters = char_length(text)")
    op.add_column("media_asset", sa.Column("thumbnail", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("media_asset", "thumbnail")
    op.drop_column("kb_document", "source")
    op.drop_column("kb_document", "characters")
