"""Hybrid search over the knowledge base, and the passages for each section of a proposal.

Two rankings of the organisation's current passages: cosine distance of the embedded query
through the HNSW index, and PostgreSQL full-text rank over the generated `tsv` column (title and
heading weigh more than the body) through its GIN index. They are fused by reciprocal rank
(Cormack et al. 2009: a passage's score is the sum over rankings of 1 / (60 + rank)), so a
passage either ranking finds high comes first. Both queries run in the tenant session (row-level
security) and filter by organisation too. Archived documents, and documents past their
valid-until date, are never returned unless asked for.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.kb import ARCHIVED, KBDocument
from crmapp.services.ai import embeddings
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy.permissions import Perm, require

RRF_K = 60
CANDIDATES = 40  # from each ranking, before fusion
MAX_TERMS = 40


@dataclass(frozen=True)
class Passage:
    """A search hit. `score` is the fused score scaled so that first in both rankings is 1."""

    document_id: str
    title: str
    text: str
    score: float
    chunk_id: str = ""
    heading: str = ""
    kind: str = ""


def _eligible(
    session: Session, org_id: uuid.UUID, kinds: Sequence[str] | None, include_archived: bool
) -> dict[str, tuple[str, str]]:
    """The documents a search may return from: id → (title, kind)."""
    query = select(KBDocument.id, KBDocument.title, KBDocument.kind).where(
        KBDocument.org_id == org_id, KBDocument.status == "ready"
    )
    if kinds:
        query = query.where(col(KBDocument.kind).in_(list(kinds)))
    if not include_archived:
        today = utcnow().date()
        query = query.where(
            KBDocument.lifecycle != ARCHIVED,
            (col(KBDocument.valid_until).is_(None)) | (col(KBDocument.valid_until) >= today),
        )
    return {str(i): (t, k) for i, t, k in session.exec(query).all()}


def _tsquery(query: str) -> str:
    """Any of the query's words (to_tsquery drops stop words and stems the rest); words are
    letters and digits only, so nothing the user typed is tsquery syntax."""
    words = list(dict.fromkeys(re.findall(r"[^\W_]+", query.lower())))[:MAX_TERMS]
    return " | ".join(words)


def _vector_ranking(
    session: Session, org: str, docs: list[str], query: str, currency_sql: str, n: int
) -> list[str]:
    made = embeddings.query(query)
    dim = int(made.dim)  # an integer from the model: safe to put in the SQL text
    session.exec(text("SET LOCAL hnsw.ef_search = 100"))  # type: ignore[call-overload]
    rows = session.exec(  # type: ignore[call-overload]
        text(
            f"SELECT id FROM kb_chunk WHERE org_id = :org AND embed_dim = {dim}"
            f" AND embed_model = :model AND document_id = ANY(CAST(:docs AS uuid[])){currency_sql}"
            f" ORDER BY embedding::vector({dim}) <=> CAST(:q AS vector({dim})) LIMIT :n"
        ),
        params={"q": str(made.vectors[0]), "org": org, "model": made.model, "docs": docs, "n": n},
    ).all()
    return [str(r[0]) for r in rows]


def _text_ranking(
    session: Session, org: str, docs: list[str], query: str, currency_sql: str, n: int
) -> list[str]:
    terms = _tsquery(query)
    if not terms:
        return []
    rows = session.exec(  # type: ignore[call-overload]
        text(
            "SELECT id FROM kb_chunk, to_tsquery('english', :terms) AS q"
            " WHERE org_id = :org AND document_id = ANY(CAST(:docs AS uuid[])) AND tsv @@ q"
            f"{currency_sql} ORDER BY ts_rank_cd(tsv, q, 1) DESC, id LIMIT :n"
        ),
        params={"terms": terms, "org": org, "docs": docs, "n": n},
    ).all()
    return [str(r[0]) for r in rows]


def search(
    session: Session,
    actor: Actor,
    query: str,
    *,
    k: int = 5,
    kinds: Sequence[str] | None = None,
    include_archived: bool = False,
    currency: str = "",
) -> list[Passage]:
    """The `k` passages of the organisation's documents that best answer `query`.

    Args:
        kinds: Only documents of these kinds (`crmapp.models.kb.KINDS`); all when empty.
        include_archived: Also archived documents and those past their valid-until date.
        currency: Leave out passages whose prices are only in other currencies.
    """
    require(actor.role, Perm.RECORD_READ)
    query = query.strip()
    if not query or k <= 0:
        return []
    documents = _eligible(session, actor.org_id, kinds, include_archived)
    if not documents:
        return []
    org, docs, n = str(actor.org_id), list(documents), max(CANDIDATES, k)
    currency_sql = ""
    if currency:
        code = re.sub(r"[^A-Z]", "", currency.upper())[:3]  # letters only: safe in the SQL text
        currency_sql = f" AND (currencies = '' OR currencies LIKE '%{code}%')"
    fused: dict[str, float] = {}
    for ranking in (
        _vector_ranking(session, org, docs, query, currency_sql, n),
        _text_ranking(session, org, docs, query, currency_sql, n),
    ):
        for rank, chunk_id in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1 / (RRF_K + rank)
    best = sorted(fused, key=lambda c: (-fused[c], c))[:k]
    if not best:
        return []
    rows = session.exec(  # type: ignore[call-overload]
        text(
            "SELECT id, document_id, heading, text FROM kb_chunk"
            " WHERE org_id = :org AND id = ANY(CAST(:ids AS uuid[]))"
        ),
        params={"org": org, "ids": best},
    ).all()
    found = {str(r[0]): r for r in rows}
    top = 2 / (RRF_K + 1)
    passages = []
    for chunk_id in best:
        row = found[chunk_id]
        title, kind = documents[str(row[1])]
        passages.append(
            Passage(str(row[1]), title, row[3], fused[chunk_id] / top, chunk_id, row[2], kind)
        )
    return passages


SECTION_TYPES = ("scope", "investment", "timeline", "proof", "terms", "overview", "team")


@dataclass(frozen=True)
class DealBrief:
    """What of a deal a section's query is built from."""

    title: str
    products: list[str] = field(default_factory=list)
    currency: str = ""
    industry: str = ""


@dataclass(frozen=True)
class _Recipe:
    kinds: tuple[str, ...]
    words: str  # what the section is about, beside the deal's own words
    per_product: bool = False
    in_currency: bool = False


SECTIONS = {
    "scope": _Recipe(("service",), "services scope deliverables included", per_product=True),
    "investment": _Recipe(("pricing",), "price rate fee cost", per_product=True, in_currency=True),
    "timeline": _Recipe(("process",), "process phases timeline weeks duration", per_product=True),
    "proof": _Recipe(("case_study",), "client case study results"),
    "terms": _Recipe(("terms",), "payment terms invoicing acceptance cancellation"),
    "overview": _Recipe(("service", "faq", "other"), "overview"),
    "team": _Recipe(("bio",), "team people experience"),
}


def section_passages(
    session: Session, actor: Actor, deal: DealBrief, section_type: str, *, k: int = 3
) -> list[Passage]:
    """The current passages a section of this deal's proposal should be written from.

    scope: the service passages of each product of interest; investment: the current pricing
    passages of those products in the deal's currency; timeline: process passages and durations;
    proof: case studies, the client's industry first; terms: terms passages; overview: services
    and FAQs about the deal; team: bios. Per-product sections ask once per product and take the
    best of each in turn, so every product is covered before any gets a second passage.

    Raises:
        ValueError: for a section type not in `SECTION_TYPES`.
    """
    recipe = SECTIONS.get(section_type)
    if recipe is None:
        raise ValueError(f"unknown section type {section_type!r}")
    products = [p for p in deal.products if p.strip()]
    if section_type == "proof":  # the client's industry first, then the same products
        questions = [f"{deal.industry} {recipe.words}"] if deal.industry.strip() else []
        questions.append(" ".join([*products, recipe.words]))
    elif recipe.per_product and products:
        questions = [f"{product} {recipe.words}" for product in products]
    else:
        questions = [" ".join([deal.title, *products, recipe.words]).strip()]
    currency = deal.currency if recipe.in_currency else ""
    rankings = [
        search(session, actor, q, k=k, kinds=recipe.kinds, currency=currency) for q in questions
    ]
    chosen: list[Passage] = []
    seen: set[str] = set()
    for depth in range(k):
        for ranking in rankings:
            if depth < len(ranking) and ranking[depth].chunk_id not in seen:
                seen.add(ranking[depth].chunk_id)
                chosen.append(ranking[depth])
    return chosen[:k]
