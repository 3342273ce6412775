"""Knowledge-base retrieval: documents get a kind, a lifecycle (current / archived) and an
optional valid-until date; passages keep the title and section heading they were embedded with,
the currencies their prices are in, the embedding recipe, and a generated full-text vector with
a GIN index (hybrid search). Existing passages get the recipe "" so the re-embed job redoes them
with the new recipe; their title is copied now so text search works before that.

Revision ID: 0019_kb_retrieval
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from alembic import op

revision = "0019_kb_retrieval"
down_revision = "0018"
branch_labels = None
depends_on = None

# As `crmapp.models.kb.TSV_SQL` at this revision (a migration keeps its own copy).
TSV_SQL = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(heading, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(text, '')), 'B')"
)


def upgrade() -> None:
    op.add_column(
        "kb_document",
        sa.Column("kind", sa.String(20), nullable=False, server_default="other"),
    )
    op.add_column(
        "kb_document",
        sa.Column("lifecycle", sa.String(12), nullable=False, server_default="current"),
    )
    op.add_column("kb_document", sa.Column("valid_until", sa.Date(), nullable=True))
    for name, length in (("title", 200), ("heading", 300), ("currencies", 60)):
        op.add_column(
            "kb_chunk", sa.Column(name, sa.String(length), nullable=False, server_default="")
        )
    op.add_column(
        "kb_chunk", sa.Column("embed_recipe", sa.String(40), nullable=False, server_default="")
    )
    op.execute(
        "UPDATE kb_chunk c SET title = d.title FROM kb_document d WHERE d.id = c.document_id"
    )
    op.add_column("kb_chunk", sa.Column("tsv", TSVECTOR(), sa.Computed(TSV_SQL, persisted=True)))
    op.create_index("ix_kb_chunk_tsv", "kb_chunk", ["tsv"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_kb_chunk_tsv", table_name="kb_chunk")
    for name in ("tsv", "embed_recipe", "currencies", "heading", "title"):
        op.drop_column("kb_chunk", name)
    for name in ("valid_until", "lifecycle", "kind"):
        op.drop_column("kb_document", name)
