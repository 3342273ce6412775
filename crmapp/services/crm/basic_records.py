"""Contacts, companies and deals from a few typed arguments (`ContactInput`, a deal's title and
stage): what the seed data and the tests create records with, the contacts query the list views
filter, and the dashboard's headline numbers. Forms, inline edits and record pages write through
`records.save_record` instead."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from crmapp.models.base import utcnow
from crmapp.models.crm import Company, Contact, Deal, PipelineStage
from crmapp.services.crm import pipelines
from crmapp.services.crm.search import substring_candidates
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.auth import EMAIL_RE
from crmapp.services.tenancy.permissions import Perm, require

PAGE_SIZE = 25
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "title")


@dataclass(frozen=True)
class ContactInput:
    """The editable fields of a contact, as typed by the user."""

    first_name: str
    last_name: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""


def _clean_contact(data: ContactInput) -> dict[str, Any]:
    values = {f: (getattr(data, f) or "").strip() for f in CONTACT_FIELDS}
    values["email"] = values["email"].lower()
    problems = {}
    if not values["first_name"]:
        problems["first_name"] = "First name is required."
    if values["email"] and not EMAIL_RE.match(values["email"]):
        problems["email"] = "Enter a valid email address."
    if values["phone"] and not all(c.isdigit() or c in "+-() ." for c in values["phone"]):
        problems["phone"] = "Phone numbers use digits, spaces and + - ( ) only."
    if problems:
        raise ValidationError(problems)
    return values


def contacts_query(actor: Actor, search: str = "") -> SelectOfScalar[Contact]:
    """Live contacts of the actor's organisation matching `search` (name or email)."""
    query = select(Contact).where(Contact.org_id == actor.org_id, col(Contact.deleted_at).is_(None))
    term = search.strip()
    if term:
        like = f"%{term}%"
        query = query.where(
            or_(
                col(Contact.first_name).ilike(like),
                col(Contact.last_name).ilike(like),
                col(Contact.email).ilike(like),
            )
        )
        candidates = substring_candidates("contact", term)
        if candidates is not None:  # the trigram GIN index finds them; the ILIKE keeps it exact
            query = query.where(candidates)
    return query


def list_contacts(
    session: Session, actor: Actor, *, search: str = "", page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[Contact], int]:
    """One page of live contacts (newest first) matching `search`, and the total."""
    require(actor.role, Perm.RECORD_READ)
    query = contacts_query(actor, search)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Contact.created_at).desc(), col(Contact.id))
        .offset(max(0, page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)


def create_contact(session: Session, actor: Actor, data: ContactInput) -> Contact:
    """Add a contact owned by the actor."""
    require(actor.role, Perm.RECORD_CREATE)
    contact = Contact(org_id=actor.org_id, owner_id=actor.user_id, **_clean_contact(data))
    session.add(contact)
    audit.record(session, actor, "contact.created", "contact", contact.id, _clean_contact(data))
    return contact


def update_contact(
    session: Session, actor: Actor, contact_id: uuid.UUID, data: ContactInput
) -> Contact:
    """Change a contact's fields; the audit event lists what changed."""
    require(actor.role, Perm.RECORD_UPDATE)
    contact = session.exec(
        select(Contact).where(Contact.id == contact_id, Contact.org_id == actor.org_id)
    ).first()
    if contact is None or contact.deleted_at is not None:
        raise NotFound("Contact not found.")
    values = _clean_contact(data)
    changes = audit.diff({f: getattr(contact, f) for f in CONTACT_FIELDS}, values)
    for name, value in values.items():
        setattr(contact, name, value)
    session.add(contact)
    if changes:
        audit.record(session, actor, "contact.updated", "contact", contact.id, changes)
    return contact


def get_contact(
    session: Session, actor: Actor, contact_id: uuid.UUID
) -> tuple[Contact, Company | None]:
    """A live contact of the organisation, with its company."""
    require(actor.role, Perm.RECORD_READ)
    row = session.exec(
        select(Contact, Company)
        .join(Company, col(Company.id) == col(Contact.company_id), isouter=True)
        .where(
            Contact.id == contact_id,
            Contact.org_id == actor.org_id,
            col(Contact.deleted_at).is_(None),
        )
    ).first()
    if row is None:
        raise NotFound("Contact not found.")
    return row[0], row[1]


def create_company(session: Session, actor: Actor, *, name: str, domain: str = "") -> Company:
    """Add a company."""
    require(actor.role, Perm.RECORD_CREATE)
    if not name.strip():
        raise ValidationError({"name": "Company name is required."})
    company = Company(
        org_id=actor.org_id,
        name=name.strip(),
        domain=domain.strip().lower(),
        owner_id=actor.user_id,
    )
    session.add(company)
    audit.record(session, actor, "company.created", "company", company.id, {"name": company.name})
    return company


def create_deal(
    session: Session,
    actor: Actor,
    *,
    title: str,
    value: str | Decimal = "0",
    stage: str = "Lead",
    contact_id: uuid.UUID | None = None,
    company_id: uuid.UUID | None = None,
    currency: str = "USD",
) -> Deal:
    """Add a deal to the default pipeline, in the stage named `stage`."""
    require(actor.role, Perm.RECORD_CREATE)
    problems = {}
    if not title.strip():
        problems["title"] = "Deal title is required."
    try:
        amount = Decimal(str(value).replace(",", "").strip() or "0")
        if amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        problems["value"] = "Value must be a positive number, like 12500 or 12,500.00."
        amount = Decimal(0)
    if len(currency.strip()) != 3 or not currency.strip().isalpha():
        problems["currency"] = "Currency is a three-letter code such as USD or EUR."
    try:
        target = pipelines.stage_named(session, actor, stage)
    except ValidationError as err:
        problems.update(err.fields)
    if problems:
        raise ValidationError(problems)
    deal = Deal(
        org_id=actor.org_id,
        title=title.strip(),
        value=amount,
        currency=currency.strip().upper(),
        pipeline_id=target.pipeline_id,
        stage_id=target.id,
        probability=target.probability,
        contact_id=contact_id,
        company_id=company_id,
        owner_id=actor.user_id,
    )
    if target.kind in ("won", "lost"):  # created already closed: record when and by whom
        deal.closed_at, deal.closed_by = utcnow(), actor.user_id
    session.add(deal)
    audit.record(
        session,
        actor,
        "deal.created",
        "deal",
        deal.id,
        {"title": deal.title, "value": str(amount), "stage": target.name},
    )
    return deal


def list_deals(
    session: Session, actor: Actor, *, contact_id: uuid.UUID | None = None
) -> list[tuple[Deal, PipelineStage]]:
    """Live deals with their stage, newest first (optionally one contact's)."""
    require(actor.role, Perm.RECORD_READ)
    query = (
        select(Deal, PipelineStage)
        .join(PipelineStage, col(PipelineStage.id) == col(Deal.stage_id))
        .where(Deal.org_id == actor.org_id, col(Deal.deleted_at).is_(None))
        .order_by(col(Deal.created_at).desc())
    )
    if contact_id is not None:
        query = query.where(Deal.contact_id == contact_id)
    return [(deal, stage) for deal, stage in session.exec(query).all()]


@dataclass(frozen=True)
class DashboardSummary:
    """Headline numbers for the dashboard."""

    contacts: int
    open_deals: int
    open_value: Decimal
    won_value: Decimal


def dashboard_summary(session: Session, actor: Actor) -> DashboardSummary:
    """Counts and pipeline value for the organisation."""
    require(actor.role, Perm.RECORD_READ)
    contacts = session.exec(
        select(func.count()).where(
            Contact.org_id == actor.org_id, col(Contact.deleted_at).is_(None)
        )
    ).one()

    def by_kind(kind: str):
        return (
            select(func.count(), func.coalesce(func.sum(Deal.value), 0))
            .join(PipelineStage, col(PipelineStage.id) == col(Deal.stage_id))
            .where(
                Deal.org_id == actor.org_id,
                col(Deal.deleted_at).is_(None),
                PipelineStage.kind == kind,
            )
        )

    open_deals, open_value = session.exec(by_kind("open")).one()
    _won, won_value = session.exec(by_kind("won")).one()
    return DashboardSummary(int(contacts), int(open_deals), Decimal(open_value), Decimal(won_value))
