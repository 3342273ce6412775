"""What a CSV row means for each kind of record: columns, guesses, checks, dedupe, and saving.

Contacts are matched on email, companies on domain (the dedupe policy decides: skip, update or
create); deals have no natural key and are always created. Every record made by an import carries
`<file sha256>:<row number>` in `import_ref`, so a rerun of the same file never creates it twice.
Values are checked with the same field table the forms use (`builtin_fields`), so a row is refused
for the reason a form would give, plus what only files get wrong (ragged rows, encoding, unknown
stages).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Company, Contact, Deal, PipelineStage
from crmapp.models.imports import ImportJob
from crmapp.services.crm import builtin_fields
from crmapp.services.crm.builtin_fields import FieldDef
from crmapp.services.platform.actor import Actor


@dataclass(frozen=True)
class Target:
    """A field a CSV column can fill."""

    key: str
    label: str
    guesses: tuple[str, ...]


@dataclass(frozen=True)
class EntitySpec:
    """The importable fields of one record type."""

    entity: str
    noun: str
    targets: tuple[Target, ...]
    required: tuple[str, ...]  # at least one of these must be mapped
    match_on: str  # "" when rows are never matched to existing records
    match_label: str


SPECS = {
    "contact": EntitySpec(
        "contact",
        "contact",
        (
            Target(
                "first_name",
                "First name",
                ("first name", "firstname", "given name", "forename", "first"),
            ),
            Target(
                "last_name",
                "Last name",
                ("last name", "lastname", "surname", "family name", "last"),
            ),
            Target("full_name", "Full name (split)", ("name", "full name", "contact name")),
            Target("email", "Email", ("email", "e-mail", "email address", "mail", "work email")),
            Target("phone", "Phone", ("phone", "phone number", "telephone", "mobile", "tel")),
            Target("title", "Job title", ("title", "job title", "position", "role")),
            Target(
                "company",
                "Company (found or created by name)",
                ("company", "organisation", "organization", "account", "company name"),
            ),
            Target("tags", "Tags (comma separated)", ("tags", "labels")),
            Target("source", "Source", ("source", "lead source")),
            Target("lifecycle_stage", "Lifecycle stage", ("lifecycle", "lifecycle stage")),
        ),
        ("first_name", "full_name"),
        "email",
        "email matches a contact",
    ),
    "company": EntitySpec(
        "company",
        "company",
        (
            Target("name", "Name", ("name", "company", "company name", "account", "organisation")),
            Target("domain", "Domain", ("domain", "website", "web", "url", "site")),
            Target("industry", "Industry", ("industry", "sector", "vertical")),
            Target("size", "Size", ("size", "employees", "company size", "headcount")),
            Target("phone", "Phone", ("phone", "telephone", "tel")),
            Target("address", "Address", ("address", "street", "location")),
            Target("tags", "Tags (comma separated)", ("tags", "labels")),
        ),
        ("name",),
        "domain",
        "domain matches a company",
    ),
    "deal": EntitySpec(
        "deal",
        "deal",
        (
            Target("title", "Title", ("title", "deal", "deal name", "name", "opportunity")),
            Target("value", "Value", ("value", "amount", "deal value", "price")),
            Target("currency", "Currency", ("currency", "cur")),
            Target("stage", "Stage (by name)", ("stage", "deal stage", "status")),
            Target(
                "expected_close_date",
                "Expected close (YYYY-MM-DD)",
                ("close date", "expected close", "closing date", "close"),
            ),
            Target("probability", "Probability %", ("probability", "likelihood")),
            Target(
                "company",
                "Company (found or created by name)",
                ("company", "account", "organisation", "organization"),
            ),
            Target(
                "contact_email",
                "Contact email (found by email)",
                ("contact email", "email", "contact"),
            ),
            Target("products", "Products (comma separated)", ("products", "product")),
            Target("tags", "Tags (comma separated)", ("tags", "labels")),
        ),
        ("title",),
        "",
        "",
    ),
}


CONTACT_EMAIL = FieldDef("contact_email", "Contact email", "email")


def spec(entity: str) -> EntitySpec:
    """The spec of `entity` (contacts when unknown)."""
    return SPECS.get(entity, SPECS["contact"])


def _norm(header: str) -> str:
    return re.sub(r"[^a-z]+", "", header.lower())


def guess_mapping(entity: str, headers: list[str]) -> list[str]:
    """For each column, the field it most likely holds ("" to ignore it)."""
    used: set[str] = set()
    mapping = []
    for header in headers:
        normalized = _norm(header)
        target = next(
            (
                t.key
                for t in spec(entity).targets
                if normalized in {_norm(n) for n in t.guesses} and t.key not in used
            ),
            "",
        )
        used.add(target)
        mapping.append(target)
    return mapping


def _values(row: list[str], columns: list[str]) -> dict[str, str]:
    values = {t: row[i].strip() for i, t in enumerate(columns) if t and i < len(row)}
    if "full_name" in values:
        first, _, last = values.pop("full_name").partition(" ")
        values.setdefault("first_name", first)
        values.setdefault("last_name", last.strip())
    return values


def check_row(
    entity: str, row: list[str], width: int, columns: list[str], stages: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The row's typed values, or the reason it is refused.

    `stages` maps lower-case stage names to stages (deals only).
    """
    if len(row) != width:
        return {}, f"Row has {len(row)} columns; the header has {width}."
    if any("\x00" in cell for cell in row):  # PostgreSQL text cannot hold it
        return {}, "Contains a NUL character (a binary byte): remove it and try again."
    if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
        return {}, "Not UTF-8 text: save the file as CSV UTF-8."
    raw = _values(row, columns)
    values: dict[str, Any] = {}
    for key, text in raw.items():
        if key == "company" or key == "contact_email":
            if key == "contact_email" and text:
                try:
                    values[key] = builtin_fields.parse(CONTACT_EMAIL, text)
                except ValueError as err:
                    return {}, f"{err} Got {text!r}."
            else:
                values[key] = text[:200]
            continue
        if key == "stage":
            if text and text.lower() not in stages:
                known = ", ".join(s.name for s in stages.values())
                return {}, f"Unknown stage {text!r}; the stages are: {known}."
            values["stage"] = stages.get(text.lower())
            continue
        field = builtin_fields.field_def(entity, key)
        if field is None:
            continue
        if field.required and not text:
            return {}, f"{field.label} is empty."
        try:
            values[key] = builtin_fields.parse(field, text)
        except ValueError as err:
            return {}, f"{err} Got {text!r}." if text else str(err)
    for key in spec(entity).required:
        if key in ("first_name", "full_name"):
            continue
        if not values.get(key):
            return {}, f"{builtin_fields.field_def(entity, key).label} is empty."  # type: ignore[union-attr]
    if entity == "contact" and not values.get("first_name"):
        return {}, "First name is empty."
    return values, ""


class RowContext:
    """Lookups shared by the rows of one batch: existing matches, rows already imported,
    companies by name, contacts by email, stages by name."""

    def __init__(self, session: Session, job: ImportJob, rows: list[dict[str, Any]]):
        self.session, self.job = session, job
        model: Any = {"contact": Contact, "company": Company, "deal": Deal}[job.entity]
        self.model = model
        self.match: dict[str, Any] = {}
        key = spec(job.entity).match_on
        wanted = {v[key].lower() for v in rows if key and v.get(key)}
        if wanted:
            column = getattr(model, key)
            record: Any
            for record in session.exec(
                select(model).where(
                    model.org_id == job.org_id,
                    col(model.deleted_at).is_(None),
                    func.lower(column).in_(wanted),
                )
            ).all():
                self.match.setdefault(getattr(record, key).lower(), record)
        self.companies = self._by_name(Company, "name", {v.get("company", "") for v in rows})
        self.contacts = self._by_name(Contact, "email", {v.get("contact_email", "") for v in rows})

    def _by_name(self, model: Any, attr: str, names: set[str]) -> dict[str, uuid.UUID]:
        names = {n.lower() for n in names if n}
        if not names:
            return {}
        found: dict[str, uuid.UUID] = {}
        for record_id, value in self.session.exec(
            select(model.id, getattr(model, attr)).where(
                model.org_id == self.job.org_id,
                col(model.deleted_at).is_(None),
                func.lower(getattr(model, attr)).in_(names),
            )
        ).all():
            found.setdefault(value.lower(), record_id)
        return found

    def done_refs(self, refs: list[str]) -> set[str]:
        """The import refs of these rows that already made a record."""
        return set(
            self.session.exec(
                select(self.model.import_ref).where(
                    self.model.org_id == self.job.org_id, col(self.model.import_ref).in_(refs)
                )
            ).all()
        )

    def company_id(self, name: str, actor: Actor) -> uuid.UUID | None:
        """The company called `name` (any case), created on first sight."""
        if not name:
            return None
        key = name.lower()
        if key not in self.companies:
            company = Company(org_id=actor.org_id, name=name[:200], owner_id=actor.user_id)
            self.session.add(company)
            self.companies[key] = company.id
        return self.companies[key]


def apply_row(
    ctx: RowContext, actor: Actor, values: dict[str, Any], ref: str, default_stage: Any
) -> str:
    """Create or update one record from a checked row; returns created | updated | skipped."""
    job, entity = ctx.job, ctx.job.entity
    key = spec(entity).match_on
    existing = ctx.match.get(values[key].lower()) if key and values.get(key) else None
    if existing is not None and job.policy == "skip":
        return "skipped"
    fields = {k: v for k, v in values.items() if builtin_fields.field_def(entity, k) is not None}
    if "company" in values:
        fields["company_id"] = ctx.company_id(values["company"], actor)
    if values.get("contact_email"):
        fields["contact_id"] = ctx.contacts.get(values["contact_email"])
    if existing is not None and job.policy == "update":
        for name, value in fields.items():
            if value not in (None, "", []):
                setattr(existing, name, value)
        ctx.session.add(existing)
        return "updated"
    if entity == "deal":
        stage = values.get("stage") or default_stage
        fields.update(pipeline_id=stage.pipeline_id, stage_id=stage.id)
        if fields.get("probability") is None:
            fields["probability"] = stage.probability
        if stage.kind in ("won", "lost"):
            fields.update(closed_at=utcnow(), closed_by=actor.user_id)
        fields.pop("stage", None)
    record = ctx.model(org_id=job.org_id, owner_id=actor.user_id, import_ref=ref, **fields)
    ctx.session.add(record)
    if key and getattr(record, key, ""):
        ctx.match.setdefault(getattr(record, key).lower(), record)
    if entity == "company":
        ctx.companies.setdefault(record.name.lower(), record.id)
    return "created"


def stages_by_name(session: Session, org_id: uuid.UUID) -> tuple[dict[str, Any], Any]:
    """The default pipeline's stages by lower-case name, and its first open stage."""
    from crmapp.models.crm import Pipeline

    pipeline = session.exec(
        select(Pipeline)
        .where(Pipeline.org_id == org_id)
        .order_by(col(Pipeline.is_default).desc(), col(Pipeline.created_at))
    ).first()
    if pipeline is None:
        return {}, None
    stages = session.exec(
        select(PipelineStage)
        .where(PipelineStage.pipeline_id == pipeline.id)
        .order_by(col(PipelineStage.position))
    ).all()
    first_open = next((s for s in stages if s.kind == "open"), stages[0] if stages else None)
    return {s.name.lower(): s for s in stages}, first_open
