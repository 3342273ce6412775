"""Per-organisation data keys for envelope encryption (the key itself is stored wrapped)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, uuid_pk


class OrgDataKey(SQLModel, table=True):
    """An organisation's AES-256 data key, wrapped by KMS or by the local master key."""

    __tablename__ = "org_data_key"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    wrapped_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    wrapped_by: str = Field(max_length=300)  # "kms:<key id>" or "local"
    active: bool = True
    created_at: datetime = created_at_field()
