"""Proposals and contracts: templates, documents, versions, share links, views, signatures."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Numeric, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from crmapp.models.base import created_at_field, org_id_field, tz_column, uuid_pk

PROPOSAL_STATUSES = ("draft", "review", "sent", "signed", "paid", "declined", "expired")
APPROVAL_STATES = ("none", "pending", "approved", "changes_requested")
GENERATION_STATES = ("idle", "queued", "streaming", "done", "failed")
VOICES = ("formal", "consultative", "direct")


def json_list() -> list[Any]:
    """A JSONB column holding a list, empty by default."""
    return Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )


def json_dict() -> dict[str, Any]:
    """A JSONB column holding an object, empty by default."""
    return Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


def percent() -> Decimal:
    """A percentage with two decimals (0 by default)."""
    return Field(default=Decimal(0), sa_column=Column(Numeric(5, 2), nullable=False))


class ProposalTemplate(SQLModel, table=True):
    """An ordered list of sections, each with guidance for the writer (model or offline)."""

    __tablename__ = "proposal_template"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    name: str = Field(max_length=120)
    kind: str = Field(default="custom", max_length=20)  # sow | retainer | fixed_bid | msa | custom
    description: str = Field(default="", max_length=300)
    sections: list[dict[str, str]] = json_list()  # [{"title", "guidance"}]
    builtin: bool = False
    archived_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class Proposal(SQLModel, table=True):
    """A proposal for a deal, with its three independent state machines."""

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    deal_id: uuid.UUID = Field(foreign_key="deal.id", index=True, ondelete="CASCADE")
    template_id: uuid.UUID | None = Field(
        default=None, foreign_key="proposal_template.id", ondelete="SET NULL"
    )
    title: str = Field(max_length=200)
    voice: str = Field(default="consultative", max_length=20)
    status: str = Field(default="draft", max_length=12, index=True)
    approval: str = Field(default="none", max_length=20)
    approval_note: str = Field(default="", max_length=500)
    generation: str = Field(default="idle", max_length=12)
    generation_request: str = Field(default="", max_length=80)
    generation_error: str = Field(default="", max_length=500)
    generation_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    # {"section": index or -1 for the whole document, "instruction": "..."}
    generation_target: dict[str, Any] = json_dict()
    sections: list[dict[str, str]] = json_list()  # [{"title", "html"}]
    # A regenerated section waiting to be accepted or rejected: {"index", "html", "instruction"}
    pending: dict[str, Any] = json_dict()
    items: list[dict[str, str]] = json_list()  # pricing.to_json
    discount_pct: Decimal = percent()
    tax_pct: Decimal = percent()
    currency: str = Field(default="USD", max_length=3)
    version: int = 0
    provider: str = Field(default="", max_length=20)
    tone_score: int | None = None
    tone_label: str = Field(default="", max_length=200)
    upsell: str = Field(default="", max_length=300)
    # [{"kind", "label", "href"}; a passage also "document_id", "chunk_id", "text"]
    sources: list[dict[str, str]] = json_list()
    # What the draft check did to the last generated text: {"removed": [{"section", "text",
    # "source"}]} — sentences that quoted internal facts (see services.proposals.draft_check).
    checks: dict[str, Any] = json_dict()
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    signed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    paid_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class ProposalVersion(SQLModel, table=True):
    """A saved state of a proposal's content; the signed one is hashed and frozen."""

    __tablename__ = "proposal_version"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    proposal_id: uuid.UUID = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    number: int
    reason: str = Field(max_length=40)  # generated | edited | reprompt | restored | ...
    title: str = Field(max_length=200)
    sections: list[dict[str, str]] = json_list()
    items: list[dict[str, str]] = json_list()
    discount_pct: Decimal = percent()
    tax_pct: Decimal = percent()
    sha256: str = Field(max_length=64)
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()


class ProposalLink(SQLModel, table=True):
    """A tracked public link to a sent proposal (only the token's SHA-256 is stored).

    Row-level security also lets a session read the one row whose hash it names in
    `app.link_token` (migration 0012): that is how the public page finds its proposal.
    """

    __tablename__ = "proposal_link"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    proposal_id: uuid.UUID = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    first_viewed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class ProposalView(SQLModel, table=True):
    """One opening of a public link: when, for how long, from what client (IP hashed)."""

    __tablename__ = "proposal_view"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    proposal_id: uuid.UUID = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    link_id: uuid.UUID = Field(foreign_key="proposal_link.id", ondelete="CASCADE")
    started_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    user_agent: str = Field(default="", max_length=512)
    client: str = Field(default="", max_length=80)  # "Chrome on Linux"
    ip_hash: str = Field(default="", max_length=64)


class ProposalSignature(SQLModel, table=True):
    """The e-signature: who typed their name, over which exact version, when and from where."""

    __tablename__ = "proposal_signature"

    id: uuid.UUID = Field(default_factory=uuid_pk, primary_key=True)
    org_id: uuid.UUID = org_id_field()
    proposal_id: uuid.UUID = Field(foreign_key="proposal.id", unique=True, ondelete="CASCADE")
    version: int
    document_sha256: str = Field(max_length=64)
    signer_name: str = Field(max_length=120)
    signer_email: str = Field(default="", max_length=254)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    signed_at: datetime = created_at_field()
