"""Custom fields: per-organisation fields on contacts, companies and deals, and their values.

Definitions live in `custom_field`; values in each record's JSONB `custom` map, keyed by the field's
key and stored typed (text and select as strings, numbers as JSON numbers, dates as ISO strings),
so list views can sort and filter them in SQL.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, func, select

from crmapp.models.views import CUSTOM_FIELD_TYPES, RECORD_ENTITIES, CustomField
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org
from crmapp.services.platform.errors import ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

MAX_FIELDS_PER_ENTITY = 50
TYPE_LABELS = {"text": "Text", "number": "Number", "date": "Date", "select": "Select"}


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]


def list_fields(session: Session, actor: Actor, entity: str) -> list[CustomField]:
    """The organisation's custom fields on `entity`, in display order."""
    require(actor.role, Perm.RECORD_READ)
    return list(
        session.exec(
            select(CustomField)
            .where(CustomField.org_id == actor.org_id, CustomField.entity == entity)
            .order_by(col(CustomField.position), col(CustomField.created_at))
        ).all()
    )


def _clean_definition(label: str, field_type: str, options: list[str]) -> tuple[str, list[str]]:
    problems = {}
    label = label.strip()
    if not label:
        problems["label"] = "Give the field a name."
    elif len(label) > 80:
        problems["label"] = "Field names are at most 80 characters."
    elif not _slug(label):
        problems["label"] = "Use at least one letter or digit in the name."
    if field_type not in CUSTOM_FIELD_TYPES:
        problems["field_type"] = "Choose text, number, date or select."
    cleaned = list(dict.fromkeys(o.strip() for o in options if o.strip()))
    if field_type == "select" and not cleaned:
        problems["options"] = "A select field needs at least one option (one per line)."
    if problems:
        raise ValidationError(problems)
    return label, cleaned if field_type == "select" else []


def create_field(
    session: Session,
    actor: Actor,
    entity: str,
    *,
    label: str,
    field_type: str,
    options: list[str] | None = None,
) -> CustomField:
    """Add a custom field to `entity` (Admins and Owners)."""
    require(actor.role, Perm.FIELDS_MANAGE)
    if entity not in RECORD_ENTITIES:
        raise ValidationError({"entity": "Custom fields go on contacts, companies or deals."})
    label, cleaned = _clean_definition(label, field_type, options or [])
    existing = list_fields(session, actor, entity)
    if len(existing) >= MAX_FIELDS_PER_ENTITY:
        raise ValidationError({"label": f"At most {MAX_FIELDS_PER_ENTITY} custom fields each."})
    key = _slug(label)
    if any(f.key == key or f.label.lower() == label.lower() for f in existing):
        raise ValidationError({"label": f"There is already a field called “{label}”."})
    position = session.exec(
        select(func.coalesce(func.max(CustomField.position), -1)).where(
            CustomField.org_id == actor.org_id, CustomField.entity == entity
        )
    ).one()
    field = CustomField(
        org_id=actor.org_id,
        entity=entity,
        key=key,
        label=label,
        field_type=field_type,
        options=cleaned,
        position=int(position) + 1,
    )
    session.add(field)
    audit.record(
        session,
        actor,
        "custom_field.created",
        "custom_field",
        field.id,
        {"entity": entity, "label": label, "type": field_type},
    )
    return field


def _get(session: Session, actor: Actor, field_id: uuid.UUID) -> CustomField:
    return get_in_org(
        session, CustomField, field_id, actor.org_id, "That custom field was not found."
    )


def update_field(
    session: Session, actor: Actor, field_id: uuid.UUID, *, label: str, options: list[str]
) -> CustomField:
    """Rename a field or change a select's options (the key and type stay, so values survive)."""
    require(actor.role, Perm.FIELDS_MANAGE)
    field = _get(session, actor, field_id)
    label, cleaned = _clean_definition(label, field.field_type, options)
    others = [f for f in list_fields(session, actor, field.entity) if f.id != field.id]
    if any(f.label.lower() == label.lower() for f in others):
        raise ValidationError({"label": f"There is already a field called “{label}”."})
    changes = audit.diff(
        {"label": field.label, "options": field.options}, {"label": label, "options": cleaned}
    )
    field.label, field.options = label, cleaned
    session.add(field)
    if changes:
        audit.record(session, actor, "custom_field.updated", "custom_field", field.id, changes)
    return field


def delete_field(session: Session, actor: Actor, field_id: uuid.UUID) -> str:
    """Remove a field definition; returns its label. Stored values stay in the records' JSONB
    (invisible), so re-adding a field with the same name brings them back."""
    require(actor.role, Perm.FIELDS_MANAGE)
    field = _get(session, actor, field_id)
    session.delete(field)
    audit.record(
        session,
        actor,
        "custom_field.deleted",
        "custom_field",
        field.id,
        {"entity": field.entity, "label": field.label},
    )
    return field.label


def parse_value(field: CustomField, raw: Any) -> Any:
    """The typed value of `raw` for `field` (None when empty); raises ValueError with a reason."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if field.field_type == "number":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"{field.label} must be a number, like 42 or 1,250.50.") from None
        if not number.is_finite():
            raise ValueError(f"{field.label} must be a number, like 42 or 1,250.50.")
        return int(number) if number == number.to_integral_value() else float(number)
    if field.field_type == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{field.label} must be a date as YYYY-MM-DD.") from None
    if field.field_type == "select":
        if text not in field.options:
            raise ValueError(f"{field.label} must be one of: {', '.join(field.options)}.")
        return text
    if len(text) > 2000:
        raise ValueError(f"{field.label} is at most 2,000 characters.")
    return text


def clean_values(
    fields: list[CustomField], raw: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`current` updated with the typed values in `raw` (keys of unknown fields are ignored);
    raises ValidationError keyed `custom.<key>` listing every bad value."""
    values = dict(current or {})
    problems = {}
    for field in fields:
        if field.key not in raw:
            continue
        try:
            value = parse_value(field, raw[field.key])
        except ValueError as err:
            problems[f"custom.{field.key}"] = str(err)
            continue
        if value is None:
            values.pop(field.key, None)
        else:
            values[field.key] = value
    if problems:
        raise ValidationError(problems)
    return values


def display(field: CustomField, value: Any) -> str:
    """A stored value as the UI shows it."""
    if value is None or value == "":
        return ""
    if field.field_type == "number" and isinstance(value, int | float):
        return f"{value:,}"
    return str(value)
