"""Spreadsheet-safe cells (issue 11): user data in an exported XLSX or CSV file is
text, never a formula.

openpyxl turns any string that starts with ``=`` into a formula, and a
spreadsheet program reading CSV does the same with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return. Every export writes its rows through ``append_row``
(XLSX) or ``csv_cell`` (CSV): text stays text, numbers the export computed stay
numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

# The first characters a spreadsheet program reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: characters XML 1.0 forbids become U+FFFD."""
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append one row; every text value is stored as a text cell (never a
    formula), and one that looks like a formula is also marked with Excel's
    quote prefix so editing the cell keeps it text."""
    cells: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(sheet)
            cell.value = xlsx_text(value)
            cell.data_type = "s"  # after the value: openpyxl guessed "f" for "=…"
            if looks_like_formula(value):
                cell.quotePrefix = True
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def csv_cell(value: Any) -> str:
    """A CSV field that no spreadsheet program evaluates: text that looks like a
    formula gets a leading apostrophe (the OWASP rule)."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text
