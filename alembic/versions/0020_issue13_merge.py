"""Join the knowledge-base retrieval and the draft-facts migrations into one head.

Revision ID: 0020_issue13_merge
Revises: 0019_kb_retrieval, 0019_draft_facts
"""

from __future__ import annotations

revision = "0020_issue13_merge"
down_revision = ("0019_kb_retrieval", "0019_draft_facts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the two parents touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
