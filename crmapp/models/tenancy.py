"""Organisations, users, memberships, invitations and login sessions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, tz_column, uuid_pk


class Role(enum.StrEnum):
    """The four tiers of access, highest first."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Organization(SQLModel, table=True):
    """A tenant. Row-level security keys on its id."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    name: str = Field(max_length=120)
    # AI spend per calendar month (USD); at 100% drafts use the small model, or stop if set so.
    ai_monthly_budget_usd: float | None = None  # None: the deployment's default
    ai_hard_stop: bool = False
    # Proposals need an Owner's or Admin's approval before they can be sent.
    proposal_approvals: bool = False
    # Social posts need an Owner's or Admin's approval before they are scheduled.
    social_approvals: bool = False
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    """A person who can log in; may belong to several organisations."""

    __tablename__ = "app_user"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False, index=True))
    name: str = Field(max_length=120)
    password_hash: str
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = created_at_field()


class Membership(SQLModel, table=True):
    """A user's role in one organisation."""

    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_membership_org_user"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    created_at: datetime = created_at_field()


class Invitation(SQLModel, table=True):
    """An invite-by-link to join an organisation with a role."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    email: str = Field(max_length=254)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_column=tz_column())
    accepted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    accepted_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class UserSession(SQLModel, table=True):
    """A server-side login session; the browser holds only an opaque signed token."""

    __tablename__ = "user_session"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    active_org_id: uuid.UUID | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_column=tz_column())
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class TenantRegistry(SQLModel, table=True):
    """Every organisation's id, readable without a tenant scope (housekeeping jobs only).

    Maintained by a trigger on `organization` (migration 0008); holds no tenant data.
    """

    __tablename__ = "tenant_registry"

    id: uuid.UUID = Field(foreign_key="organization.id", primary_key=True, ondelete="CASCADE")
