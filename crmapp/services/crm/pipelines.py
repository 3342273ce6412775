"""Pipelines, their ordered stages, the deal board, and moving deals between stages."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Company, Deal, Pipeline, PipelineStage
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

DEFAULT_PIPELINE = "Sales pipeline"
DEFAULT_STAGES = (
    ("Lead", "open", 10),
    ("Qualified", "open", 25),
    ("Proposal", "open", 50),
    ("Negotiation", "open", 75),
    ("Won", "won", 100),
    ("Lost", "lost", 0),
)


def create_default_pipeline(session: Session, org_id: uuid.UUID) -> Pipeline:
    """Give a new organisation the default pipeline and stages."""
    pipeline = Pipeline(org_id=org_id, name=DEFAULT_PIPELINE, is_default=True)
    session.add(pipeline)
    for position, (name, kind, probability) in enumerate(DEFAULT_STAGES):
        session.add(
            PipelineStage(
                org_id=org_id,
                pipeline_id=pipeline.id,
                name=name,
                position=position,
                kind=kind,
                probability=probability,
            )
        )
    return pipeline


def default_pipeline(session: Session, actor: Actor) -> Pipeline:
    """The organisation's default pipeline."""
    require(actor.role, Perm.RECORD_READ)
    pipeline = session.exec(
        select(Pipeline)
        .where(Pipeline.org_id == actor.org_id)
        .order_by(col(Pipeline.is_default).desc(), col(Pipeline.created_at))
    ).first()
    if pipeline is None:
        raise NotFound("This organisation has no pipeline yet.")
    return pipeline


def stages(session: Session, actor: Actor, pipeline_id: uuid.UUID) -> list[PipelineStage]:
    """The pipeline's stages in order."""
    require(actor.role, Perm.RECORD_READ)
    return list(
        session.exec(
            select(PipelineStage)
            .where(PipelineStage.org_id == actor.org_id, PipelineStage.pipeline_id == pipeline_id)
            .order_by(col(PipelineStage.position))
        ).all()
    )


def signed_stage(session: Session, actor: Actor, pipeline_id: uuid.UUID) -> PipelineStage:
    """Where a signed proposal moves the pipeline's deals: the stage the pipeline names
    ("on signature → stage"), else its first won stage."""
    ordered = stages(session, actor, pipeline_id)
    pipeline = session.get(Pipeline, pipeline_id)
    chosen = pipeline.signed_stage_id if pipeline is not None else None
    found = next((s for s in ordered if s.id == chosen and s.kind != "lost"), None)
    return found or won_stage(ordered)


def won_stage(ordered: list[PipelineStage]) -> PipelineStage:
    """The first won stage of a pipeline's stages (every pipeline keeps one)."""
    found = next((s for s in ordered if s.kind == "won"), None)
    if found is None:
        raise NotFound("This pipeline has no won stage.")
    return found


def stage_named(session: Session, actor: Actor, name: str) -> PipelineStage:
    """A stage of the default pipeline by (case-insensitive) name."""
    pipeline = default_pipeline(session, actor)
    for stage in stages(session, actor, pipeline.id):
        if stage.name.lower() == name.strip().lower():
            return stage
    names = ", ".join(s.name for s in stages(session, actor, pipeline.id))
    raise ValidationError({"stage": f"Unknown stage {name!r}: use one of {names}."})


@dataclass(frozen=True)
class Card:
    """A deal as the board shows it."""

    id: str
    title: str
    value: Decimal
    currency: str
    company: str
    owner_id: str


@dataclass
class Column:
    """A stage with its deals and totals."""

    stage: PipelineStage
    cards: list[Card] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many deals sit in this stage."""
        return len(self.cards)

    def totals(self) -> dict[str, Decimal]:
        """Summed value per currency."""
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for card in self.cards:
            sums[card.currency] += card.value
        return dict(sums)


def board(
    session: Session,
    actor: Actor,
    *,
    pipeline_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
) -> list[Column]:
    """The pipeline as columns of deals (live deals only), optionally one owner's."""
    require(actor.role, Perm.RECORD_READ)
    pipeline_id = pipeline_id or default_pipeline(session, actor).id
    columns = {s.id: Column(s) for s in stages(session, actor, pipeline_id)}
    query = (
        select(Deal, Company.name)
        .join(Company, col(Company.id) == col(Deal.company_id), isouter=True)
        .where(
            Deal.org_id == actor.org_id,
            Deal.pipeline_id == pipeline_id,
            col(Deal.deleted_at).is_(None),
        )
        .order_by(col(Deal.value).desc(), col(Deal.created_at))
    )
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    for deal, company in session.exec(query).all():
        column = columns.get(deal.stage_id)
        if column is not None:
            column.cards.append(
                Card(
                    str(deal.id),
                    deal.title,
                    deal.value,
                    deal.currency,
                    company or "",
                    str(deal.owner_id or ""),
                )
            )
    return list(columns.values())


@dataclass(frozen=True)
class Move:
    """What a move did, so that it can be shown and undone."""

    deal_id: uuid.UUID
    title: str
    from_stage_id: uuid.UUID
    from_stage: str
    to_stage_id: uuid.UUID
    to_stage: str


def move_deal(session: Session, actor: Actor, deal_id: uuid.UUID, stage_id: uuid.UUID) -> Move:
    """Put a deal in another stage of its pipeline; Won/Lost record when and by whom.

    Undo is the same call with the stage it came from.
    """
    require(actor.role, Perm.RECORD_UPDATE)
    deal = session.exec(
        select(Deal).where(
            Deal.id == deal_id, Deal.org_id == actor.org_id, col(Deal.deleted_at).is_(None)
        )
    ).first()
    if deal is None:
        raise NotFound("Deal not found.")
    target = session.exec(
        select(PipelineStage).where(
            PipelineStage.id == stage_id,
            PipelineStage.org_id == actor.org_id,
            PipelineStage.pipeline_id == deal.pipeline_id,
        )
    ).first()
    if target is None:
        raise ValidationError({"stage": "That stage is not in this deal's pipeline."})
    source = session.get(PipelineStage, deal.stage_id)
    assert source is not None
    if source.id != target.id:
        deal.stage_id = target.id
        if target.kind == "open":
            deal.closed_at, deal.closed_by = None, None
        elif source.kind != target.kind or deal.closed_at is None:
            # Closing (or turning a win into a loss) records when and by whom; a move between
            # two stages of the same closed kind keeps the original close.
            deal.closed_at, deal.closed_by = utcnow(), None if actor.public else actor.user_id
        session.add(deal)
        audit.record(
            session,
            actor,
            "deal.stage_changed",
            "deal",
            deal.id,
            {"stage": [source.name, target.name]},
        )
    return Move(deal.id, deal.title, source.id, source.name, target.id, target.name)
