"""Spreadsheet-safe cells (issue 11): user data in an exported XLSX or CSV file is
text, never a formula.

openpyxl turns any string that starts with ``=`` into a formula, and a
spreadsheet program reading CSV does the same with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return. Every export writes its rows through ``append_row``
(XLSX) or ``csv_cell`` (CSV): text stays text, numbers the export computed stay
numbers, a percentage is a number shown as one (``Percent``) and a date a date
shown as dd/mm/yyyy, so a reader can sum and sort them (issue 13 §5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

# The first characters a spreadsheet program reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Percent:
    """A share shown as a percentage: the exact value for a spreadsheet cell, the
    rounded text (``85,90%``) wherever it is printed."""

    exact: Fraction
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Day:
    """A calendar day: a date cell in a spreadsheet, dd/mm/yyyy wherever printed."""

    value: date

    def __str__(self) -> str:
        return self.value.strftime("%d/%m/%Y")


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
        elif isinstance(value, Percent):
            cell = Cell(sheet, value=float(value.exact))
            cell.number_format = PERCENT_FORMAT
            cells.append(cell)
        elif isinstance(value, Day) or (
            isinstance(value, date) and not isinstance(value, datetime)
        ):
            cell = Cell(sheet, value=value.value if isinstance(value, Day) else value)
            cell.number_format = DATE_FORMAT
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def fit_columns(
    sheet: Worksheet, *, skip_rows: int = 0, least: int = 8, most: int = 48
) -> None:
    """Give each column the width of its longest shown value (between ``least``
    and ``most`` characters), ignoring the first ``skip_rows`` rows (titles that
    span the sheet); long text wraps instead of overflowing its cell."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is None:
                continue
            shown = _shown(cell.value)
            letter = str(cell.column_letter)
            widths[letter] = max(widths.get(letter, 0), len(shown))
            if len(shown) > most:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = max(least, min(most, width + 2))


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2%}"
    if isinstance(value, date | Day):
        return "00/00/0000"
    return str(value)


def csv_cell(value: Any) -> str:
    """A CSV field that no spreadsheet program evaluates: text that looks like a
    formula gets a leading apostrophe (the OWASP rule)."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text
