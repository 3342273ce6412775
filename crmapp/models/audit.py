"""The append-only audit trail (the database refuses UPDATE and DELETE on it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from crmapp.models.base import org_id_field, tz_column, utcnow, uuid_pk


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, when, and from where."""

    __tablename__ = "audit_event"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    actor_user_id: uuid.UUID | None = Field(default=None, index=True)
    actor_email: str = Field(default="", max_length=254)
    action: str = Field(max_length=64, index=True)
    entity_type: str = Field(max_length=64, index=True)
    entity_id: str = Field(default="", max_length=64)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(index=True))
