"""List views of contacts, companies and deals: columns, filters, sort, pages, CSV export.

A `ListSpec` (search, filters, sort) is what a saved view stores and what the list page, the CSV
export and bulk "select all matching" share, so the three always agree on which rows are meant.
Custom fields are columns like any other: filtered and sorted in SQL on the JSONB values.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Numeric, and_, func, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from crmapp.models.crm import Company, Contact, Deal, PipelineStage
from crmapp.models.tenancy import User
from crmapp.models.views import CustomField
from crmapp.services.crm import builtin_fields, custom_fields
from crmapp.services.crm.basic_records import contacts_query
from crmapp.services.crm.records import label, model_for
from crmapp.services.crm.search import substring_candidates
from crmapp.services.platform import csvfile
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.tenancy.permissions import Perm, require

PAGE_SIZE = 25
OPS = {
    "contains": "contains",
    "is": "is",
    "empty": "is empty",
    "has": "has",
    "gte": "on or after / at least",
    "lte": "on or before / at most",
}
TEXT_KINDS = {"text", "longtext", "email", "phone", "domain", "currency"}
REF_KINDS = {"user", "company", "contact", "stage"}


@dataclass(frozen=True)
class ListColumn:
    """A column of a list view."""

    key: str
    label: str
    kind: str
    options: tuple[str, ...] = ()
    inline: bool = False
    custom: bool = False
    labels: tuple[str, ...] = ()  # what each of `options` reads as (default: the option)

    def choices(self) -> list[list[str]]:
        """`[value, label]` for each option."""
        return [
            [o, self.labels[i] if i < len(self.labels) else o] for i, o in enumerate(self.options)
        ]


@dataclass
class ListSpec:
    """What a list shows: a search term, filters (field, op, value) and a sort."""

    search: str = ""
    filters: list[dict[str, str]] = field(default_factory=list)
    sort: str = "created_at"
    desc: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ListSpec:
        data = data or {}
        filters = [
            {k: str(f.get(k, "")) for k in ("field", "op", "value")}
            for f in data.get("filters") or []
            if isinstance(f, dict)
        ]
        return cls(
            search=str(data.get("search") or ""),
            filters=filters,
            sort=str(data.get("sort") or "created_at"),
            desc=bool(data.get("desc", True)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (filters keep only field, op and value)."""
        return {
            "search": self.search,
            "filters": [
                {k: str(f.get(k, "")) for k in ("field", "op", "value")} for f in self.filters
            ],
            "sort": self.sort,
            "desc": self.desc,
        }


@dataclass(frozen=True)
class ListPage:
    """One page of rows (display strings keyed by column key, plus `id`) and the total."""

    columns: list[ListColumn]
    rows: list[dict[str, str]]
    total: int
    page: int
    pages: int


def columns(
    session: Session, actor: Actor, entity: str, defs: list[CustomField] | None = None
) -> list[ListColumn]:
    """The columns of `entity`'s list: built-in fields, custom fields, then Created."""
    require(actor.role, Perm.RECORD_READ)
    model_for(entity)
    out = [
        ListColumn(f.key, f.label, f.kind, f.options, f.inline, labels=f.labels)
        for f in builtin_fields.FIELDS[entity]
        if f.in_list
    ]
    for cf in custom_fields.list_fields(session, actor, entity) if defs is None else defs:
        out.append(
            ListColumn(
                f"custom.{cf.key}",
                cf.label,
                cf.field_type,
                tuple(cf.options),
                inline=True,
                custom=True,
            )
        )
    out.append(ListColumn("created_at", "Created", "datetime"))
    return out


def _custom_expr(model: Any, cf: CustomField) -> ColumnElement:
    raw = model.custom[cf.key].astext
    if cf.field_type == "number":
        return raw.cast(Numeric)
    return raw


def _sort_expr(model: Any, entity: str, key: str, customs: dict[str, CustomField]):
    if key.startswith("custom.") and key[7:] in customs:
        return _custom_expr(model, customs[key[7:]])
    fd = builtin_fields.field_def(entity, key)
    if key == "created_at" or fd is None:
        return col(model.created_at)
    if fd.kind == "user":
        return select(User.name).where(User.id == model.owner_id).scalar_subquery()
    if fd.kind == "company":
        return select(Company.name).where(Company.id == model.company_id).scalar_subquery()
    if fd.kind == "contact":
        return select(Contact.first_name).where(Contact.id == model.contact_id).scalar_subquery()
    if fd.kind == "stage":
        return select(PipelineStage.position).where(PipelineStage.id == model.stage_id)
    if fd.kind in TEXT_KINDS:
        return func.lower(getattr(model, key))
    return getattr(model, key)


def _parse_number(value: str, what: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", "").strip())
        if not number.is_finite():
            raise InvalidOperation
        return number
    except InvalidOperation:
        raise ValidationError({"filters": f"{what}: enter a number."}) from None


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({"filters": f"{what}: enter a date as YYYY-MM-DD."}) from None


def _filter_expr(
    model: Any, entity: str, flt: dict[str, str], customs: dict[str, CustomField]
) -> ColumnElement:
    key, op, value = flt.get("field", ""), flt.get("op", "is"), (flt.get("value") or "").strip()
    if key.startswith("custom.") and key[7:] in customs:
        cf = customs[key[7:]]
        raw = model.custom[cf.key].astext
        if op == "empty":
            return or_(raw.is_(None), raw == "")
        if cf.field_type == "number":
            number = _parse_number(value, cf.label)
            expr = raw.cast(Numeric)
            return {"gte": expr >= number, "lte": expr <= number}.get(op, expr == number)
        if cf.field_type == "date":
            day = _parse_date(value, cf.label).isoformat()
            return {"gte": raw >= day, "lte": raw <= day}.get(op, raw == day)
        if cf.field_type == "text" and op == "contains":
            return raw.ilike(f"%{value}%")
        return raw == value
    if key == "created_at":
        start = datetime.combine(_parse_date(value, "Created"), time.min, tzinfo=UTC)
        column = col(model.created_at)
        return column < start + timedelta(days=1) if op == "lte" else column >= start
    fd = builtin_fields.field_def(entity, key)
    if fd is None:
        raise ValidationError({"filters": f"There is no field “{key}” to filter on."})
    column = getattr(model, key)
    if op == "empty":
        if fd.kind in ("tags", "emails", "phones"):
            return func.cardinality(column) == 0
        if fd.kind in REF_KINDS or fd.kind in ("date", "percent"):
            return column.is_(None)
        return or_(column.is_(None), column == "")
    if fd.kind in ("tags", "emails", "phones"):
        return column.contains([value])  # `@>`: the GIN index on tags serves it
    if fd.kind in REF_KINDS:
        try:
            return column == uuid.UUID(value)
        except ValueError:
            raise ValidationError({"filters": f"{fd.label}: choose one from the list."}) from None
    if fd.kind in ("money", "percent"):
        number = _parse_number(value, fd.label)
        return {"gte": column >= number, "lte": column <= number}.get(op, column == number)
    if fd.kind == "date":
        when = _parse_date(value, fd.label)
        return {"gte": column >= when, "lte": column <= when}.get(op, column == when)
    if op == "contains":
        return column.ilike(f"%{value}%")
    if fd.kind == "select":
        return column == value
    return func.lower(column) == value.lower()


def query(
    session: Session,
    actor: Actor,
    entity: str,
    spec: ListSpec,
    defs: list[CustomField] | None = None,
    *,
    ordered: bool = True,
):
    """The SELECT of live records of `entity` matching `spec`, sorted unless not `ordered` (no
    paging)."""
    require(actor.role, Perm.RECORD_READ)
    model: Any = model_for(entity)
    if defs is None:
        defs = custom_fields.list_fields(session, actor, entity)
    customs = {cf.key: cf for cf in defs}
    term = spec.search.strip()
    if entity == "contact":
        stmt = contacts_query(actor, term)
    else:
        stmt = select(model).where(model.org_id == actor.org_id, col(model.deleted_at).is_(None))
        if term:
            like = f"%{term}%"
            stmt = stmt.where(
                or_(col(Company.name).ilike(like), col(Company.domain).ilike(like))
                if entity == "company"
                else col(Deal.title).ilike(like)
            )
            candidates = substring_candidates(entity, term)
            if candidates is not None:  # indexed, as contacts_query; the ILIKE keeps it exact
                stmt = stmt.where(candidates)
    conditions = [_filter_expr(model, entity, f, customs) for f in spec.filters if f.get("field")]
    stmt = stmt.where(and_(true(), *conditions))
    if not ordered:
        return stmt
    order = _sort_expr(model, entity, spec.sort, customs)
    is_custom = spec.sort.startswith("custom.") and spec.sort[7:] in customs
    if not is_custom and builtin_fields.field_def(entity, spec.sort) is None:
        # created_at (also the fallback for unknown keys) is never null: a plain order lets the
        # (org_id, created_at DESC, id) index serve the page.
        order = order.desc() if spec.desc else order.asc()
    else:
        order = order.desc().nulls_last() if spec.desc else order.asc().nulls_last()
    return stmt.order_by(order, col(model.id))


def _names(session: Session, model: Any, ids: set[uuid.UUID], name_of) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.exec(select(model).where(col(model.id).in_(ids))).all()
    return {r.id: name_of(r) for r in rows}


def _rows(
    session: Session, entity: str, records: list[Any], cols: list[ListColumn]
) -> list[dict[str, str]]:
    def ids(attr: str) -> set[uuid.UUID]:
        return {getattr(r, attr) for r in records if getattr(r, attr, None)}

    users = _names(session, User, ids("owner_id"), lambda u: u.name)
    companies = _names(session, Company, ids("company_id"), lambda c: c.name)
    contacts = _names(
        session, Contact, ids("contact_id"), lambda c: f"{c.first_name} {c.last_name}".strip()
    )
    stages = _names(session, PipelineStage, ids("stage_id"), lambda s: s.name)
    refs = {
        "user": ("owner_id", users),
        "company": ("company_id", companies),
        "contact": ("contact_id", contacts),
        "stage": ("stage_id", stages),
    }
    out = []
    for record in records:
        row = {"id": str(record.id), "label": label(record)}
        for c in cols:
            if c.custom:
                value = record.custom.get(c.key[7:])
                row[c.key] = (
                    ""
                    if value is None
                    else (
                        f"{value:,}"
                        if c.kind == "number" and isinstance(value, int | float)
                        else str(value)
                    )
                )
            elif c.kind in refs:
                attr, names = refs[c.kind]
                row[c.key] = names.get(getattr(record, attr), "")
                row[f"{c.key}__raw"] = str(getattr(record, attr) or "")
            elif c.key == "created_at":
                row[c.key] = record.created_at.strftime("%Y-%m-%d")
            else:
                fd = builtin_fields.field_def(entity, c.key)
                assert fd is not None
                row[c.key] = builtin_fields.display(fd, getattr(record, c.key))
        out.append(row)
    return out


def list_page(
    session: Session,
    actor: Actor,
    entity: str,
    spec: ListSpec,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ListPage:
    """One page of `entity` under `spec`, with display strings for every column."""
    defs = custom_fields.list_fields(session, actor, entity)
    cols = columns(session, actor, entity, defs)
    stmt = query(session, actor, entity, spec, defs)
    unordered = query(session, actor, entity, spec, defs, ordered=False)
    total = int(session.exec(select(func.count()).select_from(unordered.subquery())).one())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    records = list(session.exec(stmt.offset((page - 1) * page_size).limit(page_size)).all())
    return ListPage(cols, _rows(session, entity, records, cols), total, page, pages)


def matching_ids(session: Session, actor: Actor, entity: str, spec: ListSpec) -> list[uuid.UUID]:
    """The ids of every record matching `spec` (for "select all N matching")."""
    model: Any = model_for(entity)
    stmt = query(session, actor, entity, spec).with_only_columns(col(model.id))
    return list(session.exec(stmt).all())  # type: ignore[arg-type]


def export_csv(session: Session, actor: Actor, entity: str, spec: ListSpec) -> str:
    """Every record matching `spec` as CSV: all built-in fields, then custom fields."""
    require(actor.role, Perm.RECORD_READ)
    cols = [ListColumn(f.key, f.label, f.kind) for f in builtin_fields.FIELDS[entity]]
    cols += [c for c in columns(session, actor, entity) if c.custom or c.key == "created_at"]
    writer = csvfile.Writer()
    writer.writerow([c.label for c in cols])
    stmt = query(session, actor, entity, spec)
    offset = 0
    while True:  # in chunks, so a big export does not hold every row in memory at once
        batch = list(session.exec(stmt.offset(offset).limit(1000)).all())
        if not batch:
            break
        for row in _rows(session, entity, batch, cols):
            writer.writerow([row.get(c.key, "") for c in cols])
        offset += len(batch)
    return writer.getvalue()
