"""The per-organisation knowledge base: documents and their embedded chunks (pgvector)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, uuid_pk


class KBDocument(SQLModel, table=True):
    """An uploaded document. The file is kept in `source` only until the background job has read
    its text (`text`, `characters` long); lists select `characters`, never the text."""

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
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()


class KBChunk(SQLModel, table=True):
    """A passage of a document with its embedding, and which model made the embedding."""

    __tablename__ = "kb_chunk"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    document_id: uuid.UUID = Field(foreign_key="kb_document.id", index=True, ondelete="CASCADE")
    position: int = 0
    text: str
    # Untyped `vector` so another model (another dimension) can coexist during a re-embed; the
    # HNSW index is a partial expression index per dimension (migration 0010).
    embedding: list[float] | None = Field(default=None, sa_column=Column(Vector()))
    embed_model: str = Field(default="", max_length=120)
    embed_dim: int = 0
    created_at: datetime = created_at_field()
