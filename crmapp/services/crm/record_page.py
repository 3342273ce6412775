"""What a record page shows: a header and every field (built-in and custom) as text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from crmapp import routes
from crmapp.models.crm import Company, Contact, Deal, PipelineStage
from crmapp.models.tenancy import User
from crmapp.services.crm import builtin_fields, custom_fields
from crmapp.services.crm.records import Record, label
from crmapp.services.platform.actor import Actor

KINDS = {Contact: "contact", Company: "company", Deal: "deal"}


@dataclass(frozen=True)
class PageData:
    """The header (title, subtitle, badge, owner) and the labelled field values."""

    header: dict[str, str]
    details: list[dict[str, str]]


def link(row: Record) -> dict[str, str]:
    """A related record as a link with a one-line summary."""
    if isinstance(row, Deal):
        sub = f"{row.value:,.0f} {row.currency}"
    elif isinstance(row, Contact):
        sub = row.email or row.title
    else:
        sub = row.domain
    return {"label": label(row), "href": routes.record(KINDS[type(row)], row.id), "sub": sub}


def _reference(session: Session, kind: str, value: Any) -> str:
    if value is None:
        return ""
    model: Any = {"user": User, "company": Company, "contact": Contact, "stage": PipelineStage}[
        kind
    ]
    row = session.get(model, value)
    if row is None:
        return ""
    return row.name if kind in ("user", "company", "stage") else label(row)


def describe(session: Session, actor: Actor, entity: str, row: Record) -> PageData:
    """The page data of one record (the caller has checked it is the actor's)."""
    details = []
    for field in builtin_fields.FIELDS[entity]:
        value = getattr(row, field.key)
        if field.kind in ("user", "company", "contact", "stage"):
            text = _reference(session, field.kind, value)
        else:
            text = builtin_fields.display(field, value)
        details.append({"key": field.key, "label": field.label, "value": text})
    for cf in custom_fields.list_fields(session, actor, entity):
        details.append(
            {
                "key": f"custom.{cf.key}",
                "label": cf.label,
                "value": custom_fields.display(cf, row.custom.get(cf.key)),
            }
        )
    values = {d["key"]: d["value"] for d in details}
    if isinstance(row, Contact):
        subtitle = " · ".join(v for v in (row.title, values["company_id"]) if v)
        badge = values["lifecycle_stage"]
    elif isinstance(row, Company):
        subtitle = " · ".join(v for v in (row.domain, row.industry, row.size) if v)
        badge = ", ".join(row.tags)
    else:
        subtitle = f"{row.value:,.2f} {row.currency}"
        badge = values["stage_id"]
    header = {
        "id": str(row.id),
        "title": label(row),
        "subtitle": subtitle,
        "badge": badge,
        "owner": values.get("owner_id", ""),
        "email": getattr(row, "email", "") if isinstance(row, Contact) else "",
        "phone": row.phone if isinstance(row, Contact | Company) else "",
        "initials": "".join(p[0] for p in label(row).split()[:2]).upper() or "?",
    }
    return PageData(header, details)
