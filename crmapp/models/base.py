"""Shared column helpers for every table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def uuid_pk() -> uuid.UUID:
    """A new random primary key."""
    return uuid.uuid4()


def tz_column(*, nullable: bool = False, index: bool = False) -> Column:
    """A `timestamptz` column (SQLModel maps datetime to a naive timestamp otherwise)."""
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def created_at_field() -> datetime:
    """A `created_at` field defaulting to now (UTC)."""
    return Field(default_factory=utcnow, sa_column=tz_column())


def org_id_field() -> uuid.UUID:
    """The tenant key every tenant table carries; row-level security filters on it."""
    return Field(foreign_key="organization.id", index=True, nullable=False, ondelete="CASCADE")
