"""Global search across contacts, companies and deals (the top bar's results as you type)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from crmapp.models.crm import Company, Contact, Deal
from crmapp.services.context import Actor
from crmapp.services.crm import contacts_query
from crmapp.services.permissions import Perm, require

PHONE_LIKE = re.compile(r"^[0-9+()\-. ]{4,}$")


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: str  # contact | company | deal
    title: str
    subtitle: str
    href: str


def search(session: Session, actor: Actor, term: str, *, limit: int = 5) -> list[Hit]:
    """Up to `limit` matches of each kind: contacts by name, email or phone; companies by name
    or domain; deals by title."""
    require(actor.role, Perm.RECORD_READ)
    term = term.strip()
    if len(term) < 2:
        return []
    hits: list[Hit] = []
    contacts = contacts_query(actor, term)
    digits = re.sub(r"\D", "", term)
    if PHONE_LIKE.match(term) and len(digits) >= 4:
        contacts = contacts_query(actor).where(
            func.regexp_replace(col(Contact.phone), r"\D", "", "g").contains(digits)
        )
    for contact in session.exec(contacts.limit(limit)).all():
        name = f"{contact.first_name} {contact.last_name}".strip()
        hits.append(Hit("contact", name, contact.email or contact.phone,
                        f"/crm/contacts/{contact.id}"))  # fmt: skip
    like = f"%{term}%"
    for company in session.exec(
        select(Company)
        .where(
            Company.org_id == actor.org_id,
            col(Company.deleted_at).is_(None),
            or_(col(Company.name).ilike(like), col(Company.domain).ilike(like)),
        )
        .limit(limit)
    ).all():
        hits.append(Hit("company", company.name, company.domain, "/crm/deals"))
    for deal in session.exec(
        select(Deal)
        .where(
            Deal.org_id == actor.org_id, col(Deal.deleted_at).is_(None), col(Deal.title).ilike(like)
        )
        .limit(limit)
    ).all():
        hits.append(Hit("deal", deal.title, f"{deal.value:,.0f} {deal.currency}", "/crm/deals"))
    return hits
