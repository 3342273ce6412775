"""Per-organisation custom fields on records, and saved list views."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, uuid_pk

RECORD_ENTITIES = ("contact", "company", "deal")
CUSTOM_FIELD_TYPES = ("text", "number", "date", "select")


class CustomField(SQLModel, table=True):
    """A field an organisation added to contacts, companies or deals."""

    __tablename__ = "custom_field"
    __table_args__ = (UniqueConstraint("org_id", "entity", "key"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    entity: str = Field(max_length=16)
    key: str = Field(max_length=40)
    label: str = Field(max_length=80)
    field_type: str = Field(max_length=8)
    options: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'")),
    )
    position: int = 0
    created_at: datetime = created_at_field()


class SavedView(SQLModel, table=True):
    """A named list view (filters, sort, columns) of one entity; private or shared."""

    __tablename__ = "saved_view"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    entity: str = Field(max_length=16)
    name: str = Field(max_length=80)
    spec: dict = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    shared: bool = False
    created_at: datetime = created_at_field()
