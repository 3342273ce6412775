"""The context graph of a deal: what a proposal may be written from, and where each fact came from.

Deal fields and stage, the primary contact and company, recent activities and notes, products of
interest, the organisation's won proposals for similar deals (shared products, same industry),
and the knowledge-base passages closest to the deal. Every piece carries a source (a
label and a link) so the editor can show what was used. Built inside the actor's tenant scope, so
nothing of another organisation can enter it.

The graph keeps apart what the client may read (`facts`: who the proposal is for, the project,
the products it covers; and the knowledge-base passages) from what is internal (`background`:
stage, owner, probability, value estimate, forecast date, industry; and `history`: activities,
tasks, notes, other clients' won proposals). Internal facts may inform a model's draft but are
marked "background only, never quote"; the offline drafter never receives them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, or_, select

from crmapp import routes
from crmapp.models.crm import Activity, Company, Contact, Deal, PipelineStage
from crmapp.models.proposals import Proposal
from crmapp.models.tenancy import User
from crmapp.services.crm import records
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import knowledge_base, offline_writer, richtext
from crmapp.services.tenancy.permissions import Perm, require

MAX_ACTIVITIES = 10
MAX_WON = 2


@dataclass(frozen=True)
class Source:
    """Where a piece of context came from."""

    kind: str  # deal | contact | company | activity | proposal | document
    label: str
    href: str


@dataclass
class DealContext:
    """Everything known about a deal that a proposal may use."""

    facts: dict[str, str]  # may be quoted to the client
    history: list[str] = field(default_factory=list)  # internal: activities, notes, won proposals
    passages: list[knowledge_base.Passage] = field(default_factory=list)  # may be quoted
    sources: list[Source] = field(default_factory=list)
    background: dict[str, str] = field(default_factory=dict)  # internal: stage, owner, ...


def deal_context(
    session: Session, actor: Actor, deal_id: uuid.UUID, *, passages: int = 4
) -> DealContext:
    """The deal's context graph (NotFound for a deal outside the actor's organisation)."""
    require(actor.role, Perm.RECORD_READ)
    deal = records.get_record(session, actor, "deal", deal_id)
    assert isinstance(deal, Deal)
    stage = session.get(PipelineStage, deal.stage_id)
    company = session.get(Company, deal.company_id) if deal.company_id else None
    contact = session.get(Contact, deal.contact_id) if deal.contact_id else None
    owner = session.get(User, deal.owner_id) if deal.owner_id else None
    sources = [Source("deal", deal.title, routes.deal(deal.id))]
    facts = {
        "client": company.name if company else (records.label(contact) if contact else ""),
        "deal": deal.title,
        "products_of_interest": ", ".join(deal.products),
    }
    background = {
        "value": f"{deal.value:,.2f} {deal.currency}" if deal.value else "",
        "stage": stage.name if stage else "",
        "probability": f"{deal.probability}%" if deal.probability is not None else "",
        "expected_close": deal.expected_close_date.isoformat() if deal.expected_close_date else "",
        "account_owner": owner.name if owner else "",
    }
    if company is not None:
        background["industry"] = company.industry
        sources.append(Source("company", company.name, routes.company(company.id)))
    if contact is not None:
        facts["contact"] = ", ".join(v for v in (records.label(contact), contact.title) if v)
        sources.append(Source("contact", records.label(contact), routes.contact(contact.id)))
    links = [col(Activity.deal_id) == deal.id]
    if contact is not None:
        links.append(col(Activity.contact_id) == contact.id)
    if company is not None:
        links.append(col(Activity.company_id) == company.id)
    history = []
    for activity in session.exec(
        select(Activity)
        .where(Activity.org_id == actor.org_id, or_(*links))
        .order_by(col(Activity.created_at).desc())
        .limit(MAX_ACTIVITIES)
    ).all():
        line = f"{activity.created_at:%Y-%m-%d} {activity.kind}: {activity.subject}"
        if activity.body:
            line += f" — {activity.body[:300]}"
        history.append(line)
        sources.append(Source("activity", activity.subject, sources[0].href))
    if contact is not None and contact.notes:
        history.append(f"Notes on {records.label(contact)}: {contact.notes[:500]}")
    for won in _won_proposals(session, actor, deal, company.industry if company else ""):
        text = " ".join(richtext.html_to_text(s.get("html", "")) for s in won.sections[:3])
        history.append(f"Won proposal “{won.title}”: {' '.join(text.split())[:400]}")
        sources.append(Source("proposal", f"Won: {won.title}", routes.proposal(won.id)))
    question = " ".join(
        v for v in (deal.title, facts["products_of_interest"], background.get("industry", "")) if v
    )
    found = knowledge_base.search(session, actor, question, k=passages) if passages else []
    for passage in found:
        sources.append(Source("document", passage.title, routes.KNOWLEDGE))
    return DealContext(
        {k: v for k, v in facts.items() if v},
        history,
        found,
        sources,
        {k: v for k, v in background.items() if v},
    )


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


NEVER_QUOTE = (
    "The facts marked 'Background only' are internal to our company (deal stage, owner,"
    " probability, value estimate and forecast, industry, notes, tasks, call and meeting logs,"
    " budgets, who must approve what, other clients' proposals): use them to choose what to"
    " stress, but never quote, mention or paraphrase them, their figures or their names in the"
    " proposal. The section guidance tells you what each section must achieve: do not restate"
    " it."
)


def _quotable(context: DealContext) -> str:
    facts = "\n".join(f"- {k.replace('_', ' ')}: {v}" for k, v in context.facts.items())
    return facts or "- (none recorded)"


def _background(context: DealContext) -> str:
    lines = [f"- {k.replace('_', ' ')}: {v}" for k, v in context.background.items()]
    lines += [f"- {h}" for h in context.history]
    return "\n".join(lines) or "- (none recorded)"


def messages(
    context: DealContext, sections: list[offline_writer.Section], voice: str = "consultative"
) -> list[dict[str, str]]:
    """The chat messages asking a model for the proposal, grounded in the context graph."""
    passages = "\n\n".join(f"[{p.title}] {p.text}" for p in context.passages) or "(none)"
    outline = "\n".join(
        f"## {s.title}\n(guidance, do not restate: {s.guidance})" if s.guidance else f"## {s.title}"
        for s in sections
    )
    return [
        {
            "role": "system",
            "content": (
                f"You write business proposals in a {voice} voice, in Markdown, addressed to the"
                " client. Use only the facts given; never invent prices, dates or names. Write"
                " every section of the outline under its own '## ' heading, in order. Prices are in"
                f" the pricing table that follows the text. {NEVER_QUOTE}"
            ),
        },
        {
            "role": "user",
            "content": (
                f"Facts you may quote:\n{_quotable(context)}\n\n"
                f"From our knowledge base (you may quote):\n{passages}\n\n"
                f"Background only (never quote or mention):\n{_background(context)}\n\n"
                f"Outline:\n{outline}"
            ),
        },
    ]


def section_messages(
    context: DealContext,
    section: offline_writer.Section,
    current: str,
    instruction: str,
    voice: str = "consultative",
) -> list[dict[str, str]]:
    """The chat messages asking a model to rewrite one section following an instruction."""
    guidance = f"\n(guidance, do not restate: {section.guidance})" if section.guidance else ""
    return [
        {
            "role": "system",
            "content": (
                f"You revise one section of a business proposal in a {voice} voice, in Markdown,"
                " addressed to the client. Use only the facts given; never invent prices, dates or"
                " names. Answer with the section's new text only, without its heading."
                f" {NEVER_QUOTE}"
            ),
        },
        {
            "role": "user",
            "content": (
                f"Facts you may quote:\n{_quotable(context)}\n\n"
                f"Section: {section.title}{guidance}\n\nCurrent text:\n{current}\n\n"
                f"Change requested: {instruction}\n\n"
                f"Background only (never quote or mention):\n{_background(context)}"
            ),
        },
    ]
