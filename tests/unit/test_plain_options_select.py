"""The select of ids writes its options straight (cyclepage, issue 14): the
HTML is WTForms' own, byte for byte, whatever the choices hold (characters to
escape, Markup, no label, the selected one, attributes of an option's own)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import Form, SelectField, widgets
from wtforms.fields.choices import SelectChoice

from web.forms import IdSelectField, PlainOptionsSelect, plain_options

IDS = [uuid5(NAMESPACE_URL, f"org/{n}") for n in range(5)]


class Chosen(Form):  # type: ignore[misc]
    org = IdSelectField("Tổ chức")
    text = SelectField("Chữ", widget=PlainOptionsSelect(), validate_choice=False)


def _same_as_wtforms(field: SelectField) -> str:
    assert isinstance(field.widget, PlainOptionsSelect)
    plain = ""
    for kwargs in ({}, {"aria_invalid": "true", "id": "x-1"}):
        plain = str(field.widget(field, **kwargs))
        assert plain == str(widgets.Select()(field, **kwargs))
    return plain


def test_the_options_of_ids_are_wtforms_own_html():
    for data in (None, IDS[2]):
        form = Chosen(data={"org": data})
        form.org.set_choices(
            [
                (IDS[0], 'Chi bộ "Bến Tre" <1> & 2'),
                (IDS[1], Markup('Đảng bộ <b>xã</b> "A"')),
                (IDS[2], ""),  # no label: the value shown
                (IDS[3], "Ban Thường vụ"),
            ],
            empty="— Chọn —",
        )
        form.org.choices += [
            SelectChoice(str(IDS[4]), "its own", render_kw={"data_x": '"1"'})
        ]
        plain = _same_as_wtforms(form.org)
        assert f'<option selected value="{data or ""}">' in plain
        assert plain.count("selected") == 1


def test_odd_values_are_wtforms_own_html():
    form = Chosen(data={"text": 'a"b'})
    form.text.choices = [
        SelectChoice(Markup('a"b'), "Markup, a quote in it"),
        SelectChoice('a"b', "a quote <escaped>"),
        SelectChoice("<&>", None),
        SelectChoice(True, "a bool"),
    ]
    plain = _same_as_wtforms(form.text)
    assert "&#34;" in plain
    assert "&quot;" in plain  # html_params' own, for the Markup value


LABELS = st.text(alphabet=st.sampled_from(list("aĐếở <>&'\"\\x ")), max_size=12)
VALUES = st.sampled_from(
    [str(IDS[0]), str(IDS[1]), str(IDS[1]).upper(), "", " ", str(IDS[3])]
)


@settings(max_examples=200, deadline=None)
@given(
    choices=st.lists(st.tuples(VALUES, LABELS), max_size=8),
    data=st.sampled_from([None, IDS[0], IDS[1], IDS[4]]),
    empty=st.none() | LABELS,
)
def test_plain_choices_written_in_one_pass_are_wtforms_own_html(
    choices: list[tuple[str, str]], data: UUID | None, empty: str | None
) -> None:
    """Every option plain (the cycle page's lists): the one-pass writing is
    taken, and gives WTForms' HTML, the same option selected (an id written
    in capitals is the same id)."""
    form = Chosen(data={"org": data})
    form.org.set_choices(choices, empty=empty)
    assert plain_options(form.org) is not None
    _same_as_wtforms(form.org)
