"""The context graph of a deal: what a proposal may be written from, where each fact came from, and
whether the client may see it.

Deal fields and stage, the primary contact and company, recent activities (dated by when they
happened) and notes, products of interest, the organisation's won proposals for similar deals
(shared products, same industry), and the knowledge-base passages closest to the deal. Every fact
(`Fact`) carries its source — a deal, contact or company field, an activity, a note, another
proposal, or a passage with its document id and chunk id — and `client_visible`. Built inside the
actor's tenant scope, so nothing of another organisation can enter it.

Client-visible: who the proposal is for (client, contact name and title), the project, the
products it covers, and the knowledge-base passages. Internal: stage, owner, probability, value
estimate, forecast date, industry; the organisation's custom fields on the deal, company and
contact (a budget, who must approve what); every activity (calls, meetings, emails, notes,
tasks), the notes on the contact, other clients' won proposals. Internal facts may steer a
model's draft (`deal_prompt` lists them as never to be quoted) but `draft_check` removes any of
their distinctive text or figures from what a writer returns; the offline drafter never receives
them. `facts` / `background` / `history` are the two sides as the prompt shows them.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, or_, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.crm import Activity, Company, Contact, Deal, PipelineStage
from crmapp.models.kb import KBChunk
from crmapp.models.proposals import Proposal
from crmapp.models.tenancy import User
from crmapp.services.crm import custom_fields, records
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import knowledge_base, offline_writer, richtext
from crmapp.services.tenancy.permissions import Perm, require

MAX_ACTIVITIES = 10
MAX_WON = 2
PASSAGE_TEXT = 2000  # characters of a passage kept with its source (what the side panel opens)


@dataclass(frozen=True)
class Source:
    """Where a piece of context came from (a passage also names its document and chunk)."""

    kind: str  # deal | contact | company | activity | note | proposal | passage
    label: str
    href: str
    document_id: str = ""
    chunk_id: str = ""
    text: str = ""

    def as_json(self) -> dict[str, str]:
        """As a proposal stores it in `sources`."""
        row = {"kind": self.kind, "label": self.label, "href": self.href}
        if self.kind == "passage":
            row |= {"document_id": self.document_id, "chunk_id": self.chunk_id, "text": self.text}
        return row


@dataclass(frozen=True)
class Fact:
    """One fact of the graph: what it says, where it came from, whether the client may see it."""

    key: str  # client | contact | deal | products_of_interest | stage | ... | activity | note
    text: str
    source: Source
    client_visible: bool


@dataclass
class DealContext:
    """Everything known about a deal that a proposal may use."""

    facts: dict[str, str]  # may be quoted to the client
    history: list[str] = field(default_factory=list)  # internal: activities, notes, won proposals
    passages: list[knowledge_base.Passage] = field(default_factory=list)  # may be quoted
    sources: list[Source] = field(default_factory=list)
    background: dict[str, str] = field(default_factory=dict)  # internal: stage, owner, ...
    graph: list[Fact] = field(default_factory=list)  # every fact above with its source
    today: str = ""

    def visible(self) -> list[Fact]:
        """The facts the client may read."""
        return [f for f in self.graph if f.client_visible]

    def internal(self) -> list[Fact]:
        """The facts that steer a draft but are never quoted."""
        return [f for f in self.graph if not f.client_visible]


def _ago(moment: datetime, now: datetime) -> str:
    days = (now.date() - moment.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago" if days < 14 else f"{days // 7} weeks ago"


def deal_context(
    session: Session, actor: Actor, deal_id: uuid.UUID, *, passages: int = 4
) -> DealContext:
    """The deal's context graph (NotFound for a deal outside the actor's organisation)."""
    require(actor.role, Perm.RECORD_READ)
    deal = records.get_record(session, actor, "deal", deal_id)
    assert isinstance(deal, Deal)
    now = utcnow()
    stage = session.get(PipelineStage, deal.stage_id)
    company = session.get(Company, deal.company_id) if deal.company_id else None
    contact = session.get(Contact, deal.contact_id) if deal.contact_id else None
    owner = session.get(User, deal.owner_id) if deal.owner_id else None
    deal_source = Source("deal", deal.title, routes.deal(deal.id))
    graph: list[Fact] = []
    sources = [deal_source]

    def add(key: str, text: str, source: Source, visible: bool) -> None:
        if text:
            graph.append(Fact(key, text, source, visible))

    company_source = (
        Source("company", company.name, routes.company(company.id)) if company else None
    )
    contact_source = (
        Source("contact", records.label(contact), routes.contact(contact.id)) if contact else None
    )
    if company is not None and company_source is not None:
        add("client", company.name, company_source, True)
        add("industry", company.industry, company_source, False)
        sources.append(company_source)
    elif contact is not None and contact_source is not None:
        add("client", records.label(contact), contact_source, True)
    add("deal", deal.title, deal_source, True)
    add("products_of_interest", ", ".join(deal.products), deal_source, True)
    if contact is not None and contact_source is not None:
        who = ", ".join(v for v in (records.label(contact), contact.title) if v)
        add("contact", who, contact_source, True)
        sources.append(contact_source)
    add("value", f"{deal.value:,.2f} {deal.currency}" if deal.value else "", deal_source, False)
    add("stage", stage.name if stage else "", deal_source, False)
    probability = f"{deal.probability}%" if deal.probability is not None else ""
    add("probability", probability, deal_source, False)
    close = deal.expected_close_date.isoformat() if deal.expected_close_date else ""
    add("expected_close", close, deal_source, False)
    add("account_owner", owner.name if owner else "", deal_source, False)
    # The organisation's own fields on the deal and the client (a budget, who approves what).
    holders = (("deal", deal, deal_source), ("company", company, company_source))
    for entity, row, source in (*holders, ("contact", contact, contact_source)):
        if row is None or source is None or not row.custom:
            continue
        for cf in custom_fields.list_fields(session, actor, entity):
            value = custom_fields.display(cf, row.custom.get(cf.key))
            field_source = Source(source.kind, f"{source.label}: {cf.label}", source.href)
            add("custom_field", f"{cf.label}: {value}" if value else "", field_source, False)

    for activity, source in _activities(session, actor, deal, contact, company):
        when = activity.occurred_at
        line = f"{when:%Y-%m-%d} ({_ago(when, now)}) {activity.kind}: {activity.subject}"
        if activity.body:
            line += f" — {activity.body[:300]}"
        add("activity", line, source, False)
        sources.append(source)
    if contact is not None and contact_source is not None and contact.notes:
        note = Source("note", f"Notes on {records.label(contact)}", contact_source.href)
        add("note", f"Notes on {records.label(contact)}: {contact.notes[:500]}", note, False)
        sources.append(note)
    for won in _won_proposals(session, actor, deal, company.industry if company else ""):
        text = " ".join(richtext.html_to_text(s.get("html", "")) for s in won.sections[:3])
        source = Source("proposal", f"Won: {won.title}", routes.proposal(won.id))
        add(
            "won_proposal",
            f"Won proposal “{won.title}”: {' '.join(text.split())[:400]}",
            source,
            False,
        )
        sources.append(source)

    question = " ".join(
        v for v in (deal.title, ", ".join(deal.products), company.industry if company else "") if v
    )
    found = knowledge_base.search(session, actor, question, k=passages) if passages else []
    for passage in found:
        source = passage_source(session, actor, passage)
        add("passage", passage.text, source, True)
        sources.append(source)
    visible = {f.key: f.text for f in graph if f.client_visible and f.key != "passage"}
    return DealContext(
        visible,
        [f.text for f in graph if f.key in _HISTORY],
        found,
        sources,
        {f.key: f.text for f in graph if not f.client_visible and f.key in _FIELDS},
        graph,
        now.date().isoformat(),
    )


_FIELDS = ("value", "stage", "probability", "expected_close", "account_owner", "industry")
# Internal facts that are named by their source ("Call 2026-12-01: Price check") in the prompt
# and in what the guard says it removed; the rest are named by their key ("deal stage").
_HISTORY = ("custom_field", "activity", "note", "won_proposal")
LABELLED = _HISTORY


def passage_source(session: Session, actor: Actor, passage: knowledge_base.Passage) -> Source:
    """A passage as a source: its document and chunk, labelled by title and heading (or its
    place in the document), with its text for the editor's side panel."""
    chunk = None
    with contextlib.suppress(ValueError):  # a document id that is not a UUID: no chunk
        found = (
            col(KBChunk.id) == uuid.UUID(passage.chunk_id)
            if passage.chunk_id
            else col(KBChunk.text) == passage.text
        )
        chunk = session.exec(
            select(KBChunk.id, KBChunk.position).where(
                KBChunk.org_id == actor.org_id,
                KBChunk.document_id == uuid.UUID(passage.document_id),
                found,
            )
        ).first()
    first = passage.text.strip().splitlines()[0].strip("# ").strip() if passage.text.strip() else ""
    heading = passage.heading or (
        first if first and len(first) <= 80 and not first.endswith(".") else ""
    )
    place = heading or (f"passage {chunk[1] + 1}" if chunk else "passage")
    return Source(
        "passage",
        f"{passage.title} — {place}",
        routes.KNOWLEDGE,
        passage.document_id,
        str(chunk[0]) if chunk else "",
        passage.text[:PASSAGE_TEXT],
    )


def _activities(
    session: Session, actor: Actor, deal: Deal, contact: Contact | None, company: Company | None
) -> list[tuple[Activity, Source]]:
    """The latest activities on the deal, its contact and its company, by when they happened."""
    links = [col(Activity.deal_id) == deal.id]
    if contact is not None:
        links.append(col(Activity.contact_id) == contact.id)
    if company is not None:
        links.append(col(Activity.company_id) == company.id)
    rows = session.exec(
        select(Activity)
        .where(Activity.org_id == actor.org_id, or_(*links))
        .order_by(col(Activity.occurred_at).desc())
        .limit(MAX_ACTIVITIES)
    ).all()
    result = []
    for activity in rows:
        if activity.deal_id:
            href = routes.deal(activity.deal_id)
        elif activity.contact_id:
            href = routes.contact(activity.contact_id)
        else:
            href = routes.company(activity.company_id)
        label = f"{activity.kind.title()} {activity.occurred_at:%Y-%m-%d}: {activity.subject}"
        result.append((activity, Source("activity", label, href)))
    return result


def draft_input(
    context: DealContext, sections: list[offline_writer.Section], voice: str = "consultative"
) -> offline_writer.DraftInput:
    """What the offline drafter needs from a context graph: the quotable part only."""
    facts = {k: v for k, v in context.facts.items() if k in offline_writer.QUOTABLE}
    return offline_writer.DraftInput(sections, facts, [p.text for p in context.passages], voice)


def _won_proposals(session: Session, actor: Actor, deal: Deal, industry: str) -> list[Proposal]:
    """Signed or paid proposals of other deals, those sharing products or industry first."""
    rows = session.exec(
        select(Proposal, Deal, Company.industry)
        .join(Deal, col(Deal.id) == col(Proposal.deal_id))
        .join(Company, col(Company.id) == col(Deal.company_id), isouter=True)
        .where(
            Proposal.org_id == actor.org_id,
            col(Proposal.status).in_(["signed", "paid"]),
            Proposal.deal_id != deal.id,
        )
        .order_by(col(Proposal.signed_at).desc())
        .limit(50)
    ).all()

    def likeness(row: tuple[Proposal, Deal, str | None]) -> int:
        shared = len(set(row[1].products) & set(deal.products))
        return shared * 2 + (1 if industry and row[2] == industry else 0)

    ranked = sorted(rows, key=likeness, reverse=True)
    return [proposal for proposal, _, _ in ranked[:MAX_WON]]
