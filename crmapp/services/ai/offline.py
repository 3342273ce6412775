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
    "formal": ("We are pleased to set out", "We propose"),
    "consultative": ("Based on our conversations, here is", "We recommend"),
    "direct": ("Here is", "We will"),
}


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


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def draft_section(section: Section, data: DraftInput, index: int) -> str:
    """The Markdown of one section."""
    opener, verb = VOICES.get(data.voice, VOICES["consultative"])
    client = data.facts.get("client") or "your organisation"
    lines = [f"## {section.title}", ""]
    lines.append(_sentence(f"{opener} {section.title.lower()} for {client}"))
    if section.guidance:
        lines.append(_sentence(f"{verb} to {section.guidance[0].lower()}{section.guidance[1:]}"))
    facts = [f"- **{k.replace('_', ' ').title()}:** {v}" for k, v in data.facts.items() if v]
    if facts and index == 0:
        lines += ["", *facts]
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
