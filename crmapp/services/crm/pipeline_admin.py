"""Managing pipelines and their stages (Admins and Owners): add, rename, reorder, delete.

Rules a pipeline always keeps: at least one open, one won and one lost stage; stage names unique
within it (any case); positions 0..n-1 in order. Deleting a stage that holds deals moves them to
another stage of the same pipeline first; a pipeline is deleted only when no deal (not even one in
the trash) points at it, and never the default one. Every change is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import STAGE_KINDS, Deal, Pipeline, PipelineStage
from crmapp.services.crm import pipelines
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org
from crmapp.services.platform.errors import ValidationError
from crmapp.services.platform.wording import noun_for, plural
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

MAX_STAGES = 20


@dataclass(frozen=True)
class PipelineView:
    """A pipeline with its ordered stages, how many deals sit in each, and the stage a signed
    proposal moves its deals to."""

    pipeline: Pipeline
    stages: list[PipelineStage]
    deals: dict[uuid.UUID, int]
    signed_stage: PipelineStage


def list_pipelines(session: Session, actor: Actor) -> list[PipelineView]:
    """Every pipeline (default first), with stages and deal counts (trashed deals included)."""
    require(actor.role, Perm.RECORD_READ)
    rows = session.exec(
        select(Pipeline)
        .where(Pipeline.org_id == actor.org_id)
        .order_by(col(Pipeline.is_default).desc(), col(Pipeline.created_at))
    ).all()
    counts = dict(
        session.exec(
            select(Deal.stage_id, func.count())
            .where(Deal.org_id == actor.org_id)
            .group_by(col(Deal.stage_id))
        ).all()
    )
    views = []
    for pipeline in rows:
        stages = pipelines.stages(session, actor, pipeline.id)
        deals = {s.id: counts.get(s.id, 0) for s in stages}
        signed = pipelines.signed_stage(session, actor, pipeline.id)
        views.append(PipelineView(pipeline, stages, deals, signed))
    return views


def _pipeline(session: Session, actor: Actor, pipeline_id: uuid.UUID) -> Pipeline:
    return get_in_org(session, Pipeline, pipeline_id, actor.org_id, "That pipeline was not found.")


def _stage(session: Session, actor: Actor, stage_id: uuid.UUID) -> PipelineStage:
    row = get_in_org(session, PipelineStage, stage_id, actor.org_id, "That stage was not found.")
    _lock(session, row.pipeline_id)
    return row


def _lock(session: Session, pipeline_id: uuid.UUID) -> None:
    """Hold the pipeline's row until commit, so two admins editing its stages at once cannot
    both pass the rule check (and, say, delete its last won stage each)."""
    session.exec(select(Pipeline.id).where(Pipeline.id == pipeline_id).with_for_update())


def _clean_name(name: str, what: str, limit: int) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": f"Give the {what} a name."})
    if len(name) > limit:
        raise ValidationError({"name": f"{what.title()} names are at most {limit} characters."})
    return name


def _check_stage_values(kind: str, probability: int | str) -> int:
    if kind not in STAGE_KINDS:
        raise ValidationError({"kind": "A stage is open, won or lost."})
    try:
        value = int(probability)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100:
        raise ValidationError({"probability": "Probability is a whole number from 0 to 100."})
    return value


def _check_rules(stages: list[PipelineStage]) -> None:
    kinds = {s.kind for s in stages}
    missing = [k for k in STAGE_KINDS if k not in kinds]
    if missing:
        raise ValidationError(
            {"kind": f"A pipeline needs at least one {' and one '.join(missing)} stage."}
        )
    names = [s.name.lower() for s in stages]
    if len(names) != len(set(names)):
        raise ValidationError({"name": "Two stages of a pipeline cannot share a name."})


def _renumber(session: Session, stages: list[PipelineStage]) -> None:
    for position, stage in enumerate(stages):
        if stage.position != position:
            stage.position = position
            session.add(stage)


def create_pipeline(session: Session, actor: Actor, name: str) -> Pipeline:
    """A new pipeline with the default stages, to edit from there."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    name = _clean_name(name, "pipeline", 120)
    existing = session.exec(select(Pipeline.name).where(Pipeline.org_id == actor.org_id)).all()
    if name.lower() in {n.lower() for n in existing}:
        raise ValidationError({"name": f"There is already a pipeline called “{name}”."})
    pipeline = pipelines.create_default_pipeline(session, actor.org_id)
    pipeline.name, pipeline.is_default = name, False
    session.add(pipeline)
    audit.record(session, actor, "pipeline.created", "pipeline", pipeline.id, {"name": name})
    return pipeline


def rename_pipeline(session: Session, actor: Actor, pipeline_id: uuid.UUID, name: str) -> Pipeline:
    """Rename a pipeline."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    pipeline = _pipeline(session, actor, pipeline_id)
    name = _clean_name(name, "pipeline", 120)
    if name != pipeline.name:
        audit.record(
            session,
            actor,
            "pipeline.renamed",
            "pipeline",
            pipeline.id,
            {"name": [pipeline.name, name]},
        )
        pipeline.name = name
        session.add(pipeline)
    return pipeline


def make_default(session: Session, actor: Actor, pipeline_id: uuid.UUID) -> Pipeline:
    """Make a pipeline the one new deals (and imports) go to."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    target = _pipeline(session, actor, pipeline_id)
    for pipeline in session.exec(select(Pipeline).where(Pipeline.org_id == actor.org_id)).all():
        if pipeline.is_default != (pipeline.id == target.id):
            pipeline.is_default = pipeline.id == target.id
            session.add(pipeline)
    audit.record(
        session, actor, "pipeline.made_default", "pipeline", target.id, {"name": target.name}
    )
    return target


def set_signed_stage(
    session: Session, actor: Actor, pipeline_id: uuid.UUID, stage_id: uuid.UUID
) -> PipelineStage:
    """Choose the stage a signed proposal moves the pipeline's deals to (an open or won stage of
    this pipeline); audited."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    pipeline = _pipeline(session, actor, pipeline_id)
    _lock(session, pipeline.id)
    stage = session.get(PipelineStage, stage_id)
    if stage is None or stage.org_id != actor.org_id or stage.pipeline_id != pipeline.id:
        raise ValidationError({"signed_stage": "Choose a stage of this pipeline."})
    if stage.kind == "lost":
        raise ValidationError(
            {
                "signed_stage": "A signed proposal cannot move a deal to a lost"
                " stage: choose an open or won stage."
            }
        )
    before = pipelines.signed_stage(session, actor, pipeline.id)
    pipeline.signed_stage_id = stage.id
    session.add(pipeline)
    if before.id != stage.id:
        audit.record(
            session,
            actor,
            "pipeline.signed_stage_changed",
            "pipeline",
            pipeline.id,
            {"stage": [before.name, stage.name]},
        )
    return stage


def delete_pipeline(session: Session, actor: Actor, pipeline_id: uuid.UUID) -> str:
    """Delete a pipeline no deal points at (not the default one); returns its name."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    pipeline = _pipeline(session, actor, pipeline_id)
    if pipeline.is_default:
        raise ValidationError({"pipeline": "Make another pipeline the default before deleting it."})
    deals = session.exec(
        select(func.count()).where(Deal.org_id == actor.org_id, Deal.pipeline_id == pipeline.id)
    ).one()
    if deals:
        raise ValidationError(
            {
                "pipeline": f"{plural(deals, 'deal')} {noun_for(deals, 'is')} in this pipeline "
                f"(the trash counts too): move or delete {noun_for(deals, 'it')} first."
            }
        )
    session.exec(delete(PipelineStage).where(col(PipelineStage.pipeline_id) == pipeline.id))
    session.delete(pipeline)
    audit.record(
        session, actor, "pipeline.deleted", "pipeline", pipeline.id, {"name": pipeline.name}
    )
    return pipeline.name


def add_stage(
    session: Session,
    actor: Actor,
    pipeline_id: uuid.UUID,
    *,
    name: str,
    kind: str = "open",
    probability: int | str = 50,
) -> PipelineStage:
    """Add a stage: an open one goes before the first closed stage, a closed one at the end."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    pipeline = _pipeline(session, actor, pipeline_id)
    _lock(session, pipeline.id)
    name = _clean_name(name, "stage", 80)
    value = _check_stage_values(kind, probability)
    stages = pipelines.stages(session, actor, pipeline.id)
    if len(stages) >= MAX_STAGES:
        raise ValidationError({"name": f"A pipeline has at most {MAX_STAGES} stages."})
    stage = PipelineStage(
        org_id=actor.org_id, pipeline_id=pipeline.id, name=name, kind=kind, probability=value
    )
    at = len(stages)
    if kind == "open":
        at = next((i for i, s in enumerate(stages) if s.kind != "open"), len(stages))
    ordered = [*stages[:at], stage, *stages[at:]]
    _check_rules(ordered)
    session.add(stage)
    _renumber(session, ordered)
    audit.record(
        session,
        actor,
        "pipeline.stage_added",
        "pipeline",
        pipeline.id,
        {"stage": name, "kind": kind, "position": at},
    )
    return stage


def update_stage(
    session: Session,
    actor: Actor,
    stage_id: uuid.UUID,
    *,
    name: str,
    kind: str,
    probability: int | str,
) -> PipelineStage:
    """Rename a stage or change its kind or probability."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    stage = _stage(session, actor, stage_id)
    name = _clean_name(name, "stage", 80)
    value = _check_stage_values(kind, probability)
    before = {"name": stage.name, "kind": stage.kind, "probability": stage.probability}
    after = {"name": name, "kind": kind, "probability": value}
    siblings = pipelines.stages(session, actor, stage.pipeline_id)
    stage.name, stage.kind, stage.probability = name, kind, value
    _check_rules(siblings)  # `stage` is one of them, already changed
    session.add(stage)
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            session,
            actor,
            "pipeline.stage_updated",
            "pipeline",
            stage.pipeline_id,
            {"stage": name, **changes},
        )
    return stage


def move_stage(session: Session, actor: Actor, stage_id: uuid.UUID, offset: int) -> None:
    """Move a stage `offset` places left (-1) or right (+1)."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    stage = _stage(session, actor, stage_id)
    stages = pipelines.stages(session, actor, stage.pipeline_id)
    index = next(i for i, s in enumerate(stages) if s.id == stage.id)
    target = max(0, min(len(stages) - 1, index + offset))
    if target == index:
        return
    stages.insert(target, stages.pop(index))
    _renumber(session, stages)
    audit.record(
        session,
        actor,
        "pipeline.stage_moved",
        "pipeline",
        stage.pipeline_id,
        {"stage": stage.name, "position": [index, target]},
    )


def delete_stage(
    session: Session, actor: Actor, stage_id: uuid.UUID, move_to: uuid.UUID | None = None
) -> int:
    """Delete a stage; its deals (trashed ones too) move to `move_to` first. Returns how many."""
    require(actor.role, Perm.PIPELINE_MANAGE)
    stage = _stage(session, actor, stage_id)
    stages = pipelines.stages(session, actor, stage.pipeline_id)
    rest = [s for s in stages if s.id != stage.id]
    _check_rules(rest)
    deals = int(
        session.exec(
            select(func.count()).where(Deal.org_id == actor.org_id, Deal.stage_id == stage.id)
        ).one()
    )
    target = None
    if deals:
        target = next((s for s in rest if s.id == move_to), None)
        if target is None:
            raise ValidationError(
                {
                    "move_to": f"{plural(deals, 'deal')} {noun_for(deals, 'is')} "
                    f"in “{stage.name}”: choose the stage of this pipeline to move "
                    f"{noun_for(deals, 'it')} to."
                }
            )
        closing = target.kind in ("won", "lost")
        session.exec(
            update(Deal)
            .where(col(Deal.org_id) == actor.org_id, col(Deal.stage_id) == stage.id)
            .values(
                stage_id=target.id,
                closed_at=utcnow() if closing else None,
                closed_by=actor.user_id if closing else None,
            )
        )
    session.delete(stage)
    _renumber(session, rest)
    audit.record(
        session,
        actor,
        "pipeline.stage_deleted",
        "pipeline",
        stage.pipeline_id,
        {"stage": stage.name, "deals_moved": deals, "moved_to": target.name if target else None},
    )
    return deals
