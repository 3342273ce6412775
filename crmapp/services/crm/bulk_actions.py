"""Bulk actions on selected list rows: assign an owner, add or remove a tag, delete."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from crmapp.models.tenancy import Membership
from crmapp.services.crm import trash
from crmapp.services.crm.builtin_fields import MAX_TAGS
from crmapp.services.crm.records import model_for
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

MAX_BULK = 10_000
ACTIONS = ("assign_owner", "add_tag", "remove_tag", "delete")


def bulk_apply(
    session: Session, actor: Actor, entity: str, ids: list[uuid.UUID], action: str, value: str = ""
) -> int:
    """Apply `action` to the live records `ids` of `entity`; returns how many changed.

    Each changed record gets its own audit event, as if edited one by one.
    """
    if action not in ACTIONS:
        raise ValidationError({"action": "Choose an action."})
    require(actor.role, Perm.RECORD_DELETE if action == "delete" else Perm.RECORD_UPDATE)
    if not ids:
        raise ValidationError({"selection": "Select at least one row."})
    if len(ids) > MAX_BULK:
        raise ValidationError({"selection": f"At most {MAX_BULK:,} rows at a time."})
    model: Any = model_for(entity)
    rows = session.exec(
        select(model).where(
            col(model.id).in_(ids), model.org_id == actor.org_id, col(model.deleted_at).is_(None)
        )
    ).all()
    if action == "delete":
        for row in rows:
            trash.delete_record(session, actor, entity, row.id)
        return len(rows)
    changed = 0
    if action == "assign_owner":
        try:
            owner = uuid.UUID(value)
        except ValueError:
            raise ValidationError({"value": "Choose the new owner."}) from None
        member = session.exec(
            select(Membership).where(Membership.org_id == actor.org_id, Membership.user_id == owner)
        ).first()
        if member is None:
            raise ValidationError({"value": "The owner must be a member of this organisation."})
        for row in rows:
            if row.owner_id != owner:
                audit.record(
                    session,
                    actor,
                    f"{entity}.updated",
                    entity,
                    row.id,
                    {"owner_id": [row.owner_id, owner]},
                )
                row.owner_id = owner
                session.add(row)
                changed += 1
        return changed
    tag = value.strip()
    if not tag or len(tag) > 40 or "," in tag:
        raise ValidationError({"value": "A tag is 1-40 characters, without commas."})
    for row in rows:
        tags = list(row.tags)
        if action == "add_tag" and tag not in tags:
            if len(tags) >= MAX_TAGS:
                continue
            new = [*tags, tag]
        elif action == "remove_tag" and tag in tags:
            new = [t for t in tags if t != tag]
        else:
            continue
        audit.record(session, actor, f"{entity}.updated", entity, row.id, {"tags": [tags, new]})
        row.tags = new
        session.add(row)
        changed += 1
    return changed
