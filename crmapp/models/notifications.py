"""In-app notifications."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, tz_column, uuid_pk


class Notification(SQLModel, table=True):
    """An in-app notification for one user in one organisation."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)
    message: str = Field(max_length=300)
    href: str = Field(default="", max_length=300)
    created_at: datetime = created_at_field()
    read_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
