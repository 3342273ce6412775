"""The offline drafter: a deterministic first draft from a template and what a client may read.

It never fails and needs no model. Each section opens in the chosen voice, states the
client-facing facts that belong there (who it is for, the project, what it covers) and quotes a
knowledge-base passage retrieved for it. The template's guidance is an instruction for a model;
it is never written out (this drafter places facts by the section's title). Internal CRM facts —
the deal's stage, owner, probability, value estimate and forecast date, notes, tasks and
activity logs — never reach the drafter: `DraftInput` holds only the quotable facts, and only
the keys in `QUOTABLE` are written. The text is plain Markdown a rep can edit; nothing is
invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

VOICES = {
    "formal": "We are pleased to set out",
    "consultative": "Based on our conversations, here is",
    "direct": "Here is",
}

# The facts a draft may state, as `context.deal_context` names them: nothing else is written.
QUOTABLE = ("client", "contact", "deal", "products_of_interest")

# Which facts belong in a section, by words in its title.
TOPICS = (
    (("overview", "summary", "purpose", "parties", "introduction"), "overview"),
    (("scope", "deliverable", "services", "approach", "solution"), "scope"),
    (("timeline", "milestone", "schedule", "term", "phases"), "timeline"),
    (("investment", "fee", "pric", "payment", "cost"), "investment"),
)


@dataclass(frozen=True)
class Section:
    """One part of a template: its title and what it should say."""

    title: str
    guidance: str


@dataclass(frozen=True)
class DraftInput:
    """Everything the drafter may use: only what the client may read."""

    sections: list[Section]
    facts: dict[str, str]  # the keys of QUOTABLE; any other key is ignored
    passages: list[str] = field(default_factory=list)
    voice: str = "consultative"


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _topic(title: str) -> str:
    lower = title.lower()
    return next((topic for words, topic in TOPICS if any(w in lower for w in words)), "")


def _specific(topic: str, facts: dict[str, str]) -> list[str]:
    """The client-facing facts that belong to a section of this topic."""
    if topic == "overview" and (facts.get("deal") or facts.get("contact")):
        project = f"“{facts['deal']}”" if facts.get("deal") else "this proposal"
        reader = f", prepared for {facts['contact']}" if facts.get("contact") else ""
        return ["", _sentence(f"This document sets out {project}{reader}")]
    if topic == "scope" and facts.get("products_of_interest"):
        products = [p.strip() for p in facts["products_of_interest"].split(",") if p.strip()]
        return ["", "What this covers:", *[f"- {p}" for p in products]]
    if topic == "timeline":
        return ["", "We agree the start date with you when you sign."]
    if topic == "investment":
        return ["", "The investment is itemised in the pricing table below."]
    return []


def draft_section(section: Section, data: DraftInput, index: int) -> str:
    """The Markdown of one section."""
    facts = {k: v for k, v in data.facts.items() if k in QUOTABLE and v}
    opener = VOICES.get(data.voice, VOICES["consultative"])
    client = facts.get("client") or "your organisation"
    lines = [f"## {section.title}", ""]
    lines.append(_sentence(f"{opener} the {section.title.lower()} for {client}"))
    lines += _specific(_topic(section.title), facts)
    if data.passages:
        passage = data.passages[index % len(data.passages)]
        lines += ["", f"> {_sentence(passage)}"]
    return "\n".join(lines) + "\n"


def draft(data: DraftInput) -> str:
    """The whole proposal, section after section."""
    return "\n".join(draft_section(s, data, i) for i, s in enumerate(data.sections))


_DURATION = re.compile(r"\b(\d+)(\s*)(day|week|month)(s?)\b", re.IGNORECASE)
_FASTER = ("aggressive", "faster", "quicker", "sooner", "accelerat", "tighter")
_SHORTER = ("shorter", "concise", "brief", "trim", "tighten")


def redraft_section(section: Section, current: str, instruction: str) -> str:
    """A deterministic rewrite of one section following a few kinds of instruction.

    Faster timelines shorten every duration by a third; shorter text keeps each paragraph's
    first sentence; anything else keeps the text and states the requested change up front, so
    the rep sees the difference and can finish it by hand.
    """
    wish = instruction.lower()
    text = current.strip()
    if any(word in wish for word in _FASTER):

        def quicker(match: re.Match[str]) -> str:
            number = max(1, round(int(match.group(1)) * 2 / 3))
            unit = match.group(3)
            return f"{number}{match.group(2)}{unit}{'s' if number != 1 else ''}"

        faster = _DURATION.sub(quicker, text)
        note = "The schedule below is compressed by about a third."
        text = f"{note}\n\n{faster}" if faster != text else f"{note}\n\n{text}"
    elif any(word in wish for word in _SHORTER):
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "\n\n".join(
            p if p.lstrip().startswith(("-", ">", "*")) else re.split(r"(?<=[.!?])\s", p)[0]
            for p in paragraphs
        )
    else:
        text = f"{_sentence(f'Revised to {instruction.strip()}')}\n\n{text}"
    return f"## {section.title}\n\n{text}\n"
