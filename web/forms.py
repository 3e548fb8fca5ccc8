"""Shared form plumbing: Vietnamese WTForms messages, NFC text, id choices.

Forms check shape only (required, length, dates, well-formed ids). Whether a
parent may hold a child, a card number is free or a role may be dropped is for
the services to say.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, cast
from uuid import UUID

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice

from domain.text import text_problem
from web.catalogue import Translations, message_for

NONE_CHOICE = ""
# The widest integer the stores keep (a signed 64-bit column).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def nfc(value: Any) -> Any:
    """Trim and normalise text to NFC (one spelling for Vietnamese diacritics)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def optional_uuid(value: Any) -> UUID | None:
    """Coerce a select value to a UUID; empty means none."""
    if value is None or isinstance(value, UUID):
        return value
    text = str(value).strip()
    if not text:
        return None
    return UUID(text)


def input_problem(field: Field) -> str | None:
    """Why a field's value cannot be taken (the input hygiene of issue 11), as a
    message code; text that can be taken is normalised to NFC in place.

    Every text field of every form passes here (``BaseForm.validate``), so no
    route checks characters on its own. Passwords are taken as typed.
    """
    data = field.data
    if isinstance(field, PasswordField) or field.name == "csrf_token":
        return None
    if isinstance(data, str):
        problem = text_problem(data, multiline=isinstance(field, TextAreaField))
        if problem is None:
            field.data = unicodedata.normalize("NFC", data)
        return problem
    if (
        isinstance(field, IntegerField)
        and isinstance(data, int)
        and not INT64_MIN <= data <= INT64_MAX
    ):
        return "input.number_out_of_range"
    if isinstance(data, list):
        for item in data:
            if isinstance(item, str) and text_problem(item) is not None:
                return text_problem(item)
    return None


class BaseForm(FlaskForm):  # type: ignore[misc]
    """FlaskForm with Vietnamese built-in messages, and the input hygiene every
    form gets (``input_problem``): bad characters refused next to their field,
    text normalised to NFC, integers kept within 64 bits.

    ``error_fields`` maps a service error code to the field it is about, so a
    refusal is shown next to that field rather than only at the top.
    """

    error_fields: ClassVar[Mapping[str, str]] = {}

    class Meta:
        def get_translations(self, form: Any) -> Translations:
            return Translations()

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        problems = {
            name: code
            for name, field in self._fields.items()
            if (code := input_problem(field)) is not None
        }
        valid = bool(super().validate(extra_validators))
        for name, code in problems.items():
            field = self._fields[name]
            message = message_for(code, {"name": field.label.text})
            field.errors = [*list(field.errors), message]
        return valid and not problems

    def add_error(self, code: str, details: Mapping[str, Any] | None = None) -> str:
        """Attach a service refusal to its field, or to the form; return the text."""
        message = message_for(code, details)
        name = self.error_fields.get(code)
        field = getattr(self, name, None) if name else None
        if field is not None:
            field.errors = [*list(field.errors), message]
        else:
            self.form_errors.append(message)
        return message

    def field_errors(self) -> dict[str, list[str]]:
        """Errors by field name (for the JSON API)."""
        result: dict[str, list[str]] = {}
        for name, field in self._fields.items():
            if field.errors and name != "csrf_token":
                result[name] = [str(e) for e in field.errors]
        if self.form_errors:
            result["_form"] = [str(e) for e in self.form_errors]
        return result


class PlainOptionsSelect(widgets.Select):  # type: ignore[misc]
    """WTForms' select, an option without attributes of its own written
    straight: the same HTML as its ``render_option`` (``selected`` before
    ``value``, both escaped the same way), without an ``html_params`` and a
    ``Markup.format`` per option (a province's cycle page offers some 400
    organisations: they were a quarter of its CPU). An :class:`IdSelectField`
    of plain choices is written in one pass (``plain_options``): no choice
    object, no id parsed and no ``Markup`` per option."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        options = None if self.multiple else plain_options(field)
        if options is None:
            return cast(Markup, super().__call__(field, **kwargs))
        # WTForms' own opening tag (``Select.__call__``), then the options.
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        select_params = widgets.html_params(name=field.name, **kwargs)
        return Markup(f"<select {select_params}>{options}</select>")  # noqa: S704

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        value = choice.value
        # exactly str: Markup (a str) is escaped differently by html_params
        if kwargs or choice.render_kw or type(value) is not str:
            return cast(Markup, super().render_option(choice, **kwargs))
        label = escape(choice.label or value)
        selected = "selected " if choice.selected else ""
        option = f'<option {selected}value="{escape(value)}">{label}</option>'
        return Markup(option)  # noqa: S704 - its value and label escaped here


def _escaped(text: str) -> str:
    """``markupsafe.escape`` of a plain ``str`` (its replacements, in its
    order), without making a ``Markup`` of it."""
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def plain_options(field: Any) -> str | None:
    """The options of an :class:`IdSelectField` as ``render_option`` writes
    them, each selected as WTForms selects it (``coerce(value) == data``);
    None when a choice is not plain (a group, attributes of its own, a value
    or label not exactly ``str``) or the field not the ids' own, for WTForms."""
    choices = field.choices
    data = field.data
    if (
        not isinstance(field, IdSelectField)
        or field.coerce is not optional_uuid
        or not isinstance(choices, list)
        or not (data is None or isinstance(data, UUID))
    ):
        return None
    chosen = None if data is None else str(data)
    parts = []
    for choice in choices:
        value, label = choice.value, choice.label or choice.value
        if (
            type(choice) is not SelectChoice
            or type(value) is not str
            or type(label) is not str
            or choice.render_kw
            or choice.optgroup is not None
        ):
            return None
        if data is None:
            selected = not value.strip()
        else:
            selected = value == chosen or optional_uuid(value) == data
        parts.append(
            f'<option {"selected " if selected else ""}value="{_escaped(value)}">'
            f"{_escaped(label)}</option>"
        )
    return "".join(parts)


class IdSelectField(SelectField):  # type: ignore[misc]
    """A select of ids whose value is a UUID (or None for the empty choice).

    The chosen id is not checked against the list: an unknown id goes to the
    services, which answer ``*.not_found`` in their own words.
    """

    widget = PlainOptionsSelect()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", optional_uuid)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def set_choices(
        self, choices: Iterable[tuple[Any, str]], *, empty: str | None = None
    ) -> None:
        items = [SelectChoice(str(value), label) for value, label in choices]
        if empty is not None:
            items.insert(0, SelectChoice(NONE_CHOICE, empty))
        self.choices = items


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    """Checkboxes for a few choices (roles); the services check the values."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
