"""The proposal as a document: one HTML rendering, and the PDF made from it."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from crmapp.models.crm import Company, Contact, Deal
from crmapp.models.proposals import Proposal
from crmapp.models.tenancy import Organization, User
from crmapp.services.crm import records
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import documents, pricing, public_link, render, sharing


def render_doc(
    session: Session, proposal: Proposal, timezone: str | None = None
) -> render.RenderDoc:
    """What the renderer needs (the caller is in the proposal's tenant scope); times in
    `timezone`, by default the proposal owner's zone (what the client's copy shows)."""
    org = session.get(Organization, proposal.org_id)
    deal = session.get(Deal, proposal.deal_id)
    company = session.get(Company, deal.company_id) if deal and deal.company_id else None
    contact = session.get(Contact, deal.contact_id) if deal and deal.contact_id else None
    owner = session.get(User, proposal.owner_id) if proposal.owner_id else None
    client = company.name if company else (records.label(contact) if contact else "")
    signature = sharing.signature_of(session, proposal.id)
    signed = None
    if signature is not None:
        signed = render.SignatureInfo(
            signer_name=signature.signer_name,
            signer_email=signature.signer_email,
            signed_at=signature.signed_at,
            ip=signature.ip,
            user_agent=signature.user_agent,
            document_sha256=signature.document_sha256,
            version=signature.version,
        )
    return render.RenderDoc(
        title=proposal.title,
        org_name=org.name if org else "",
        client=client,
        prepared_by=owner.name if owner else "",
        currency=proposal.currency,
        sections=[(s.get("title", ""), s.get("html", "")) for s in proposal.sections],
        items=pricing.from_json(proposal.items),
        discount_pct=proposal.discount_pct,
        tax_pct=proposal.tax_pct,
        version=proposal.version,
        status=proposal.status,
        created_at=proposal.sent_at or proposal.created_at,
        signature=signed,
        timezone=timezone or (owner.timezone if owner else "UTC"),
    )


def filename(proposal: Proposal) -> str:
    """A safe file name for the PDF."""
    stem = "".join(c if c.isalnum() else "-" for c in proposal.title.lower()).strip("-")
    return f"{'-'.join(filter(None, stem.split('-')))[:60] or 'proposal'}.pdf"


def proposal_pdf(
    session: Session, actor: Actor, proposal_id: uuid.UUID, timezone: str = "UTC"
) -> tuple[str, bytes]:
    """The PDF of a proposal (with the signing certificate once signed) and its file name."""
    proposal = documents.get_proposal(session, actor, proposal_id)
    return filename(proposal), render.pdf_bytes(render_doc(session, proposal, timezone))


def public_pdf(session: Session, token: str) -> tuple[str, bytes]:
    """The PDF a client downloads from the public page."""
    proposal = public_link.open_link(session, token).proposal
    return filename(proposal), render.pdf_bytes(render_doc(session, proposal))
