"""What a client's decision does to the deal.

A signature wins the deal: it moves to the stage its pipeline names for signed proposals ("on
signature → stage", by default the first won stage), takes that stage's probability, and takes
the signed total as its value. A payment is recorded on the deal's timeline with its amount, and
wins a deal still open. Each change goes through the CRM's own services, so it is audited like any
other (by the client, as a public actor, for a signature).
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from crmapp.models.crm import Deal, PipelineStage
from crmapp.models.proposals import Proposal
from crmapp.services.crm import pipelines, records
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import pricing


def signed_total(proposal: Proposal) -> Decimal:
    """The total of the proposal's pricing table (discount and tax applied)."""
    items = pricing.from_json(proposal.items)
    return pricing.totals(items, proposal.discount_pct, proposal.tax_pct).total


def amount_text(proposal: Proposal) -> str:
    """The proposal's total as it is shown: `13,100.00 EUR`."""
    return pricing.format_money(signed_total(proposal), proposal.currency)


def _live_deal(session: Session, proposal: Proposal) -> Deal | None:
    deal = session.get(Deal, proposal.deal_id)
    return deal if deal is not None and deal.deleted_at is None else None  # trashed: untouched


def deal_signed(session: Session, actor: Actor, proposal: Proposal) -> None:
    """Win the proposal's deal at the signed total (a deal in the trash stays as it is)."""
    deal = _live_deal(session, proposal)
    if deal is None:
        return
    current = session.get(PipelineStage, deal.stage_id)
    target = pipelines.signed_stage(session, actor, deal.pipeline_id)
    if current is not None and current.kind == "won" and target.kind == "won":
        target = current  # won already (perhaps in another won stage): it stays there
    raw: dict[str, str] = {"stage_id": str(target.id), "probability": str(target.probability)}
    if proposal.items:  # an empty pricing table says nothing about the deal's value
        raw |= {"value": str(signed_total(proposal)), "currency": proposal.currency}
    records.save_record(session, actor, "deal", deal.id, raw)


def deal_paid(session: Session, actor: Actor, proposal: Proposal) -> None:
    """A paid proposal's deal is won: one still open moves to its pipeline's won stage."""
    deal = _live_deal(session, proposal)
    if deal is None:
        return
    current = session.get(PipelineStage, deal.stage_id)
    if current is None or current.kind != "open":
        return
    target = pipelines.signed_stage(session, actor, deal.pipeline_id)
    if target.kind != "won":  # the pipeline signs into an open stage: payment closes the deal
        target = pipelines.won_stage(pipelines.stages(session, actor, deal.pipeline_id))
    raw = {"stage_id": str(target.id), "probability": str(target.probability)}
    records.save_record(session, actor, "deal", deal.id, raw)
