"""Each pipeline chooses the stage a signed proposal moves its deals to ("on signature → stage").

`pipeline.signed_stage_id` is NULL by default, which means the pipeline's first won stage; it
becomes NULL again if that stage is deleted. `pipeline` already has its tenant policy.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pipeline", sa.Column("signed_stage_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_pipeline_signed_stage",
        "pipeline",
        "pipeline_stage",
        ["signed_stage_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint("fk_pipeline_signed_stage", "pipeline", type_="foreignkey")
    op.drop_column("pipeline", "signed_stage_id")
