"""What record forms need: choices for reference fields, and a record's values as form text."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from crmapp.models.crm import Company, Contact, Pipeline, PipelineStage
from crmapp.services.crm import builtin_fields
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy import orgs
from crmapp.services.tenancy.permissions import Perm, require

MAX_CHOICES = 500  # a select beyond this is unusable; search-as-you-type is the way then


def reference_options(
    session: Session, actor: Actor, entity: str
) -> dict[str, list[dict[str, str]]]:
    """`{kind: [{id, name}]}` for the reference fields of `entity` (company, contact, stage,
    user)."""
    require(actor.role, Perm.RECORD_READ)
    kinds = {f.kind for f in builtin_fields.FIELDS[entity]}
    out: dict[str, list[dict[str, str]]] = {"company": [], "contact": [], "stage": [], "user": []}
    if "company" in kinds:
        out["company"] = [
            {"id": str(c.id), "name": c.name}
            for c in session.exec(
                select(Company)
                .where(Company.org_id == actor.org_id, col(Company.deleted_at).is_(None))
                .order_by(col(Company.name))
                .limit(MAX_CHOICES)
            ).all()
        ]
    if "contact" in kinds:
        out["contact"] = [
            {"id": str(c.id), "name": f"{c.first_name} {c.last_name}".strip()}
            for c in session.exec(
                select(Contact)
                .where(Contact.org_id == actor.org_id, col(Contact.deleted_at).is_(None))
                .order_by(col(Contact.first_name), col(Contact.last_name))
                .limit(MAX_CHOICES)
            ).all()
        ]
    if "stage" in kinds:
        rows = session.exec(
            select(PipelineStage, Pipeline)
            .join(Pipeline, col(Pipeline.id) == col(PipelineStage.pipeline_id))
            .where(PipelineStage.org_id == actor.org_id)
            .order_by(
                col(Pipeline.is_default).desc(), col(Pipeline.name), col(PipelineStage.position)
            )
        ).all()
        several = len({p.id for _, p in rows}) > 1
        out["stage"] = [
            {"id": str(s.id), "name": f"{p.name} · {s.name}" if several else s.name}
            for s, p in rows
        ]
    if "user" in kinds:
        out["user"] = [
            {"id": m.user_id, "name": m.name or m.email} for m in orgs.list_members(session, actor)
        ]
    return out


def blank_form(entity: str, owner_id: str) -> dict[str, str]:
    """An empty form for a new record, owned by `owner_id`."""
    values = {f.key: "" for f in builtin_fields.FIELDS[entity]}
    values["owner_id"] = owner_id
    if entity == "contact":
        values["lifecycle_stage"] = "lead"
    if entity == "deal":
        values["currency"] = "USD"
    return values


def _text(field: builtin_fields.FieldDef, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ("\n" if field.kind in ("emails", "phones") else ", ").join(value)
    if field.kind == "money":
        return f"{value:.2f}"
    return str(value)


def form_values(entity: str, row: Any) -> dict[str, str]:
    """A record's built-in and custom values as the strings a form shows."""
    values = {f.key: _text(f, getattr(row, f.key)) for f in builtin_fields.FIELDS[entity]}
    values.update({f"custom.{k}": str(v) for k, v in (row.custom or {}).items()})
    return values
