"""Activities get the time they happened; proposals keep what the draft check removed.

`activity.occurred_at` is when a call, meeting, email or note happened — logged after the fact it
is earlier than `created_at` (when it was typed in). Existing rows take their `created_at`.
Timelines sort by it and the deal context graph dates activities by it.

`proposal.checks` holds what the draft check did to the last generated text (sentences that
quoted internal facts and were removed), shown to the rep in the editor. Both tables already have
their tenant policies.

Revision ID: 0019_draft_facts
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op

revision = "0019_draft_facts"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("activity", sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE activity SET occurred_at = created_at")
    op.alter_column("activity", "occurred_at", nullable=False, server_default=sa.text("now()"))
    op.create_index("ix_activity_occurred_at", "activity", ["occurred_at"])
    op.add_column(
        "proposal",
        sa.Column("checks", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("proposal", "checks")
    op.drop_index("ix_activity_occurred_at", table_name="activity")
    op.drop_column("activity", "occurred_at")
