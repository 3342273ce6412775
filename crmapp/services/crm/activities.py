"""Activities on records, and the timeline: everything that happened to a record, newest first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlmodel import Session, col, select

from crmapp.models.audit import AuditEvent
from crmapp.models.base import utcnow
from crmapp.models.crm import ACTIVITY_KINDS, Activity, Company, Contact, Deal
from crmapp.models.tenancy import Membership, User
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.tenancy import audit, audit_text
from crmapp.services.tenancy.permissions import Perm, require

# What the quick-add box asks for each kind of activity (a task is to do, the rest happened).
SUBJECT_PROMPTS = {
    "note": "What is worth remembering?",
    "call": "What was the call about?",
    "meeting": "What was the meeting about?",
    "email": "What was the email about?",
    "task": "What needs doing?",
}
# A clock a little ahead of the server's is not "the future"; a time before EARLIEST is a typo.
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
RECORD_MODELS: dict[str, type[Contact] | type[Company] | type[Deal]] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
}


def _record(
    session: Session, actor: Actor, record_type: str, record_id: uuid.UUID
) -> Contact | Company | Deal:
    model = RECORD_MODELS.get(record_type)
    if model is None:
        raise ValidationError({"record": f"Activities attach to {', '.join(RECORD_MODELS)}."})
    row = cast("Contact | Company | Deal | None", session.get(model, record_id))
    if row is not None and row.org_id != actor.org_id:
        row = None
    if row is None or row.deleted_at is not None:
        raise NotFound(f"That {record_type} was not found.")
    return row


def local_time(value: str, tz: str, field: str = "occurred_at") -> datetime | None:
    """A time typed in zone `tz` ("2026-12-01T14:30", as a datetime-local input sends it) as a
    timezone-aware time; None when nothing was typed.

    Raises:
        ValidationError: ``{field: ...}`` for text that is no date and time.
    """
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {field: "Pick a date and time (day, month, year and hour)."}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timefmt.zone(tz))
    return moment


def _occurred_problem(occurred_at: datetime, now: datetime) -> str:
    """Why `occurred_at` cannot be when something happened ("" when it can)."""
    if occurred_at.tzinfo is None:
        return "A time it happened needs a time zone."
    # By year first: a year-1 time in a zone east of UTC cannot even be compared with now.
    if occurred_at.year < EARLIEST.year or occurred_at.astimezone(UTC) < EARLIEST:
        return f"A time in the year {occurred_at.year} is too long ago: check the year."
    if occurred_at > now + FUTURE_SLACK:
        return "That is in the future: log it once it has happened (or set a task)."
    return ""


def add_activity(
    session: Session,
    actor: Actor,
    *,
    record_type: str,
    record_id: uuid.UUID,
    kind: str,
    subject: str,
    body: str = "",
    due_at: datetime | None = None,
    assignee_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Activity:
    """Log a note, call, meeting or email, or set a task, on a contact, company or deal.

    `occurred_at` is when it happened (a call logged after the fact); now when not given. It may
    not lie in the future: a planned call is a task with a due time."""
    require(actor.role, Perm.RECORD_CREATE)
    problems = {}
    if kind not in ACTIVITY_KINDS:
        problems["kind"] = f"Pick one of: {', '.join(ACTIVITY_KINDS)}."
    if not subject.strip():
        problems["subject"] = (
            "Say what needs doing." if kind == "task" else "Say what it was about."
        )
    if due_at is not None and due_at.tzinfo is None:
        problems["due_at"] = "A due time needs a time zone."
    now = utcnow()
    if occurred_at is not None and (problem := _occurred_problem(occurred_at, now)):
        problems["occurred_at"] = problem
    if (
        assignee_id is not None
        and not session.exec(
            select(Membership.id).where(
                Membership.org_id == actor.org_id, Membership.user_id == assignee_id
            )
        ).first()
    ):
        problems["assignee_id"] = "Assign the task to a member of this organisation."
    if problems:
        raise ValidationError(problems)
    _record(session, actor, record_type, record_id)
    activity = Activity(
        org_id=actor.org_id,
        kind=kind,
        subject=subject.strip()[:200],
        body=body.strip(),
        due_at=due_at,
        assignee_id=assignee_id or (actor.user_id if kind == "task" else None),
        created_by=actor.user_id,
        created_at=now,
        occurred_at=occurred_at or now,
    )
    setattr(activity, f"{record_type}_id", record_id)
    session.add(activity)
    audit.record(
        session,
        actor,
        "activity.created",
        "activity",
        activity.id,
        {"kind": kind, "subject": activity.subject, record_type: str(record_id)},
    )
    return activity


def update_activity(
    session: Session,
    actor: Actor,
    activity_id: uuid.UUID,
    *,
    subject: str,
    body: str,
    occurred_at: datetime | None = None,
) -> Activity:
    """Correct a logged activity: what it was about, and when it happened (`occurred_at`;
    unchanged when None). A task keeps its own time (it has a due time instead); audited."""
    require(actor.role, Perm.RECORD_UPDATE)
    activity = session.exec(
        select(Activity).where(Activity.id == activity_id, Activity.org_id == actor.org_id)
    ).first()
    if activity is None:
        raise NotFound("That activity was not found.")
    problems = {}
    if not subject.strip():
        problems["subject"] = (
            "Say what needs doing." if activity.kind == "task" else "Say what it was about."
        )
    if occurred_at is not None:
        if activity.kind == "task":
            problems["occurred_at"] = "A task has a due time, not a time it happened."
        elif problem := _occurred_problem(occurred_at, utcnow()):
            problems["occurred_at"] = problem
    if problems:
        raise ValidationError(problems)
    changes: dict[str, list[str]] = {}
    if subject.strip()[:200] != activity.subject:
        changes["subject"] = [activity.subject, subject.strip()[:200]]
        activity.subject = subject.strip()[:200]
    if body.strip() != activity.body:
        changes["body"] = [activity.body[:200], body.strip()[:200]]
        activity.body = body.strip()
    if occurred_at is not None and occurred_at != activity.occurred_at:
        changes["occurred_at"] = [activity.occurred_at.isoformat(), occurred_at.isoformat()]
        activity.occurred_at = occurred_at
    if changes:
        session.add(activity)
        audit.record(session, actor, "activity.updated", "activity", activity.id, changes)
    return activity


def complete_task(
    session: Session, actor: Actor, activity_id: uuid.UUID, done: bool = True
) -> Activity:
    """Tick a task off (or reopen it)."""
    require(actor.role, Perm.RECORD_UPDATE)
    activity = session.exec(
        select(Activity).where(Activity.id == activity_id, Activity.org_id == actor.org_id)
    ).first()
    if activity is None or activity.kind != "task":
        raise NotFound("Task not found.")
    activity.done_at = utcnow() if done else None
    session.add(activity)
    audit.record(
        session,
        actor,
        "activity.completed" if done else "activity.reopened",
        "activity",
        activity.id,
        {"subject": activity.subject},
    )
    return activity


@dataclass(frozen=True)
class TimelineItem:
    """One entry of a record's timeline."""

    id: str
    when: datetime
    kind: str  # an activity kind, or "change" for an audit event
    title: str
    detail: str
    who: str
    due_at: datetime | None = None
    done: bool = False
    assignee: str = ""


def timeline(
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: uuid.UUID,
    *,
    limit: int = 100,
    tz: str = "UTC",
) -> list[TimelineItem]:
    """Activities on the record (at the time they happened) and changes to it from the audit
    trail, newest first; who did what by name, changes in words (`audit_text`), times inside them
    in zone `tz`."""
    require(actor.role, Perm.RECORD_READ)
    _record(session, actor, record_type, record_id)
    link = getattr(Activity, f"{record_type}_id")
    activities = session.exec(
        select(Activity, User.name)
        .join(User, col(User.id) == col(Activity.created_by), isouter=True)
        .where(Activity.org_id == actor.org_id, link == record_id)
        .order_by(col(Activity.occurred_at).desc())
        .limit(limit)
    ).all()
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.org_id == actor.org_id,
            AuditEvent.entity_type == record_type,
            AuditEvent.entity_id == str(record_id),
        )
        .order_by(col(AuditEvent.created_at).desc())
        .limit(limit)
    ).all()
    assignees = {a.assignee_id for a, _ in activities if a.assignee_id}
    names = (
        dict(session.exec(select(User.id, User.name).where(col(User.id).in_(assignees))).all())
        if assignees
        else {}
    )
    items = [
        TimelineItem(
            str(a.id),
            a.occurred_at,
            a.kind,
            a.subject,
            a.body,
            who or "",
            a.due_at,
            a.done_at is not None,
            names.get(a.assignee_id, "") if a.kind == "task" and a.assignee_id else "",
        )
        for a, who in activities
    ]
    for view in audit_text.describe(session, actor, events, tz):
        items.append(
            TimelineItem(view.id, view.when, "change", view.title, view.detail, view.actor)
        )
    return sorted(items, key=lambda item: item.when, reverse=True)[:limit]
