"""Global search across contacts, companies and deals (the top bar's results as you type).

Exact substring matches come first. When a kind has fewer than `limit` of them and the term is at
least four characters, typo-tolerant matches fill the rest: a row qualifies when at least half of
the term's trigrams occur in its searchable text ("hoper" finds Grace Hopper, "jon smith" finds John
Smith), ranked by how many do. pg_trgm is not in every PostgreSQL we run on (the embedded one lacks
it), so this uses our own `tandem_trigrams()`; for contacts the GIN index on their stored trigrams
(migration 0005) finds the candidates.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, cast, func, literal, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text
from sqlmodel import Session, col, select

from crmapp.models.crm import Company, Contact, Deal
from crmapp.services.context import Actor
from crmapp.services.crm import contacts_query
from crmapp.services.permissions import Perm, require

PHONE_LIKE = re.compile(r"^[0-9+()\-. ]{4,}$")
FUZZY_MIN_LENGTH = 4
FUZZY_SHARE = 0.5  # of the term's trigrams that must occur in a row


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: str  # contact | company | deal
    title: str
    subtitle: str
    href: str


def _trigrams(term: str) -> list[str]:
    text = term.lower()
    return sorted({text[i : i + 3] for i in range(len(text) - 2)})


def _shared(trigrams_expr: Any, grams: list[str]) -> Any:
    """How many of `grams` occur in the text[] `trigrams_expr`: a sum of containment tests,
    evaluated per candidate row without a subquery."""
    total: Any = literal(0)
    for gram in grams:
        total = total + cast(trigrams_expr.op("@>")(literal([gram], ARRAY(Text))), Integer)
    return total


def _fuzzy(
    session: Session, model: Any, base, trigrams_expr: Any, term: str, exclude: set[uuid.UUID],
    limit: int, *, indexed: bool,
) -> list[Any]:  # fmt: skip
    grams = _trigrams(term)
    if len(term) < FUZZY_MIN_LENGTH or not grams:
        return []
    need = max(2, math.ceil(len(grams) * FUZZY_SHARE))
    shared = _shared(trigrams_expr, grams)
    query = base.where(shared >= need)
    if indexed:
        # The GIN index finds candidates: rows sharing a trigram with every long word of the
        # term (a short word may be the misspelt one), or with the term when all are short.
        words = [w for w in term.split() if len(w) >= 5] or [term]
        for word in words:
            query = query.where(trigrams_expr.op("&&")(literal(_trigrams(word), ARRAY(Text))))
    if exclude:
        query = query.where(col(model.id).notin_(exclude))
    return list(session.exec(query.order_by(shared.desc(), col(model.created_at).desc())
                             .limit(limit)).all())  # fmt: skip


def search(session: Session, actor: Actor, term: str, *, limit: int = 5) -> list[Hit]:
    """Up to `limit` matches of each kind: contacts by name, email or phone; companies by name
    or domain; deals by title. Exact matches first, then typo-tolerant ones."""
    require(actor.role, Perm.RECORD_READ)
    term = term.strip()
    if len(term) < 2:
        return []
    hits: list[Hit] = []

    digits = re.sub(r"\D", "", term)
    if PHONE_LIKE.match(term) and len(digits) >= 4:
        contacts = list(
            session.exec(
                contacts_query(actor)
                .where(func.regexp_replace(col(Contact.phone), r"\D", "", "g").contains(digits))
                .limit(limit)
            ).all()
        )
    else:
        contacts = list(session.exec(contacts_query(actor, term).limit(limit)).all())
        if len(contacts) < limit:
            contacts += _fuzzy(
                session, Contact, contacts_query(actor), col(Contact.search_trigrams), term,
                {c.id for c in contacts}, limit - len(contacts), indexed=True,
            )  # fmt: skip
    for contact in contacts:
        name = f"{contact.first_name} {contact.last_name}".strip()
        hits.append(Hit("contact", name, contact.email or contact.phone,
                        f"/crm/contacts/{contact.id}"))  # fmt: skip

    like = f"%{term}%"
    live_companies = select(Company).where(
        Company.org_id == actor.org_id, col(Company.deleted_at).is_(None)
    )
    companies = list(
        session.exec(
            live_companies.where(
                or_(col(Company.name).ilike(like), col(Company.domain).ilike(like))
            ).limit(limit)
        ).all()
    )
    if len(companies) < limit:
        companies += _fuzzy(
            session, Company, live_companies,
            func.tandem_trigrams(col(Company.name) + " " + col(Company.domain)), term,
            {c.id for c in companies}, limit - len(companies), indexed=False,
        )  # fmt: skip
    for company in companies:
        hits.append(Hit("company", company.name, company.domain, f"/crm/companies/{company.id}"))

    live_deals = select(Deal).where(Deal.org_id == actor.org_id, col(Deal.deleted_at).is_(None))
    deals = list(session.exec(live_deals.where(col(Deal.title).ilike(like)).limit(limit)).all())
    if len(deals) < limit:
        deals += _fuzzy(
            session, Deal, live_deals, func.tandem_trigrams(col(Deal.title)), term,
            {d.id for d in deals}, limit - len(deals), indexed=False,
        )  # fmt: skip
    for deal in deals:
        hits.append(Hit("deal", deal.title, f"{deal.value:,.0f} {deal.currency}",
                        f"/crm/deals/{deal.id}"))  # fmt: skip
    return hits
