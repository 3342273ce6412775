"""Soft delete: contacts, companies and deals go to the trash, restorable by Admins for 30 days."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Company, Contact, Deal
from crmapp.services.platform.actor import Actor, system_actor
from crmapp.services.platform.db import get_in_org
from crmapp.services.platform.errors import ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

RETENTION = timedelta(days=30)
MODELS: dict[str, type[Contact] | type[Company] | type[Deal]] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
}


def _label(row: Contact | Company | Deal) -> str:
    if isinstance(row, Contact):
        return f"{row.first_name} {row.last_name}".strip()
    if isinstance(row, Company):
        return row.name
    return row.title


def _get(
    session: Session, actor: Actor, record_type: str, record_id: uuid.UUID
) -> Contact | Company | Deal:
    model = MODELS.get(record_type)
    if model is None:
        raise ValidationError({"record": f"Only {', '.join(MODELS)} can be deleted."})
    return get_in_org(session, model, record_id, actor.org_id, f"That {record_type} was not found.")


def delete_record(session: Session, actor: Actor, record_type: str, record_id: uuid.UUID) -> str:
    """Move a record to the trash; returns its label for the confirmation message."""
    require(actor.role, Perm.RECORD_DELETE)
    row = _get(session, actor, record_type, record_id)
    if row.deleted_at is None:
        row.deleted_at = utcnow()
        session.add(row)
        audit.record(
            session, actor, f"{record_type}.deleted", record_type, row.id, {"name": _label(row)}
        )
    return _label(row)


def restore_record(session: Session, actor: Actor, record_type: str, record_id: uuid.UUID) -> str:
    """Bring a record back from the trash (Admins and Owners, within 30 days)."""
    require(actor.role, Perm.RECORD_RESTORE)
    row = _get(session, actor, record_type, record_id)
    if row.deleted_at is None:
        return _label(row)
    if row.deleted_at < utcnow() - RETENTION:
        raise ValidationError({"record": "It was deleted more than 30 days ago."})
    row.deleted_at = None
    session.add(row)
    audit.record(
        session, actor, f"{record_type}.restored", record_type, row.id, {"name": _label(row)}
    )
    return _label(row)


@dataclass(frozen=True)
class TrashItem:
    """A deleted record that can still be restored."""

    record_type: str
    id: str
    label: str
    deleted_at: datetime
    purge_at: datetime


def list_trash(session: Session, actor: Actor) -> list[TrashItem]:
    """Everything deleted in the last 30 days, most recent first."""
    require(actor.role, Perm.RECORD_RESTORE)
    cutoff = utcnow() - RETENTION
    items: list[TrashItem] = []
    for record_type, model in MODELS.items():
        rows = cast(
            "list[Contact | Company | Deal]",
            session.exec(
                select(model).where(  # type: ignore[call-overload]
                    model.org_id == actor.org_id,
                    col(model.deleted_at).is_not(None),
                    col(model.deleted_at) >= cutoff,
                )
            ).all(),
        )
        items += [
            TrashItem(record_type, str(r.id), _label(r), r.deleted_at, r.deleted_at + RETENTION)
            for r in rows
            if r.deleted_at is not None
        ]
    return sorted(items, key=lambda i: i.deleted_at, reverse=True)


def purge_expired(
    session: Session, org_id: uuid.UUID, now: datetime | None = None
) -> dict[str, int]:
    """Hard-delete the records of `org_id` deleted more than 30 days ago (the session must be
    scoped to `org_id`); audits the counts. Returns {record_type: count}."""
    cutoff = (now or utcnow()) - RETENTION
    counts: dict[str, int] = {}
    for record_type in ("deal", "contact", "company"):  # deals first: they point at the others
        model: Any = MODELS[record_type]
        result = session.exec(
            delete(model).where(
                model.org_id == org_id,
                col(model.deleted_at).is_not(None),
                col(model.deleted_at) < cutoff,
            )
        )
        counts[record_type] = int(result.rowcount or 0)
    if any(counts.values()):
        changes = {**counts, "deleted_before": cutoff.isoformat()}
        audit.record(
            session, system_actor(org_id, "maintenance"), "trash.purged", "trash", "", changes
        )
    return counts
