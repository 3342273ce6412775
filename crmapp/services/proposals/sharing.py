"""Tracked public links a proposal is shared by: create, send, renew, revoke, and what the owner
sees of them (links, views, the signature).

A link is an opaque signed token; only its SHA-256 is stored. What the client does through a link
(open it, be counted as a view, sign, decline) is in `public_link`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.proposals import (
    Proposal,
    ProposalLink,
    ProposalSignature,
    ProposalView,
)
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import documents, draft_check, lifecycle
from crmapp.services.tenancy import audit, tokens
from crmapp.services.tenancy.permissions import Perm, require
from crmapp.settings import get_settings

# The states in which a link opens (and a new one may be made).
VISIBLE = ("sent", "signed", "paid", "declined", "expired")


def public_url(token: str) -> str:
    """The absolute address a client opens."""
    return get_settings().public_url.rstrip("/") + routes.public_proposal(token)


def create_link(
    session: Session, actor: Actor, proposal: Proposal, expires_at: datetime | None
) -> str:
    """A new tracked link for a sent proposal; the token is returned once, never stored."""
    token, token_hash = tokens.issue()
    session.add(
        ProposalLink(
            org_id=actor.org_id,
            proposal_id=proposal.id,
            token_hash=token_hash,
            created_by=actor.user_id,
            expires_at=expires_at,
        )
    )
    return token


def send(
    session: Session,
    actor: Actor,
    proposal_id: uuid.UUID,
    *,
    expires_days: int | None = 30,
    confirmed: bool = False,
) -> str:
    """Send the proposal: status Sent (approval checked), content frozen, a new link; returns
    the public URL.

    Raises:
        ValidationError: ``{"untraced": ...}`` naming the figures the draft check cannot trace
            (or internal facts typed in), unless the rep `confirmed` sending them.
    """
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    if not confirmed and proposal.status in ("draft", "review"):
        found = draft_check.review(session, actor, proposal)
        if found.flags:
            raise ValidationError({"untraced": found.refusal})
    expires_at = lifecycle.default_expiry(expires_days)
    lifecycle.mark_sent(session, actor, proposal, expires_at)
    token = create_link(session, actor, proposal, expires_at)
    return public_url(token)


def new_link(
    session: Session, actor: Actor, proposal_id: uuid.UUID, *, expires_days: int | None = 30
) -> str:
    """Another link to a proposal already sent (e.g. for a second reader)."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id)
    if proposal.status not in VISIBLE:
        raise ValidationError({"status": "Send the proposal before sharing links to it."})
    token = create_link(session, actor, proposal, lifecycle.default_expiry(expires_days))
    audit.record(session, actor, "proposal.link_created", "proposal", proposal.id)
    return public_url(token)


def revoke_link(session: Session, actor: Actor, link_id: uuid.UUID) -> None:
    """Stop a link from working; audited."""
    require(actor.role, Perm.RECORD_UPDATE)
    link = get_in_org(session, ProposalLink, link_id, actor.org_id, "Link not found.")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        audit.record(session, actor, "proposal.link_revoked", "proposal", link.proposal_id)


def _newest_first(
    session: Session, actor: Actor, proposal_id: uuid.UUID, model: Any, since: Any
) -> list[Any]:
    """The rows of `model` about one of the actor's proposals, the latest `since` first."""
    documents.get_proposal(session, actor, proposal_id)
    query = select(model).where(model.proposal_id == proposal_id).order_by(col(since).desc())
    return list(session.exec(query).all())


def list_links(session: Session, actor: Actor, proposal_id: uuid.UUID) -> list[ProposalLink]:
    """The proposal's links, newest first."""
    return _newest_first(session, actor, proposal_id, ProposalLink, ProposalLink.created_at)


def list_views(session: Session, actor: Actor, proposal_id: uuid.UUID) -> list[ProposalView]:
    """Every opening of the proposal's links, newest first."""
    return _newest_first(session, actor, proposal_id, ProposalView, ProposalView.started_at)


def signature_of(session: Session, proposal_id: uuid.UUID) -> ProposalSignature | None:
    """The proposal's signature, if signed (caller is in the proposal's tenant scope)."""
    return session.exec(
        select(ProposalSignature).where(ProposalSignature.proposal_id == proposal_id)
    ).first()
