"""Social publishing: connected accounts, posts with one target per account, comments, media."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, tz_column, uuid_pk
from crmapp.models.proposals import json_dict, json_list

ACCOUNT_STATUSES = ("active", "needs_reconnect", "disconnected")
# Per target: draft → pending_review → approved | rejected → scheduled → publishing →
# published | failed; `unknown` = the network may have it (a lost answer): checked before retry.
TARGET_STATES = (
    "draft",
    "pending_review",
    "approved",
    "rejected",
    "scheduled",
    "publishing",
    "published",
    "failed",
    "unknown",
)


class SocialAccount(SQLModel, table=True):
    """A connected account (or page) on one network. Tokens are sealed
    (services/platform/secrets.py): the columns hold ciphertext only, never sent to the browser,
    logs or audit rows."""

    __tablename__ = "social_account"
    __table_args__ = (UniqueConstraint("org_id", "network", "remote_id"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    network: str = Field(max_length=20)
    kind: str = Field(default="user", max_length=30)
    remote_id: str = Field(max_length=200)
    handle: str = Field(default="", max_length=200)
    display_name: str = Field(default="", max_length=200)
    base_url: str = Field(default="", max_length=300)
    sandbox: bool = False
    timezone: str = Field(default="UTC", max_length=64)
    owner_id: uuid.UUID = Field(foreign_key="app_user.id", ondelete="CASCADE")
    status: str = Field(default="active", max_length=20)
    status_reason: str = Field(default="", max_length=300)
    access_token_sealed: str = Field(default="", sa_column=Column(Text, nullable=False))
    refresh_token_sealed: str = Field(default="", sa_column=Column(Text, nullable=False))
    secret_extra_sealed: str = Field(default="", sa_column=Column(Text, nullable=False))
    token_expires_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    refresh_failures: int = 0
    last_refreshed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    extra: dict[str, Any] = json_dict()  # non-secret provider data (page id, instance limits)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class SocialPost(SQLModel, table=True):
    """What the author wrote once; each target account gets its own state and remote id."""

    __tablename__ = "social_post"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    author_id: uuid.UUID = Field(foreign_key="app_user.id", ondelete="CASCADE")
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # {network: {"text": ..., "parts": [...], "format": ...}}: per-network variants.
    overrides: dict[str, Any] = json_dict()
    media_ids: list[str] = json_list()
    link: str = Field(default="", max_length=2000)
    format: str = Field(default="feed", max_length=20)
    deal_id: uuid.UUID | None = Field(default=None, foreign_key="deal.id", ondelete="SET NULL")
    contact_id: uuid.UUID | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )
    campaign: str = Field(default="", max_length=120)
    scheduled_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    timezone: str = Field(default="UTC", max_length=64)  # the IANA zone the author picked
    review_note: str = Field(default="", max_length=1000)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class SocialPostTarget(SQLModel, table=True):
    """One post on one account: its own state, idempotency key, attempts and remote id."""

    __tablename__ = "social_post_target"
    __table_args__ = (
        UniqueConstraint("post_id", "account_id"),
        Index("ix_social_post_target_due", "state", "next_attempt_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    post_id: uuid.UUID = Field(foreign_key="social_post.id", index=True, ondelete="CASCADE")
    account_id: uuid.UUID = Field(foreign_key="social_account.id", ondelete="CASCADE")
    network: str = Field(max_length=20)
    state: str = Field(default="draft", max_length=20)
    idempotency_key: str = Field(max_length=80, unique=True)
    remote_id: str = Field(default="", max_length=300)
    remote_url: str = Field(default="", max_length=500)
    part_ids: list[str] = json_list()
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    claimed_until: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    last_error: str = Field(default="", max_length=1000)
    notice: str = Field(default="", max_length=1000)  # how it went out (not an error)
    published_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    updated_at: datetime = created_at_field()


class SocialPostComment(SQLModel, table=True):
    """A reviewer's or author's comment on a post (optionally on one network's variant)."""

    __tablename__ = "social_post_comment"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    post_id: uuid.UUID = Field(foreign_key="social_post.id", index=True, ondelete="CASCADE")
    author_id: uuid.UUID = Field(foreign_key="app_user.id", ondelete="CASCADE")
    network: str = Field(default="", max_length=20)  # "" = the original draft
    body: str = Field(max_length=2000)
    created_at: datetime = created_at_field()


class MediaAsset(SQLModel, table=True):
    """An uploaded image or video in the organisation's media library."""

    __tablename__ = "media_asset"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    storage_key: str = Field(max_length=300)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    kind: str = Field(max_length=10)  # image | video
    size: int
    width: int = 0
    height: int = 0
    alt: str = Field(default="", max_length=1000)
    variants: dict[str, Any] = json_dict()  # "network:format" -> storage key of the crop
    # A small JPEG made at upload, so listing the library never decodes the picture again.
    thumbnail: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_by: uuid.UUID = Field(foreign_key="app_user.id", ondelete="CASCADE")
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class SocialSchedule(SQLModel, table=True):
    """What is due, across organisations (no row-level security, no content): kept in step with
    `social_post_target` by a trigger (migration 0014); read by the publishing dispatcher."""

    __tablename__ = "social_schedule"

    target_id: uuid.UUID = Field(
        foreign_key="social_post_target.id", primary_key=True, ondelete="CASCADE"
    )
    org_id: uuid.UUID
    due_at: datetime = Field(sa_column=tz_column(index=True))
