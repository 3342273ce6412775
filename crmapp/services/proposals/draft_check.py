"""Checking a draft against the deal's context graph: internal facts removed, figures traced.

After any draft or rewrite (model or offline writer) `clean` drops the sentences that state an
internal-only fact (`fact_guard`) before the text is saved, and records them in
`proposal.checks["removed"]` so the editor says what was taken out. `review` then checks the
text as it is now — including what the rep typed — and lists per section every money amount,
percentage, date, duration and proper name that neither the client-visible facts, the passages
the draft was written from, the organisation's name nor the pricing table state ("not found in
the deal or the knowledge base"), and any internal fact the rep typed in. The editor marks them,
and `sharing.send` refuses to send while any is left unless the rep confirms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from crmapp.models.proposals import Proposal
from crmapp.models.tenancy import Organization
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import deal_context, fact_guard, figure_check, pricing, richtext

UNTRACED = "not found in the deal or the knowledge base"
INTERNAL = "internal"


@dataclass(frozen=True)
class Flag:
    """A figure of the draft the rep should look at before sending."""

    section: int
    title: str
    kind: str  # money | percent | date | duration | name | internal
    text: str
    reason: str

    def as_json(self) -> dict[str, str]:
        """For the editor."""
        return {
            "section": str(self.section),
            "title": self.title,
            "kind": self.kind,
            "text": self.text,
            "reason": self.reason,
        }


@dataclass
class Review:
    """What the check found in the draft as it is now."""

    flags: list[Flag] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """ "2 to check: €14,900 (Investment), 15% (Terms)"."""
        return f"{len(self.flags)} to check: {self.listing}" if self.flags else ""

    @property
    def listing(self) -> str:
        """ "€14,900 (Investment), 15% (Terms)" (the first eight, and how many more)."""
        shown = ", ".join(f"{f.text} ({f.title})" for f in self.flags[:8])
        more = f" and {len(self.flags) - 8} more" if len(self.flags) > 8 else ""
        return shown + more

    @property
    def refusal(self) -> str:
        """Why sending waits for a confirmation, naming what to check."""
        untraced = sum(1 for f in self.flags if f.kind != INTERNAL)
        what = []
        if untraced:
            noun = "figure or name" if untraced == 1 else "figures or names"
            what.append(f"{untraced} {noun} {UNTRACED}")
        if internal := len(self.flags) - untraced:
            what.append(f"{internal} internal fact{'s' if internal > 1 else ''}")
        return (
            f"Confirm before sending: {' and '.join(what)} — {self.listing}. Correct them, or"
            " tick that you checked them to send anyway."
        )


def known_of(
    context: deal_context.DealContext, proposal: Proposal, org_name: str = ""
) -> figure_check.Known:
    """What the draft may state: client-visible facts, the passages used, the pricing table."""
    known = figure_check.Known([f.text for f in context.visible()])
    for source in proposal.sources:
        if source.get("kind") == "passage" and source.get("text"):
            known.texts.append(source["text"])
            known.add(source["text"])
    texts = [proposal.title, org_name, proposal.currency]
    items = pricing.from_json(proposal.items)
    for item in items:
        texts.append(item.description)
        for amount in (item.unit_price, item.total):
            texts.append(pricing.format_money(amount, proposal.currency))
        known.add(str(item.quantity))
    result = pricing.totals(items, proposal.discount_pct, proposal.tax_pct)
    for amount in (result.subtotal, result.discount, result.tax, result.total):
        texts.append(pricing.format_money(amount, proposal.currency))
    texts += [f"{proposal.discount_pct.normalize():f}%", f"{proposal.tax_pct.normalize():f}%"]
    for text in texts:
        if text:
            known.texts.append(text)
            known.add(text, proposal.currency)
    return known


def guard_of(
    context: deal_context.DealContext, proposal: Proposal, org_name: str = ""
) -> fact_guard.Guard:
    """The internal facts of the graph against what the client may read."""
    internal = [(f.text, _source_label(f)) for f in context.internal()]
    stages = [f.text for f in context.internal() if f.key == "stage"]
    return fact_guard.Guard(internal, known_of(context, proposal, org_name), stages)


def _source_label(fact: deal_context.Fact) -> str:
    if fact.key in deal_context.LABELLED:
        return fact.source.label
    return f"deal {fact.key.replace('_', ' ')}"


def org_name(session: Session, actor: Actor) -> str:
    """The organisation's own name (a draft may name who writes it)."""
    org = session.get(Organization, actor.org_id)
    return org.name if org else ""


def clean(
    guard: fact_guard.Guard, markdown: str, title: str = ""
) -> tuple[str, list[dict[str, str]]]:
    """A writer's Markdown without internal facts, and what was removed (for `checks`)."""
    text, removed = guard.clean(markdown)
    return text, [{"section": title, "text": r.text, "source": r.source} for r in removed]


def review(session: Session, actor: Actor, proposal: Proposal) -> Review:
    """The figures and names of the draft as it is now that cannot be traced, and any internal
    fact in it (the rep may have typed one in)."""
    context = deal_context.deal_context(session, actor, proposal.deal_id, passages=0)
    guard = guard_of(context, proposal, org_name(session, actor))
    found = Review()
    for index, section in enumerate(proposal.sections):
        title = section.get("title", "")
        text = richtext.html_to_text(section.get("html", ""))
        internal = guard.leaks(text)
        quoted = {leak.text for leak in internal}
        for leak in internal:
            found.flags.append(Flag(index, title, INTERNAL, leak.text, f"internal: {leak.source}"))
        for figure in figure_check.untraced(text, guard.visible):
            if figure.text not in quoted:
                found.flags.append(Flag(index, title, figure.kind, figure.text, UNTRACED))
    return found
