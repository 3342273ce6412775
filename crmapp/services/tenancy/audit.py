"""The audit trail: every write records who, what, which record, from where, when (UTC)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from crmapp.models.audit import AuditEvent
from crmapp.models.tenancy import User
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy.permissions import Perm, require

PAGE_SIZE = 25


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the actor's organisation (within the caller's transaction)."""
    event = AuditEvent(
        org_id=actor.org_id,
        actor_user_id=None if actor.public else actor.user_id,  # a client is no user of ours
        actor_email=actor.email[:254],
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=_jsonable(changes or {}),
        ip=actor.ip[:64],
        user_agent=actor.user_agent[:512],
    )
    session.add(event)
    return event


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`{field: [old, new]}` for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page filters on; empty means any."""

    action: str = ""
    entity_type: str = ""
    actor_email: str = ""  # matches the email or the name of who acted
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    session: Session,
    actor: Actor,
    flt: AuditFilter,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[AuditEvent], int]:
    """One page of the organisation's events, newest first, and the total count."""
    require(actor.role, Perm.AUDIT_VIEW)
    query = select(AuditEvent).where(AuditEvent.org_id == actor.org_id)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.entity_type:
        query = query.where(AuditEvent.entity_type == flt.entity_type)
    if flt.actor_email:  # who acted, by name or email
        like = f"%{flt.actor_email.strip()}%"
        named = select(User.email).where(col(User.name).ilike(like))
        query = query.where(
            or_(col(AuditEvent.actor_email).ilike(like), col(AuditEvent.actor_email).in_(named))
        )
    if flt.since:
        query = query.where(AuditEvent.created_at >= flt.since)
    if flt.until:
        query = query.where(AuditEvent.created_at < flt.until)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEvent.created_at).desc())
        .offset(max(0, page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)


def known_actions(session: Session, actor: Actor) -> list[str]:
    """The distinct actions recorded so far (for the filter menu)."""
    require(actor.role, Perm.AUDIT_VIEW)
    rows = session.exec(
        select(AuditEvent.action).where(AuditEvent.org_id == actor.org_id).distinct()
    ).all()
    return sorted(rows)
