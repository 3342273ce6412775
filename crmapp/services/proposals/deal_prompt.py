"""The chat messages that ask a model for a proposal (or one section), grounded in the deal's
context graph: the client-visible facts and passages to quote, and the internal facts — listed
by name in the system instruction — that may steer the text but are never quoted."""

from __future__ import annotations

from crmapp.services.proposals import offline_writer
from crmapp.services.proposals.deal_context import LABELLED, DealContext

NEVER_QUOTE = (
    "The facts under 'Background only' are internal to our company (deal stage, owner,"
    " probability, value estimate and forecast, industry, notes, tasks, call and meeting logs,"
    " budgets, who must approve what, other clients' proposals): they are background only — use"
    " them to choose what to stress, but never quote, mention or paraphrase them, their"
    " figures, dates or names in the proposal; any sentence of yours that states one is removed"
    " from the draft. State only figures (prices, percentages, dates, durations) and"
    " names that appear in the facts you may quote or the knowledge-base passages: anything"
    " else is flagged as untraced. The section guidance tells you what each section must"
    " achieve: do not restate it."
)


BACKGROUND = "Background only (internal — never quote or mention):"


def internal_list(context: DealContext) -> str:
    """The internal facts by name, for the system instruction ("deal stage, account owner, …")."""
    names: list[str] = []
    for fact in context.internal():
        label = fact.source.label if fact.key in LABELLED else ""
        name = fact.key.replace("_", " ") + (f" ({label})" if label else "")
        if name not in names:
            names.append(name)
    return "; ".join(names) or "none recorded"


def _system(context: DealContext) -> str:
    return f"{NEVER_QUOTE} This deal's internal facts: {internal_list(context)}."


def _quotable(context: DealContext) -> str:
    facts = "\n".join(f"- {k.replace('_', ' ')}: {v}" for k, v in context.facts.items())
    return facts or "- (none recorded)"


def _background(context: DealContext) -> str:
    lines = [f"- {k.replace('_', ' ')}: {v}" for k, v in context.background.items()]
    lines += [f"- {h}" for h in context.history]
    return "\n".join(lines) or "- (none recorded)"


def _passages(context: DealContext) -> str:
    return "\n\n".join(f"[{p.title}] {p.text}" for p in context.passages) or "(none)"


def messages(
    context: DealContext, sections: list[offline_writer.Section], voice: str = "consultative"
) -> list[dict[str, str]]:
    """The chat messages asking a model for the proposal, grounded in the context graph."""
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
                f" the pricing table that follows the text. {_system(context)}"
            ),
        },
        {
            "role": "user",
            "content": (
                f"Today is {context.today}.\n\n"
                f"Facts you may quote:\n{_quotable(context)}\n\n"
                f"From our knowledge base (you may quote):\n{_passages(context)}\n\n"
                f"{BACKGROUND}\n{_background(context)}\n\n"
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
                f" {_system(context)}"
            ),
        },
        {
            "role": "user",
            "content": (
                f"Today is {context.today}.\n\n"
                f"Facts you may quote:\n{_quotable(context)}\n\n"
                f"From our knowledge base (you may quote):\n{_passages(context)}\n\n"
                f"Section: {section.title}{guidance}\n\nCurrent text:\n{current}\n\n"
                f"Change requested: {instruction}\n\n"
                f"{BACKGROUND}\n{_background(context)}"
            ),
        },
    ]
