"""Dashboard figures: pipeline value by stage, won/lost this month, tasks due today, and which
next steps of a new workspace are done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Activity, Contact, Deal, PipelineStage
from crmapp.models.proposals import Proposal
from crmapp.models.tenancy import Invitation, Membership
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy.permissions import Perm, require


@dataclass(frozen=True)
class StageValue:
    """An open stage with its deal count and value."""

    name: str
    count: int
    value: Decimal


@dataclass(frozen=True)
class DueTask:
    """A task the user should do today (or is late on)."""

    id: str
    subject: str
    due_at: datetime
    contact_id: str
    overdue: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows."""

    by_stage: list[StageValue]
    won_count: int
    won_value: Decimal
    lost_count: int
    lost_value: Decimal
    due_today: list[DueTask]


def month_start(now: datetime, tz: str) -> datetime:
    """Midnight on the first of the current month in zone `tz`."""
    local = now.astimezone(timefmt.zone(tz))
    return datetime.combine(local.date().replace(day=1), time.min, tzinfo=local.tzinfo)


def dashboard(session: Session, actor: Actor, tz: str, now: datetime | None = None) -> Dashboard:
    """The organisation's pipeline and this month's results; the actor's tasks due today."""
    require(actor.role, Perm.RECORD_READ)
    now = now or utcnow()
    live = (Deal.org_id == actor.org_id, col(Deal.deleted_at).is_(None))
    stage_rows = session.exec(
        select(PipelineStage.name, func.count(col(Deal.id)), func.coalesce(func.sum(Deal.value), 0))
        .join(Deal, (col(Deal.stage_id) == col(PipelineStage.id)) & live[0] & live[1], isouter=True)
        .where(PipelineStage.org_id == actor.org_id, PipelineStage.kind == "open")
        .group_by(col(PipelineStage.name), col(PipelineStage.position))
        .order_by(col(PipelineStage.position))
    ).all()
    since = month_start(now, tz)

    def closed(kind: str) -> tuple[int, Decimal]:
        count, value = session.exec(
            select(func.count(), func.coalesce(func.sum(Deal.value), 0))
            .join(PipelineStage, col(PipelineStage.id) == col(Deal.stage_id))
            .where(*live, PipelineStage.kind == kind, col(Deal.closed_at) >= since)
        ).one()
        return int(count), Decimal(value)

    won_count, won_value = closed("won")
    lost_count, lost_value = closed("lost")
    local_today = now.astimezone(timefmt.zone(tz)).date()
    end_of_today = datetime.combine(
        local_today + timedelta(days=1), time.min, tzinfo=timefmt.zone(tz)
    )
    tasks = session.exec(
        select(Activity)
        .join(Contact, col(Contact.id) == col(Activity.contact_id), isouter=True)
        .where(
            Activity.org_id == actor.org_id,
            Activity.kind == "task",
            col(Activity.done_at).is_(None),
            Activity.assignee_id == actor.user_id,
            col(Activity.due_at) < end_of_today,
            col(Contact.deleted_at).is_(None),
        )
        .order_by(col(Activity.due_at))
        .limit(20)
    ).all()
    return Dashboard(
        by_stage=[
            StageValue(name, int(count), Decimal(value)) for name, count, value in stage_rows
        ],
        won_count=won_count,
        won_value=won_value,
        lost_count=lost_count,
        lost_value=lost_value,
        due_today=[
            DueTask(str(t.id), t.subject, t.due_at, str(t.contact_id or ""), t.due_at < now)
            for t in tasks
            if t.due_at is not None
        ],
    )


@dataclass(frozen=True)
class NextSteps:
    """Which of the dashboard's next steps the organisation (or the user) has done."""

    contacts: bool  # the organisation has a contact
    team: bool  # someone else is a member, or has been invited
    timezone: bool  # the user chose a zone other than the default
    proposal: bool  # the organisation has a proposal


def next_steps(session: Session, actor: Actor, timezone: str) -> NextSteps:
    """What is done of: add contacts, invite the team, set your zone, write a proposal."""
    require(actor.role, Perm.RECORD_READ)

    def exists(query) -> bool:
        return session.exec(query.limit(1)).first() is not None

    return NextSteps(
        contacts=exists(
            select(Contact.id).where(
                Contact.org_id == actor.org_id, col(Contact.deleted_at).is_(None)
            )
        ),
        team=exists(
            select(Membership.id).where(
                Membership.org_id == actor.org_id, Membership.user_id != actor.user_id
            )
        )
        or exists(
            select(Invitation.id).where(
                Invitation.org_id == actor.org_id, col(Invitation.revoked_at).is_(None)
            )
        ),
        timezone=bool(timezone) and timezone != "UTC",
        proposal=exists(select(Proposal.id).where(Proposal.org_id == actor.org_id)),
    )
