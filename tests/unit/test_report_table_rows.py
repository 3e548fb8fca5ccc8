"""A report table's rows built in Python (``web.reports.charts.table_rows``)
are the HTML the template's loop wrote, cell by cell: escaped text, integers
and booleans, None, markup left as it is."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from web.reports.charts import table_rows

LOOP = (
    "{% for row in rows %}<tr>{% for v in row %}{% if loop.first %}"
    '<th scope="row">{{ v }}</th>{% else %}<td>{{ v }}</td>{% endif %}'
    "{% endfor %}</tr>{% endfor %}"
)


def test_the_rows_are_those_the_template_loop_wrote():
    rows: list[list[Any]] = [
        ["Đảng viên", 12, "3/4", "75,00%", None, True, 0],
        ['<b>"x" & y</b>', -1, Markup("<i>ok</i>"), "—", 10**20, False, "'"],
        [],
        [7],
    ]
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    expected = env.from_string(LOOP).render(rows=rows)
    assert str(table_rows(rows)) == expected
    assert "&lt;b&gt;&#34;x&#34; &amp; y&lt;/b&gt;" in expected


def test_a_text_is_written_as_escape_writes_it():
    from markupsafe import escape

    from web.reports.charts import _text

    for value in ("Chi bộ 1", "", "a & b", "<", ">", '"', "'", "75,00%", None, 3):
        assert _text(value) == str(escape(value)), value
    assert _text(Markup("<i>x</i>")) == "<i>x</i>"
