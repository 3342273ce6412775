"""Every CSV Tandem writes neutralises cells a spreadsheet would run as a formula (OWASP)."""

from __future__ import annotations

import csv
import io

import pytest

from crmapp.services.platform import csvfile


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example","Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_written_as_text(cell):
    text = csvfile.write([["Name", "Note"], ["Ada", cell]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["Ada", "'" + cell]
    assert csvfile.restore(rows[1][1]) == cell  # reading Tandem's own file back gives the value


def test_ordinary_cells_and_numbers_are_unchanged():
    text = csvfile.write([["a", "b", "c", "d"], ["Ada Lovelace", 12, "ada@x.example", "it's"]])
    assert list(csv.reader(io.StringIO(text)))[1] == ["Ada Lovelace", "12", "ada@x.example", "it's"]
    assert csvfile.restore("'quoted") == "'quoted"  # a quote not guarding a formula stays


def test_the_header_row_is_neutralised_too():
    text = csvfile.write([["=cmd", "Email"]])
    assert next(csv.reader(io.StringIO(text))) == ["'=cmd", "Email"]
