"""Cutting a knowledge-base document into passages, and what each passage is embedded with.

A document's text keeps its section headings as Markdown heading lines (`knowledge_extract`
writes a DOCX's heading styles that way; a PDF has none). Each section is cut into overlapping
passages at paragraph and sentence ends; every passage keeps its heading, and is embedded with
its document title and heading in front (`embed_input`), so a passage whose meaning is in the
title ("Premium tier") is found by what the title says. `RECIPE` names that recipe: passages
embedded by another recipe are re-embedded by the same job that handles a change of model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHUNK_CHARS = 900
OVERLAP_CHARS = 150
RECIPE = "title-heading-v1"
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
# Currency codes and symbols a price may be written with.
_CURRENCIES = {
    "EUR": r"\bEUR\b|€|\beuros?\b",
    "USD": r"\bUSD\b|US\$|\$|\bdollars?\b",
    "GBP": r"\bGBP\b|£|\bpounds? sterling\b",
    "CHF": r"\bCHF\b",
    "SEK": r"\bSEK\b",
    "NOK": r"\bNOK\b",
    "DKK": r"\bDKK\b",
    "CAD": r"\bCAD\b|C\$",
    "AUD": r"\bAUD\b|A\$",
}
# Words in a title that say what kind of document it is, most specific first.
_KIND_WORDS = (
    ("case_study", r"case stud|success stor|portfolio|client stor|testimonial"),
    ("faq", r"\bfaqs?\b|frequently asked|questions|q ?& ?a"),
    ("pricing", r"pric|\brates?\b|\bfees?\b|tariff|\bcosts?\b|\bquote\b|rate card|day rate"),
    ("terms", r"\bterms\b|conditions|contract|agreement|\bpolicy|\bsla\b|legal|warranty"),
    ("process", r"process|method|approach|onboarding|workflow|timeline|phases|playbook|how we"),
    ("bio", r"\bteam\b|\bbios?\b|about us|people|profile|\bcv\b|who we are|founder"),
    ("service", r"service|offering|package|capabilit|catalogue|catalog|what we do|solution"),
)


@dataclass(frozen=True)
class Piece:
    """A passage before it is embedded."""

    heading: str
    text: str
    currencies: str  # ISO codes, space-separated, sorted


def infer_kind(title: str) -> str:
    """A sensible kind for a document from its title ("Price list" → pricing); "other"."""
    lowered = title.lower().replace("_", " ").replace("-", " ")
    for kind, pattern in _KIND_WORDS:
        if re.search(pattern, lowered):
            return kind
    return "other"


def currencies_in(text: str) -> str:
    """The currencies prices in `text` are written in ("EUR USD"), or ""."""
    return " ".join(sorted(c for c, p in _CURRENCIES.items() if re.search(p, text, re.I)))


def embed_input(title: str, heading: str, text: str) -> str:
    """What a passage is embedded as under `RECIPE`: its title and heading, then its text."""
    head = " — ".join(part for part in (title.strip(), heading.strip()) if part)
    return f"{head}\n\n{text}" if head else text


def sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) for each section of a text with Markdown heading lines. A section's
    heading is its parents' and its own joined by a chevron; the first one's may be ""."""
    found: list[tuple[str, str]] = []
    trail: list[tuple[int, str]] = []
    lines: list[str] = []

    def close() -> None:
        text = "\n".join(lines).strip()
        if text:
            found.append((" › ".join(t for _, t in trail), text))
        lines.clear()

    for line in body.splitlines():
        match = _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        close()
        level = len(match.group(1))
        trail = [(lvl, t) for lvl, t in trail if lvl < level] + [(level, match.group(2))]
    close()
    return found


def chunk_text(body: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Passages of about `size` characters, cut at paragraph or sentence ends, overlapping."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", body):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            pieces.append(paragraph)
        else:
            pieces += [s.strip() for s in re.split(r"(?<=[.!?])\s+", paragraph) if s.strip()]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > size:  # one very long sentence: hard cut
            chunks.append(piece[:size])
            piece = piece[size - overlap :]
        if current and len(current) + len(piece) + 2 > size:
            chunks.append(current)
            tail = current[-overlap:] if overlap else ""
            current = tail[tail.find(" ") + 1 :] if " " in tail else ""
        current = f"{current}\n\n{piece}" if current else piece
    if current.strip():
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def pieces(body: str, size: int = CHUNK_CHARS) -> list[Piece]:
    """The passages of a document, section by section, each with its heading."""
    return [
        Piece(heading[:300], passage, currencies_in(f"{heading}\n{passage}"))
        for heading, text in sections(body)
        for passage in chunk_text(text, size)
    ]
