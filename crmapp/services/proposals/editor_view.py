"""What the proposal editor shows, as plain strings (the page formats nothing itself)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session

from crmapp.models.crm import Deal
from crmapp.models.proposals import Proposal, ProposalTemplate
from crmapp.models.tenancy import User
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import documents, draft_check, pricing, richtext, sharing


@dataclass
class EditorView:
    """Everything the editor page displays."""

    doc: dict[str, str]
    sections: list[dict[str, str]]
    pending: dict[str, str]
    diff: list[dict[str, str]]
    sources: list[dict[str, str]]
    items: list[dict[str, str]]
    totals: dict[str, str]
    versions: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    views: list[dict[str, str]] = field(default_factory=list)
    signature: dict[str, str] = field(default_factory=dict)
    flags: list[dict[str, str]] = field(default_factory=list)  # untraced figures, internal facts
    flag_summary: str = ""
    removed: list[dict[str, str]] = field(default_factory=list)  # dropped from the last draft


def totals_of(proposal: Proposal) -> dict[str, str]:
    """The pricing table's totals, formatted."""
    result = pricing.totals(
        pricing.from_json(proposal.items), proposal.discount_pct, proposal.tax_pct
    )
    money = lambda amount: pricing.format_money(amount, proposal.currency)  # noqa: E731
    return {
        "subtotal": money(result.subtotal),
        "discount": money(result.discount),
        "tax": money(result.tax),
        "total": money(result.total),
        "discount_pct": str(proposal.discount_pct),
        "tax_pct": str(proposal.tax_pct),
        "has_discount": "1" if proposal.discount_pct else "",
        "has_tax": "1" if proposal.tax_pct else "",
    }


def editor_view(
    session: Session, actor: Actor, proposal_id: uuid.UUID, tz: str | None = None
) -> EditorView:
    """The proposal as the editor shows it, times in `tz` (default: the actor's zone)."""
    proposal = documents.get_proposal(session, actor, proposal_id)
    deal = session.get(Deal, proposal.deal_id)
    template = session.get(ProposalTemplate, proposal.template_id) if proposal.template_id else None
    user = session.get(User, actor.user_id)
    zone = tz or (user.timezone if user else "UTC")
    when = lambda moment: timefmt.local(moment, zone) if moment else ""  # noqa: E731
    target = (
        int(proposal.generation_target.get("section", -1)) if proposal.generation_target else -1
    )
    doc = {
        "id": str(proposal.id),
        "title": proposal.title,
        "status": proposal.status,
        "approval": proposal.approval,
        "approval_note": proposal.approval_note,
        "generation": proposal.generation,
        "generation_error": proposal.generation_error,
        "request": proposal.generation_request,
        "target_section": str(target),
        "voice": proposal.voice,
        "provider": proposal.provider,
        "template": template.name if template else "(template removed)",
        "deal_id": str(proposal.deal_id),
        "deal": deal.title if deal else "",
        "version": str(proposal.version),
        "currency": proposal.currency,
        "tone_score": "" if proposal.tone_score is None else str(proposal.tone_score),
        "tone_label": proposal.tone_label,
        "upsell": proposal.upsell,
        "sent_at": when(proposal.sent_at),
        "signed_at": when(proposal.signed_at),
        "paid_at": when(proposal.paid_at),
        "expires_at": when(proposal.expires_at),
        "updated_at": when(proposal.updated_at),
    }
    sections = [
        {
            "index": str(i),
            "title": s.get("title", ""),
            "html": s.get("html", ""),
            "empty": "" if richtext.html_to_text(s.get("html", "")).strip() else "1",
        }
        for i, s in enumerate(proposal.sections)
    ]
    pending: dict[str, str] = {}
    diff: list[dict[str, str]] = []
    if proposal.pending:
        index = int(proposal.pending.get("index", -1))
        if 0 <= index < len(proposal.sections):
            old = richtext.html_to_text(proposal.sections[index].get("html", ""))
            new = richtext.html_to_text(str(proposal.pending.get("html", "")))
            pending = {
                "index": str(index),
                "title": proposal.sections[index].get("title", ""),
                "instruction": str(proposal.pending.get("instruction", "")),
            }
            diff = [{"op": op, "text": text} for op, text in richtext.word_diff(old, new)]
    items = [
        {
            "description": item.description,
            "quantity": str(item.quantity),
            "unit_price": str(item.unit_price),
            "total": pricing.format_money(item.total, proposal.currency),
        }
        for item in pricing.from_json(proposal.items)
    ]
    data = EditorView(
        doc, sections, pending, diff, list(proposal.sources), items, totals_of(proposal)
    )
    data.versions = [
        {
            "number": str(v.number),
            "reason": v.reason,
            "when": when(v.created_at),
            "sha": v.sha256[:12],
        }
        for v in documents.list_versions(session, actor, proposal.id)
    ]
    data.links = [
        {
            "id": str(link.id),
            "created": when(link.created_at),
            "expires": when(link.expires_at) or "never",
            "state": "revoked" if link.revoked_at else "active",
            "viewed": when(link.first_viewed_at) or "not yet",
        }
        for link in sharing.list_links(session, actor, proposal.id)
    ]
    data.views = [
        {
            "when": when(v.started_at),
            "client": v.client,
            "ip": v.ip_hash[:10],
            "duration": _duration(int((v.last_seen_at - v.started_at).total_seconds())),
        }
        for v in sharing.list_views(session, actor, proposal.id)
    ]
    if proposal.status in ("draft", "review"):
        found = draft_check.review(session, actor, proposal)
        data.flags, data.flag_summary = [f.as_json() for f in found.flags], found.summary
        data.removed = [
            {k: str(v) for k, v in row.items()} for row in proposal.checks.get("removed", [])
        ]
    data.sources = [
        {**s, "index": str(i), "text": s.get("text", "")} for i, s in enumerate(proposal.sources)
    ]
    signature = sharing.signature_of(session, proposal.id)
    if signature is not None:
        data.signature = {
            "name": signature.signer_name,
            "email": signature.signer_email,
            "when": when(signature.signed_at),
            "sha256": signature.document_sha256,
            "version": str(signature.version),
            "ip": signature.ip,
        }
    return data


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def deal_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Deals a proposal can be written for (newest first, at most 500)."""
    from sqlmodel import col, select

    rows = session.exec(
        select(Deal.id, Deal.title)
        .where(Deal.org_id == actor.org_id, col(Deal.deleted_at).is_(None))
        .order_by(col(Deal.created_at).desc())
        .limit(500)
    ).all()
    return [{"id": str(deal_id), "name": title} for deal_id, title in rows]
