"""CRM records. The foundation keeps them minimal; the CRM issue grows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Computed, ForeignKey, Numeric, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, tz_column, utcnow, uuid_pk

STAGE_KINDS = ("open", "won", "lost")
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "qualified",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")


def tags_field() -> list[str]:
    """A `text[]` column of short labels, empty by default."""
    return Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'")),
    )


def search_column(expression: str) -> list[str] | None:
    """A stored generated `text[]` column PostgreSQL computes from `expression` (never written)."""
    return Field(default=None, sa_column=Column(ARRAY(Text), Computed(expression)))


def custom_field() -> dict:
    """Values of the organisation's custom fields, keyed by field key (JSONB)."""
    return Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


class Pipeline(SQLModel, table=True):
    """An ordered list of stages deals move through."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    name: str = Field(max_length=120)
    is_default: bool = False
    # Where a signed proposal moves the pipeline's deals ("on signature → stage"); None: its
    # first won stage. The two tables point at each other, hence `use_alter`.
    signed_stage_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            Uuid,
            ForeignKey("pipeline_stage.id", ondelete="SET NULL", use_alter=True),
            nullable=True,
        ),
    )
    created_at: datetime = created_at_field()


class PipelineStage(SQLModel, table=True):
    """One column of a pipeline; `kind` says whether a deal there is open, won or lost."""

    __tablename__ = "pipeline_stage"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    pipeline_id: uuid.UUID = Field(foreign_key="pipeline.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    position: int = 0
    kind: str = Field(default="open", max_length=8)
    probability: int = 0


class Company(SQLModel, table=True):
    """An account the organisation sells to."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    name: str = Field(max_length=200)
    domain: str = Field(default="", max_length=253)
    industry: str = Field(default="", max_length=80)
    size: str = Field(default="", max_length=12)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=40)
    tags: list[str] = tags_field()
    custom: dict = custom_field()
    import_ref: str | None = Field(default=None, max_length=80)  # see Contact.import_ref
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    # Maintained by PostgreSQL (migration 0011), as on Contact.
    search_trigrams: list[str] | None = search_column("tandem_trigrams(name || ' ' || domain)")
    search_keys: list[str] | None = search_column("tandem_typo_keys(name || ' ' || domain)")
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class Contact(SQLModel, table=True):
    """A person at a client or prospect."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    first_name: str = Field(max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    # Further addresses and numbers beside the primary ones above.
    extra_emails: list[str] = tags_field()
    extra_phones: list[str] = tags_field()
    title: str = Field(default="", max_length=120)
    tags: list[str] = tags_field()
    source: str = Field(default="", max_length=60)
    lifecycle_stage: str = Field(default="lead", max_length=16)
    notes: str = Field(default="", max_length=10_000)
    custom: dict = custom_field()
    company_id: uuid.UUID | None = Field(
        default=None, foreign_key="company.id", ondelete="SET NULL"
    )
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    # "<sha256 of the file>:<row number>" for contacts created by a CSV import: a rerun of the
    # same file finds them instead of creating them twice.
    import_ref: str | None = Field(default=None, max_length=80)
    # Maintained by PostgreSQL: trigrams of name and email for indexed substring search (migration
    # 0005), words and their one-deletion forms for typo-tolerant search (migration 0011).
    search_trigrams: list[str] | None = search_column(
        "tandem_trigrams(first_name || ' ' || last_name || ' ' || email)"
    )
    search_keys: list[str] | None = search_column(
        "tandem_typo_keys(first_name || ' ' || last_name || ' ' || email)"
    )
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class Deal(SQLModel, table=True):
    """An opportunity moving through the pipeline."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    title: str = Field(max_length=200)
    value: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(14, 2), nullable=False))
    currency: str = Field(default="USD", max_length=3)
    pipeline_id: uuid.UUID = Field(foreign_key="pipeline.id", index=True, ondelete="RESTRICT")
    stage_id: uuid.UUID = Field(foreign_key="pipeline_stage.id", index=True, ondelete="RESTRICT")
    expected_close_date: date | None = None
    probability: int | None = None
    lost_reason: str = Field(default="", max_length=500)
    products: list[str] = tags_field()
    tags: list[str] = tags_field()
    custom: dict = custom_field()
    import_ref: str | None = Field(default=None, max_length=80)  # see Contact.import_ref
    # Maintained by PostgreSQL (migration 0011), as on Contact.
    search_trigrams: list[str] | None = search_column("tandem_trigrams(title)")
    search_keys: list[str] | None = search_column("tandem_typo_keys(title)")
    closed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    closed_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    company_id: uuid.UUID | None = Field(
        default=None, foreign_key="company.id", ondelete="SET NULL"
    )
    contact_id: uuid.UUID | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


ACTIVITY_KINDS = ("note", "call", "meeting", "email", "task")


class Activity(SQLModel, table=True):
    """Something that happened (or is to be done) on a contact, company or deal."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    kind: str = Field(max_length=16)
    subject: str = Field(max_length=200)
    body: str = Field(default="", max_length=10_000)
    contact_id: uuid.UUID | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="CASCADE"
    )
    company_id: uuid.UUID | None = Field(
        default=None, foreign_key="company.id", index=True, ondelete="CASCADE"
    )
    deal_id: uuid.UUID | None = Field(
        default=None, foreign_key="deal.id", index=True, ondelete="CASCADE"
    )
    due_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True, index=True))
    done_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    assignee_id: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    # When it happened (a call logged after the fact is earlier than created_at); a task: when set.
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(index=True))
