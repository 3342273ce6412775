"""Every CSV file Tandem writes goes through here, so no cell can run as a spreadsheet formula.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is what Excel, LibreOffice
and Google Sheets evaluate (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`): such a cell is written with a
leading single quote, which spreadsheets show as text (OWASP "CSV Injection"). `restore` undoes
it when Tandem reads a file back (an export re-imported gives the values it came from).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value` as it is safe to write in a cell (text that could be a formula gets a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(text: str) -> str:
    """A cell as it was before `neutralise` (a quote that guards nothing stays)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class Writer:
    """`csv.writer` over a text buffer, neutralising every cell."""

    def __init__(self, out: io.StringIO | None = None):
        self.out = out or io.StringIO()
        self._writer = csv.writer(self.out)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row."""
        self._writer.writerow([neutralise(cell) for cell in row])

    def getvalue(self) -> str:
        """Everything written so far."""
        return self.out.getvalue()


def write(rows: Iterable[Iterable[Any]]) -> str:
    """`rows` as CSV text."""
    writer = Writer()
    for row in rows:
        writer.writerow(row)
    return writer.getvalue()
