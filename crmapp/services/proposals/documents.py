"""Proposal documents: create from a deal and a template, edit sections and pricing, versions.

Content is editable while the proposal is a draft and no generation is running. Autosaves write
the proposal at once and keep one "edited" version per author per few minutes (updated with
each save in that window), so the history shows meaningful steps rather than every keystroke.
Every version carries the SHA-256 of its content; the one a client signs is the one whose hash
the signature stores.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Deal
from crmapp.models.proposals import VOICES, Proposal, ProposalVersion
from crmapp.services.crm import records
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.proposals import pricing, richtext, templates
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

EDIT_COALESCE = timedelta(minutes=5)
RUNNING = ("queued", "streaming")
PAGE_SIZE = 25


def content_of(title: str, sections: list, items: list, discount: Decimal, tax: Decimal) -> dict:
    """The canonical content of a proposal (what a version hash covers)."""
    return {
        "title": title,
        "sections": [{"title": s.get("title", ""), "html": s.get("html", "")} for s in sections],
        "items": items,
        "discount_pct": str(Decimal(discount).quantize(Decimal("0.01"))),
        "tax_pct": str(Decimal(tax).quantize(Decimal("0.01"))),
    }


def content_hash(content: dict) -> str:
    """SHA-256 (hex) of canonical JSON of `content`."""
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def proposal_hash(proposal: Proposal) -> str:
    """The hash of the proposal's current content."""
    return content_hash(
        content_of(
            proposal.title,
            proposal.sections,
            proposal.items,
            proposal.discount_pct,
            proposal.tax_pct,
        )
    )


def get_proposal(
    session: Session, actor: Actor, proposal_id: uuid.UUID, *, lock: bool = False
) -> Proposal:
    """One proposal of the organisation (NotFound otherwise); `lock` takes a row lock."""
    require(actor.role, Perm.RECORD_READ)
    query = select(Proposal).where(Proposal.id == proposal_id, Proposal.org_id == actor.org_id)
    if lock:  # and read the row as committed now, not as this session last saw it
        query = query.with_for_update().execution_options(populate_existing=True)
    proposal = session.exec(query).first()
    if proposal is None:
        raise NotFound("Proposal not found.")
    return proposal


def require_editable(proposal: Proposal) -> None:
    """Refuse content changes unless the proposal is a draft with no generation running."""
    if proposal.status != "draft":
        raise ValidationError(
            {"status": f"This proposal is {proposal.status}: only drafts can be edited."}
        )
    if proposal.generation in RUNNING:
        raise ValidationError({"generation": "Wait for the draft being written to finish."})


def snapshot(session: Session, actor: Actor | None, proposal: Proposal, reason: str) -> int:
    """Save the proposal's current content as a new version; returns its number."""
    proposal.version += 1
    session.add(
        ProposalVersion(
            org_id=proposal.org_id,
            proposal_id=proposal.id,
            number=proposal.version,
            reason=reason,
            title=proposal.title,
            sections=proposal.sections,
            items=proposal.items,
            discount_pct=proposal.discount_pct,
            tax_pct=proposal.tax_pct,
            sha256=proposal_hash(proposal),
            created_by=actor.user_id if actor else None,
        )
    )
    proposal.updated_at = utcnow()
    session.add(proposal)
    return proposal.version


def _edited(session: Session, actor: Actor, proposal: Proposal) -> None:
    """After an edit: the author's "edited" version of the last few minutes takes the new
    content, or a new "edited" version starts."""
    latest = session.exec(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id)
        .order_by(col(ProposalVersion.number).desc())
        .limit(1)
    ).first()
    proposal.updated_at = utcnow()
    session.add(proposal)
    if (
        latest is not None
        and latest.reason == "edited"
        and latest.created_by == actor.user_id
        and utcnow() - latest.created_at < EDIT_COALESCE
    ):
        latest.title, latest.sections = proposal.title, proposal.sections
        latest.items = proposal.items
        latest.discount_pct, latest.tax_pct = proposal.discount_pct, proposal.tax_pct
        latest.sha256 = proposal_hash(proposal)
        session.add(latest)
    else:
        snapshot(session, actor, proposal, "edited")


def create_proposal(
    session: Session,
    actor: Actor,
    *,
    deal_id: uuid.UUID,
    template_id: uuid.UUID,
    voice: str = "consultative",
    title: str = "",
) -> Proposal:
    """A new draft for a deal from a template (sections empty until written); audited."""
    require(actor.role, Perm.RECORD_CREATE)
    deal = records.get_record(session, actor, "deal", deal_id)
    assert isinstance(deal, Deal)
    template = templates.get_template(session, actor, template_id)
    if voice not in VOICES:
        raise ValidationError({"voice": f"Voice must be one of {', '.join(VOICES)}."})
    title = " ".join((title or f"{template.name}: {deal.title}").split())[:200]
    items = [pricing.LineItem(deal.title, Decimal(1), Decimal(deal.value))] if deal.value else []
    proposal = Proposal(
        org_id=actor.org_id,
        deal_id=deal.id,
        template_id=template.id,
        title=title,
        voice=voice,
        sections=[{"title": s["title"], "html": ""} for s in template.sections],
        items=pricing.to_json(items),
        currency=deal.currency or "USD",
        owner_id=actor.user_id,
    )
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        actor,
        "proposal.created",
        "proposal",
        proposal.id,
        {"title": title, "template": template.name, "deal": deal.title},
    )
    audit.record(session, actor, "deal.proposal_created", "deal", deal.id, {"proposal": title})
    return proposal


@dataclass(frozen=True)
class ProposalRow:
    """A line of the proposals list."""

    id: str
    title: str
    deal_id: str
    deal: str
    status: str
    approval: str
    generation: str
    total: str
    updated_at: datetime


def list_proposals(
    session: Session,
    actor: Actor,
    *,
    status: str = "",
    deal_id: uuid.UUID | None = None,
    page: int = 1,
) -> tuple[list[ProposalRow], int]:
    """The organisation's proposals, newest change first, one page at a time, and the count."""
    require(actor.role, Perm.RECORD_READ)
    query = select(Proposal, Deal.title).join(Deal, col(Deal.id) == col(Proposal.deal_id))
    query = query.where(Proposal.org_id == actor.org_id)
    if status:
        query = query.where(Proposal.status == status)
    if deal_id is not None:
        query = query.where(Proposal.deal_id == deal_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Proposal.updated_at).desc())
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        ProposalRow(
            str(p.id),
            p.title,
            str(p.deal_id),
            deal_title,
            p.status,
            p.approval,
            p.generation,
            pricing.format_money(
                pricing.totals(pricing.from_json(p.items), p.discount_pct, p.tax_pct).total,
                p.currency,
            ),
            p.updated_at,
        )
        for p, deal_title in rows
    ], int(total)


def save_title(session: Session, actor: Actor, proposal_id: uuid.UUID, title: str) -> Proposal:
    """Rename the proposal."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    require_editable(proposal)
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the proposal a title."})
    if title != proposal.title:
        proposal.title = title[:200]
        _edited(session, actor, proposal)
    return proposal


def save_section(
    session: Session, actor: Actor, proposal_id: uuid.UUID, index: int, html: str
) -> Proposal:
    """Autosave one section's rich text (sanitized); no change, no new version."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    require_editable(proposal)
    if not 0 <= index < len(proposal.sections):
        raise ValidationError({"section": "That section no longer exists."})
    clean = richtext.sanitize(html)
    if clean == proposal.sections[index].get("html", ""):
        return proposal
    sections = [dict(s) for s in proposal.sections]
    sections[index]["html"] = clean
    proposal.sections = sections
    _edited(session, actor, proposal)
    return proposal


def add_section(session: Session, actor: Actor, proposal_id: uuid.UUID, title: str) -> Proposal:
    """Append an empty section."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    require_editable(proposal)
    title = " ".join(title.split())[:120]
    if not title:
        raise ValidationError({"section": "Give the section a title."})
    proposal.sections = [*proposal.sections, {"title": title, "html": ""}]
    _edited(session, actor, proposal)
    return proposal


def remove_section(session: Session, actor: Actor, proposal_id: uuid.UUID, index: int) -> Proposal:
    """Delete one section (the version history keeps it)."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    require_editable(proposal)
    if not 0 <= index < len(proposal.sections):
        raise ValidationError({"section": "That section no longer exists."})
    proposal.sections = [s for i, s in enumerate(proposal.sections) if i != index]
    _edited(session, actor, proposal)
    return proposal


def _percent(value: str, name: str) -> Decimal:
    try:
        number = Decimal((value or "0").strip().rstrip("%") or "0")
    except InvalidOperation:
        raise ValidationError({name: f"{name.title()} must be a percentage."}) from None
    if not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({name: f"{name.title()} must be between 0 and 100%."})
    return number.quantize(Decimal("0.01"))


def save_pricing(
    session: Session,
    actor: Actor,
    proposal_id: uuid.UUID,
    rows: list[dict[str, str]],
    *,
    discount: str = "0",
    tax: str = "0",
) -> Proposal:
    """Replace the pricing table (rows as typed; errors name the row)."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    require_editable(proposal)
    items = pricing.to_json(pricing.parse_items(rows))
    discount_pct, tax_pct = _percent(discount, "discount"), _percent(tax, "tax")
    if (items, discount_pct, tax_pct) != (proposal.items, proposal.discount_pct, proposal.tax_pct):
        proposal.items, proposal.discount_pct, proposal.tax_pct = items, discount_pct, tax_pct
        _edited(session, actor, proposal)
    return proposal


def list_versions(session: Session, actor: Actor, proposal_id: uuid.UUID) -> list[ProposalVersion]:
    """Every saved version, newest first."""
    get_proposal(session, actor, proposal_id)
    return list(
        session.exec(
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal_id)
            .order_by(col(ProposalVersion.number).desc())
        ).all()
    )


def restore_version(
    session: Session, actor: Actor, proposal_id: uuid.UUID, number: int
) -> Proposal:
    """Bring back an earlier version's content as a new version (nothing is lost)."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    require_editable(proposal)
    version = session.exec(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound("That version does not exist.")
    proposal.title, proposal.sections, proposal.items = (
        version.title,
        version.sections,
        version.items,
    )
    proposal.discount_pct, proposal.tax_pct = version.discount_pct, version.tax_pct
    snapshot(session, actor, proposal, f"restored v{number}")
    audit.record(session, actor, "proposal.restored", "proposal", proposal.id, {"version": number})
    return proposal


def set_voice(session: Session, actor: Actor, proposal_id: uuid.UUID, voice: str) -> Proposal:
    """Choose the voice the next draft is written in."""
    require(actor.role, Perm.RECORD_UPDATE)
    if voice not in VOICES:
        raise ValidationError({"voice": f"Voice must be one of {', '.join(VOICES)}."})
    proposal = get_proposal(session, actor, proposal_id, lock=True)
    if proposal.voice != voice:
        proposal.voice = voice
        session.add(proposal)
    return proposal
