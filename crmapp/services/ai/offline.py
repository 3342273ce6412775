"""The offline drafter: a deterministic first draft from a template and the facts the CRM holds.

It never fails and needs no model: each section opens with what the template asks of it, then
states the client's facts that belong there and quotes the knowledge-base passages retrieved for
it. The text is plain Markdown a rep can edit; nothing is invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

VOICES = {
    "formal": ("We are pleased to set out", "This section will"),
    "consultative": ("Based on our conversations, here is", "Together, we will"),
    "direct": ("Here is", "We will"),
}

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
    """Everything the drafter may use."""

    sections: list[Section]
    facts: dict[str, str]  # e.g. client, contact, deal, value, close date, products
    passages: list[str] = field(default_factory=list)
    voice: str = "consultative"
    history: list[str] = field(default_factory=list)  # recent activities and notes


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _topic(title: str) -> str:
    lower = title.lower()
    return next((topic for words, topic in TOPICS if any(w in lower for w in words)), "")


def _specific(topic: str, data: DraftInput) -> list[str]:
    """The facts that belong to a section of this topic."""
    facts = data.facts
    if topic == "scope" and facts.get("products_of_interest"):
        return ["", "What this covers:", *[f"- {p.strip()}" for p in
                                           facts["products_of_interest"].split(",")]]  # fmt: skip
    if topic == "timeline" and facts.get("expected_close"):
        return ["", _sentence(f"We plan around a decision by {facts['expected_close']}, and "
                              "agree the start date when you sign")]  # fmt: skip
    if topic == "investment" and facts.get("value"):
        return ["", _sentence(f"The investment is {facts['value']}, itemised in the pricing "
                              "table below")]  # fmt: skip
    if topic == "overview" and data.history:
        return ["", "What we have discussed so far:", *[f"- {h}" for h in data.history[:3]]]
    return []


def draft_section(section: Section, data: DraftInput, index: int) -> str:
    """The Markdown of one section."""
    opener, verb = VOICES.get(data.voice, VOICES["consultative"])
    client = data.facts.get("client") or "your organisation"
    lines = [f"## {section.title}", ""]
    lines.append(_sentence(f"{opener} the {section.title.lower()} for {client}"))
    if section.guidance:
        lines.append(_sentence(f"{verb} {section.guidance[0].lower()}{section.guidance[1:]}"))
    facts = [f"- **{k.replace('_', ' ').title()}:** {v}" for k, v in data.facts.items() if v]
    if facts and index == 0:
        lines += ["", *facts]
    lines += _specific(_topic(section.title), data)
    if data.passages:
        passage = data.passages[index % len(data.passages)]
        lines += ["", f"> {_sentence(passage)}"]
    return "\n".join(lines) + "\n"


def draft(data: DraftInput) -> str:
    """The whole proposal, section after section."""
    return "\n".join(draft_section(s, data, i) for i, s in enumerate(data.sections))


def stream_words(text: str) -> Iterator[str]:
    """`text` in word-sized pieces (whitespace kept), as a model would stream it."""
    yield from re.findall(r"\S+\s*|\s+", text)


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
