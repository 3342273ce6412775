"""Create, read and edit contacts, companies and deals with their full field sets.

Forms, inline list edits and the record pages all come through `save_record`: built-in fields are
validated by `builtin_fields`, custom fields by `custom_fields`, references (owner, company,
contact, stage) must belong to the organisation, and every change is audited with what changed.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Company, Contact, Deal, PipelineStage
from crmapp.models.tenancy import Membership
from crmapp.services.crm import builtin_fields, custom_fields, pipelines
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

Record = Contact | Company | Deal
MODELS: dict[str, type[Contact] | type[Company] | type[Deal]] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
}
NOUNS = {"contact": "Contact", "company": "Company", "deal": "Deal"}


def model_for(entity: str) -> type[Contact] | type[Company] | type[Deal]:
    """The table of `entity`, or a ValidationError."""
    try:
        return MODELS[entity]
    except KeyError:
        raise ValidationError({"entity": "Records are contacts, companies or deals."}) from None


def label(row: Record) -> str:
    """A record's name as people say it."""
    if isinstance(row, Contact):
        return f"{row.first_name} {row.last_name}".strip()
    if isinstance(row, Company):
        return row.name
    return row.title


def get_record(session: Session, actor: Actor, entity: str, record_id: uuid.UUID) -> Record:
    """A live record of the organisation, or NotFound."""
    require(actor.role, Perm.RECORD_READ)
    model = model_for(entity)
    row = cast("Record | None", session.get(model, record_id))
    if row is None or row.org_id != actor.org_id or row.deleted_at is not None:
        raise NotFound(f"{NOUNS[entity]} not found.")
    return row


def _check_references(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    problems = {}
    checks: list[tuple[str, Any, str]] = [
        ("company_id", Company, "That company is not in this organisation."),
        ("contact_id", Contact, "That contact is not in this organisation."),
    ]
    for key, model, message in checks:
        ref = values.get(key)
        if ref is not None:
            row = session.get(model, ref)
            if row is None or row.org_id != actor.org_id or row.deleted_at is not None:
                problems[key] = message
    owner = values.get("owner_id")
    if owner is not None:
        member = session.exec(
            select(Membership).where(Membership.org_id == actor.org_id, Membership.user_id == owner)
        ).first()
        if member is None:
            problems["owner_id"] = "The owner must be a member of this organisation."
    if problems:
        raise ValidationError(problems)


def _stage(session: Session, actor: Actor, stage_id: uuid.UUID | None) -> PipelineStage:
    if stage_id is None:
        first = pipelines.stages(session, actor, pipelines.default_pipeline(session, actor).id)
        return next(s for s in first if s.kind == "open")
    stage = session.get(PipelineStage, stage_id)
    if stage is None or stage.org_id != actor.org_id:
        raise ValidationError({"stage_id": "Choose a stage from the list."})
    return stage


def save_record(
    session: Session,
    actor: Actor,
    entity: str,
    record_id: uuid.UUID | None,
    raw: dict[str, Any],
    custom_raw: dict[str, Any] | None = None,
) -> Record:
    """Create (`record_id` None) or update a record from form values.

    `raw` holds built-in fields (only those present change); `custom_raw` custom field values by
    key. Every problem is reported at once, keyed by field (`custom.<key>` for custom fields).
    """
    creating = record_id is None
    require(actor.role, Perm.RECORD_CREATE if creating else Perm.RECORD_UPDATE)
    model = model_for(entity)
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values = builtin_fields.clean(entity, raw, creating=creating)
    except ValidationError as err:
        problems.update(err.fields)
    defs = custom_fields.list_fields(session, actor, entity)
    current: Record | None = (
        None if creating else get_record(session, actor, entity, cast(uuid.UUID, record_id))
    )
    try:
        custom = custom_fields.clean_values(
            defs, custom_raw or {}, None if current is None else current.custom
        )
    except ValidationError as err:
        problems.update(err.fields)
        custom = {}
    if problems:
        raise ValidationError(problems)
    _check_references(session, actor, values)

    if creating:
        if entity == "deal":
            stage = _stage(session, actor, values.pop("stage_id", None))
            values["stage_id"], values["pipeline_id"] = stage.id, stage.pipeline_id
            if values.get("probability") is None:
                values["probability"] = stage.probability
            if stage.kind in ("won", "lost"):
                values["closed_at"], values["closed_by"] = utcnow(), actor.user_id
        values["owner_id"] = values.get("owner_id") or actor.user_id
        row = cast(Record, model(org_id=actor.org_id, **values))
        row.custom = custom
        session.add(row)
        shown = {k: v for k, v in values.items() if v not in (None, "", [])}
        audit.record(
            session,
            actor,
            f"{entity}.created",
            entity,
            row.id,
            {**shown, **{f"custom.{k}": v for k, v in custom.items()}},
        )
        return row

    row = cast(Record, current)
    if isinstance(row, Deal) and "stage_id" in values:
        target = values.pop("stage_id")
        if target != row.stage_id:
            pipelines.move_deal(session, actor, row.id, target)  # audited as a stage change
    changes = audit.diff({k: getattr(row, k) for k in values}, values)
    changes.update(
        {
            f"custom.{k}": [row.custom.get(k), custom.get(k)]
            for k in set(row.custom) | set(custom)
            if row.custom.get(k) != custom.get(k)
        }
    )
    for key, value in values.items():
        setattr(row, key, value)
    row.custom = custom  # a new dict, so SQLAlchemy sees the JSONB change
    session.add(row)
    if changes:
        audit.record(session, actor, f"{entity}.updated", entity, row.id, changes)
    return row


def update_cell(
    session: Session, actor: Actor, entity: str, record_id: uuid.UUID, key: str, raw: Any
) -> Record:
    """Change one field from a list view cell (`custom.<key>` for a custom field)."""
    if key.startswith("custom."):
        return save_record(session, actor, entity, record_id, {}, {key[len("custom.") :]: raw})
    field = builtin_fields.field_def(entity, key)
    if field is None or not field.inline:
        raise ValidationError({key: "That field cannot be edited in the list."})
    return save_record(session, actor, entity, record_id, {key: raw})


def related(
    session: Session, actor: Actor, entity: str, record_id: uuid.UUID
) -> dict[str, list[Record]]:
    """Records linked to one record: a company's contacts and deals, a contact's deals, a deal's
    contact and company."""
    require(actor.role, Perm.RECORD_READ)
    row = get_record(session, actor, entity, record_id)
    out: dict[str, list[Record]] = {"contacts": [], "companies": [], "deals": []}
    if isinstance(row, Company):
        out["contacts"] = list(
            session.exec(
                select(Contact)
                .where(Contact.company_id == row.id, col(Contact.deleted_at).is_(None))
                .order_by(col(Contact.first_name))
            ).all()
        )
    if isinstance(row, Company | Contact):
        column = col(Deal.company_id) if isinstance(row, Company) else col(Deal.contact_id)
        out["deals"] = list(
            session.exec(
                select(Deal)
                .where(column == row.id, col(Deal.deleted_at).is_(None))
                .order_by(col(Deal.created_at).desc())
            ).all()
        )
    if isinstance(row, Deal | Contact) and row.company_id:
        company = session.get(Company, row.company_id)
        if company is not None and company.deleted_at is None:
            out["companies"] = [company]
    if isinstance(row, Deal) and row.contact_id:
        contact = session.get(Contact, row.contact_id)
        if contact is not None and contact.deleted_at is None:
            out["contacts"] = [contact]
    return out
