"""Words that depend on a count ("1 company", "3 companies") and labels made from identifiers.

The one place the app pluralises: pages, toasts and services all call `plural` (or, in the
browser, `components.ui.counted`, which takes its words from here).
"""

from __future__ import annotations

import re

IRREGULAR = {"person": "people", "is": "are", "was": "were", "has": "have", "it": "them"}
_ES_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural_of(noun: str) -> str:
    """The plural of an English noun: company → companies, match → matches, deal → deals."""
    if noun in IRREGULAR:
        return IRREGULAR[noun]
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if noun.endswith(_ES_ENDINGS):
        return noun + "es"
    return noun + "s"


def singular_of(noun: str) -> str:
    """The singular of a plural `plural_of` makes: companies → company, deals → deal."""
    for one, many in IRREGULAR.items():
        if noun == many:
            return one
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(tuple(e + "es" for e in _ES_ENDINGS)):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun


def noun_for(count: int, noun: str, many: str | None = None) -> str:
    """`noun` or its plural (`many` when given), as `count` needs."""
    return noun if count == 1 else (many or plural_of(noun))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and the noun that agrees with it: `1 company`, `3 companies`, `1,200 deals`."""
    return f"{count:,} {noun_for(count, noun, many)}"


def humanise(identifier: str) -> str:
    """A label from an identifier: `pending_review` → `Pending review`."""
    text = identifier.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]
