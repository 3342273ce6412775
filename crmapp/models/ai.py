"""The AI usage ledger: tokens and cost per call, per organisation and month."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, uuid_pk


class AIUsage(SQLModel, table=True):
    """One paid (or offline, free) generation. `request_id` makes recording idempotent: a retried
    or resumed generation records its usage once."""

    __tablename__ = "ai_usage"
    __table_args__ = (UniqueConstraint("org_id", "request_id"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    request_id: str = Field(max_length=80)
    month: str = Field(max_length=7, index=True)  # YYYY-MM (UTC)
    purpose: str = Field(max_length=40)
    provider: str = Field(max_length=20)  # primary | fallback | small | offline
    model: str = Field(max_length=120)
    prompt_tokens: int = 0  # all of them, cached ones included
    cached_tokens: int = 0  # of prompt_tokens, read from the provider's prompt cache
    completion_tokens: int = 0
    cost_usd: float = Field(default=0.0, sa_column=Column(Numeric(12, 6), nullable=False))
    created_at: datetime = created_at_field()
