"""Sections of the README that ships with this server, for the in-app help an administrator is
pointed to (the README stays the one place these facts are written)."""

from __future__ import annotations

import re
from pathlib import Path

from crmapp.settings import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
_HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)


def section_mentioning(term: str, path: Path = README) -> str:
    """The second-level section (from its `## ` heading to the next) that mentions `term`, as
    Markdown; "" when the README is missing or nothing mentions it. Found by what it says, not
    by its title, so a renamed heading still leads to the right place."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    starts = [m.start() for m in _HEADING.finditer(text) if len(m.group(1)) == 2]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        section = text[start:end]
        if term in section:
            return section.strip()
    return ""
