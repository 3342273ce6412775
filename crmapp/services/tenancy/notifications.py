"""In-app notifications: a bell in the top bar with the newest first."""

from __future__ import annotations

import uuid

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.notifications import Notification
from crmapp.services.platform.actor import Actor


def notify(
    session: Session, org_id: uuid.UUID, user_id: uuid.UUID, kind: str, message: str, href: str = ""
) -> Notification:
    """Queue a notification for `user_id` (inside the caller's transaction and tenant scope)."""
    note = Notification(
        org_id=org_id, user_id=user_id, kind=kind, message=message[:300], href=href[:300]
    )
    session.add(note)
    return note


def recent(session: Session, actor: Actor, *, limit: int = 20) -> list[Notification]:
    """The actor's newest notifications in this organisation."""
    return list(
        session.exec(
            select(Notification)
            .where(Notification.org_id == actor.org_id, Notification.user_id == actor.user_id)
            .order_by(col(Notification.created_at).desc())
            .limit(limit)
        ).all()
    )


def unread_count(session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.org_id == actor.org_id,
                Notification.user_id == actor.user_id,
                col(Notification.read_at).is_(None),
            )
        ).one()
    )


def open_recent(
    session: Session, actor: Actor, *, limit: int = 20
) -> list[tuple[Notification, bool]]:
    """The bell was opened: the actor's newest notifications, each with whether it was unread,
    and every notification of the actor is now read."""
    items = [(n, n.read_at is None) for n in recent(session, actor, limit=limit)]
    mark_all_read(session, actor)
    return items


def mark_all_read(session: Session, actor: Actor) -> None:
    """Mark every notification of the actor read."""
    session.exec(  # type: ignore[call-overload]
        update(Notification)
        .where(
            col(Notification.org_id) == actor.org_id,
            col(Notification.user_id) == actor.user_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )
