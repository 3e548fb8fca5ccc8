"""Server-rendered SVG charts (no JavaScript): ratings by level as stacked bars,
one bar per year or per organisation. Each chart is an image with a Vietnamese
title and description, each segment carries its own <title> (count and
percentage) and the figures are printed beside the bars; the tables on the page
hold the same numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
COLOURS = {  # distinguishable in greyscale too
    "HTXSNV": "#1b5e20",
    "HTTNV": "#43a047",
    "HTNV": "#f9a825",
    "KHTNV": "#c62828",
}
LABEL_W, BAR_W, ROW_H, BAR_H, TOP = 230, 420, 30, 20, 34


def stacked_bars(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Mapping[str, Any]]],
    level_names: Mapping[str, str],
) -> Markup:
    """``rows``: (label, tally) where a tally has ``rated`` and ``levels``."""
    height = TOP + ROW_H * max(len(rows), 1) + 40
    width = LABEL_W + BAR_W + 150
    desc_parts = []
    body = []
    for i, (label, stats) in enumerate(rows):
        y = TOP + i * ROW_H
        rated = int(stats["rated"])
        shown = ", ".join(
            f"{level_names[lv]}: {stats['levels'][lv]['n']}"
            + (f" ({stats['levels'][lv]['percent']})" if rated else "")
            for lv in LEVELS
        )
        desc_parts.append(f"{label} — {shown}" if rated else f"{label} — chưa có")
        body.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 5}" text-anchor="end" '
            f'font-size="12">{_text(label)}</text>'
        )
        x = LABEL_W
        for lv in LEVELS:
            n = int(stats["levels"][lv]["n"])
            if not rated or not n:
                continue
            w = BAR_W * n // rated
            body.append(
                f'<rect x="{x}" y="{y}" width="{max(w, 1)}" height="{BAR_H}" '
                f'fill="{COLOURS[lv]}"><title>{_text(label)} — '
                f"{_text(level_names[lv])}: {n} "
                f"({_text(stats['levels'][lv]['percent'])})</title></rect>"
            )
            x += w
        body.append(
            f'<text x="{LABEL_W + BAR_W + 8}" y="{y + BAR_H - 5}" font-size="12">'
            f"{rated} đã xếp loại</text>"
        )
    legend_y = TOP + ROW_H * max(len(rows), 1) + 10
    x = LABEL_W
    for lv in LEVELS:
        body.append(
            f'<rect x="{x}" y="{legend_y}" width="12" height="12" '
            f'fill="{COLOURS[lv]}"/><text x="{x + 16}" y="{legend_y + 11}" '
            f'font-size="11">{_text(lv)}</text>'
        )
        x += 90
    desc = "; ".join(desc_parts) or "Chưa có số liệu."
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )
    return Markup(svg)  # noqa: S704 - every text above is escaped


def table_rows(rows: Iterable[Sequence[Any]]) -> Markup:
    """A report table's body rows, each cell escaped, the first a row header
    (``report_body.html``; one join: the table of a province's communes has
    thousands of cells, a template loop's step each)."""
    return Markup(  # noqa: S704 - every cell is escaped
        "".join(
            "<tr>"
            + "".join(
                f'<th scope="row">{_cell(v)}</th>' if i == 0 else f"<td>{_cell(v)}</td>"
                for i, v in enumerate(row)
            )
            + "</tr>"
            for row in rows
        )
    )


def _cell(value: Any) -> str:
    """A cell as the template's ``{{ v }}`` wrote it: escaped (an integer's
    digits need none, and most of a report's cells are counts)."""
    return str(value) if type(value) is int else _text(value)


_SPECIAL = re.compile(r"[&<>\"']")


def _text(value: Any) -> str:
    """``escape(value)``'s text: a plain text without a character to escape
    as it is (looked for in C; ``escape`` costs a Markup each)."""
    if type(value) is str and _SPECIAL.search(value) is None:
        return value
    return str(escape(value))
