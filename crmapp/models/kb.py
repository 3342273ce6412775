"""The per-organisation knowledge base: documents and their embedded chunks (pgvector)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Computed, Index, LargeBinary
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, uuid_pk

# What a document is about; retrieval per proposal section asks for the kinds that fit it.
KINDS = ("service", "pricing", "terms", "process", "case_study", "bio", "faq", "other")
CURRENT, ARCHIVED = "current", "archived"
# The text search vector of a passage: its document title and section heading weigh more than
# its body. `to_tsvector(regconfig, text)` is immutable, so it can be a generated column.
TSV_SQL = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(heading, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(text, '')), 'B')"
)


class KBDocument(SQLModel, table=True):
    """An uploaded document. The file is kept in `source` only until the background job has read
    its text (`text`, `characters` long); lists select `characters`, never the text.

    `status` is the processing state; `lifecycle` says whether its content is still offered
    (current) or kept for the record only (archived); past `valid_until` it counts as archived.
    """

    __tablename__ = "kb_document"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    title: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    text: str = ""
    characters: int = 0
    source: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    status: str = Field(default="queued", max_length=12)  # queued | embedding | ready | failed
    error: str = Field(default="", max_length=500)
    chunk_count: int = 0
    kind: str = Field(default="other", max_length=20)
    lifecycle: str = Field(default=CURRENT, max_length=12)
    valid_until: date | None = None
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()


class KBChunk(SQLModel, table=True):
    """A passage of a document with its embedding, which model made it and from what (`recipe`:
    the passage with its document title and section heading), and its text search vector."""

    __tablename__ = "kb_chunk"
    __table_args__ = (Index("ix_kb_chunk_tsv", "tsv", postgresql_using="gin"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    document_id: uuid.UUID = Field(foreign_key="kb_document.id", index=True, ondelete="CASCADE")
    position: int = 0
    title: str = Field(default="", max_length=200)  # the document title it was embedded with
    heading: str = Field(default="", max_length=300)  # the section it sits in, if known
    currencies: str = Field(default="", max_length=60)  # ISO codes its prices are in: "EUR USD"
    text: str
    # Untyped `vector` so another model (another dimension) can coexist during a re-embed; the
    # HNSW index is a partial expression index per dimension (migration 0010).
    embedding: list[float] | None = Field(default=None, sa_column=Column(Vector()))
    embed_model: str = Field(default="", max_length=120)
    embed_dim: int = 0
    embed_recipe: str = Field(default="", max_length=40)
    tsv: str | None = Field(
        default=None, sa_column=Column(TSVECTOR, Computed(TSV_SQL, persisted=True))
    )
    created_at: datetime = created_at_field()
