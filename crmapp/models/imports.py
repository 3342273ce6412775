"""CSV imports: the job (mapping, policy, progress) and the rows it rejected.

The file itself waits on disk until the import completes (`services/crm/import_files.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, tz_column, uuid_pk

IMPORT_POLICIES = ("skip", "update", "create")


class ImportJob(SQLModel, table=True):
    """One uploaded file being imported by a background job."""

    __tablename__ = "import_job"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    entity: str = Field(default="contact", max_length=16)
    filename: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    encoding: str = Field(default="utf-8", max_length=16)
    # {"columns": [field per column], "headers": [the file's header row]}
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    policy: str = Field(default="skip", max_length=8)
    status: str = Field(default="queued", max_length=12)  # queued | running | done | failed
    total_rows: int = 0
    processed_rows: int = 0
    created_count: int = 0
    updated_count: int = 0
    skipped_count: int = 0
    rejected_count: int = 0
    error: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class ImportRejection(SQLModel, table=True):
    """A row that did not land, with the reason and the row as it was in the file."""

    __tablename__ = "import_rejection"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    import_id: uuid.UUID = Field(foreign_key="import_job.id", index=True, ondelete="CASCADE")
    row_number: int
    reason: str = Field(max_length=500)
    raw: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
