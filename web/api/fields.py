"""What a JSON API endpoint accepts, stated once: a ``Body`` of named ``Field``s
(or a ``OneOf`` of bodies told apart by one field). The same object parses the
request (``Body.parse``: shape only: types, dates, ids, lengths, required
fields; every rule is the domain's) and gives its JSON schema
(``Body.schema``), from which ``web.api.openapi_bodies`` writes the OpenAPI
document's request bodies, so the document cannot describe another shape
than the one the handler takes.

A ``known`` list on a text field documents the values the domain takes (an
``enum`` in the schema); the domain refuses the others with its own code.
Error messages are the catalogue's (``input.*``), by field name."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from domain.text import text_problem
from web.catalogue import message_for

MAX_TEXT = 20000
INT32 = 2**31 - 1
INT64 = 2**63 - 1
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
JsonSchema = dict[str, Any]


class Invalid(Exception):
    """A value not of its field's shape: the catalogue code that says why."""

    def __init__(self, code: str = "input.field_invalid", **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def message(self) -> str:
        return message_for(self.code, self.details)


class BodyInvalid(Exception):
    """A body refused: Vietnamese messages by field name (``_form``: the whole)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("form.invalid")
        self.fields = fields


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True)
class Field:
    """One field of a body: required unless ``required=False``; an optional
    field not given is left out, or is ``default`` when it has one.
    ``deprecated``: still taken, for existing clients; the schema says so."""

    required: bool = True
    description: str = ""
    default: Any = NO_DEFAULT
    deprecated: bool = False

    def parse(self, raw: Any) -> Any:
        raise NotImplementedError

    def absent(self, raw: Any) -> bool:
        """Whether ``raw`` counts as not given (null, or blank where blank means
        nothing)."""
        return raw is None

    def shape(self) -> JsonSchema:
        raise NotImplementedError

    def schema(self) -> JsonSchema:
        found = self.shape()
        if self.description:
            found["description"] = self.description
        if self.default is not NO_DEFAULT and self.default is not None:
            found["default"] = _json(self.default)
        if self.deprecated:
            found["deprecated"] = True
        return found


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Text(Field):
    """Text, normalised to NFC. ``trimmed``: the ends are cut and a blank value
    is no value; ``one_line``: no line breaks or other control characters;
    ``secret``: a password, taken as typed."""

    limit: int = MAX_TEXT
    trimmed: bool = False
    one_line: bool = False
    secret: bool = False
    known: tuple[str, ...] = ()

    def absent(self, raw: Any) -> bool:
        if raw is None:
            return True
        blank_is_none = self.trimmed or self.secret
        return blank_is_none and isinstance(raw, str) and not raw.strip()

    def parse(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise Invalid("input.text_expected")
        value = raw if self.secret else unicodedata.normalize("NFC", raw)
        if self.trimmed:
            value = value.strip()
        if self.one_line and (problem := text_problem(value)) is not None:
            raise Invalid(problem)
        if len(value) > self.limit:
            raise Invalid("input.text_too_long", limit=self.limit)
        return value

    def shape(self) -> JsonSchema:
        found: JsonSchema = {"type": "string", "maxLength": self.limit}
        if self.secret:
            found.update(format="password", writeOnly=True)
        if self.known:
            found["enum"] = list(self.known)
        return found


@dataclass(frozen=True)
class Uuid(Field):
    def absent(self, raw: Any) -> bool:
        return raw is None or raw == ""

    def parse(self, raw: Any) -> UUID:
        if not isinstance(raw, str):
            raise Invalid("input.id_invalid")
        try:
            return UUID(raw)
        except ValueError:
            raise Invalid("input.id_invalid") from None

    def shape(self) -> JsonSchema:
        return {"type": "string", "format": "uuid"}


@dataclass(frozen=True)
class Date(Field):
    """A calendar date written YYYY-MM-DD."""

    def parse(self, raw: Any) -> date:
        if not isinstance(raw, str) or not _DATE.fullmatch(raw):
            raise Invalid("input.date_invalid")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise Invalid("input.date_invalid") from None

    def shape(self) -> JsonSchema:
        return {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Int(Field):
    """A JSON integer (not a boolean, not a decimal) within the bounds."""

    minimum: int = -INT32
    maximum: int = INT32

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise Invalid("input.integer_invalid", low=self.minimum, high=self.maximum)
        if not self.minimum <= raw <= self.maximum:
            raise Invalid("input.integer_invalid", low=self.minimum, high=self.maximum)
        return raw

    def shape(self) -> JsonSchema:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Bool(Field):
    def parse(self, raw: Any) -> bool:
        if not isinstance(raw, bool):
            raise Invalid("input.boolean_invalid")
        return raw

    def shape(self) -> JsonSchema:
        return {"type": "boolean"}


@dataclass(frozen=True)
class DecimalText(Field):
    """A decimal number as text (``"8.5"``) or a JSON integer; a JSON decimal is
    refused (no floats). The domain checks the digits."""

    def parse(self, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise Invalid("input.decimal_invalid")
        return str(raw)

    def shape(self) -> JsonSchema:
        return {"type": ["string", "integer"], "examples": ["8.5"]}


@dataclass(frozen=True)
class Base64(Field):
    """Bytes as base64 text."""

    def parse(self, raw: Any) -> bytes:
        if not isinstance(raw, str):
            raise Invalid("input.base64_invalid")
        try:
            return base64.b64decode(raw, validate=True)
        except binascii.Error:
            raise Invalid("input.base64_invalid") from None

    def shape(self) -> JsonSchema:
        return {"type": "string", "contentEncoding": "base64"}


@dataclass(frozen=True)
class ListOf(Field):
    """A JSON array of ``item``s, as a tuple."""

    item: Field = field(default_factory=Text)
    min_items: int = 0

    def parse(self, raw: Any) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise Invalid("input.list_expected")
        if len(raw) < self.min_items:
            raise Invalid("input.list_too_short", count=self.min_items)
        found = []
        for value in raw:
            if self.item.absent(value):
                raise Invalid("input.list_item_missing")
            found.append(self.item.parse(value))
        return tuple(found)

    def shape(self) -> JsonSchema:
        found: JsonSchema = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            found["minItems"] = self.min_items
        return found


@dataclass(frozen=True)
class MapOf(Field):
    """A JSON object of text keys to ``item``s, as a dict."""

    item: Field = field(default_factory=Text)

    def parse(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise Invalid("input.object_expected")
        return {str(key): self.item.parse(value) for key, value in raw.items()}

    def shape(self) -> JsonSchema:
        return {"type": "object", "additionalProperties": self.item.schema()}


@dataclass(frozen=True)
class ObjectOf(Field):
    """A nested JSON object with its own fields; ``build`` makes the value the
    command takes from the parsed fields (default: the dict). ``open``: other
    keys are passed on unchecked for the domain to judge; ``closed``: other
    keys are refused (``input.member_unknown``), and the schema says
    ``additionalProperties: false``. Neither: other keys are ignored. A member
    not of its shape is refused naming the member."""

    fields: Mapping[str, Field] = field(default_factory=dict)
    build: Callable[[dict[str, Any]], Any] | None = None
    open: bool = False
    closed: bool = False

    def __post_init__(self) -> None:
        if self.open and self.closed:
            raise ValueError("an object is open or closed, not both")

    def parse(self, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise Invalid("input.object_expected")
        unknown = sorted(str(k) for k in raw if k not in self.fields)
        if self.closed and unknown:
            raise Invalid(
                "input.member_unknown",
                name=", ".join(unknown),
                known=", ".join(self.fields),
            )
        values = dict(raw) if self.open else {}
        for name, item in self.fields.items():
            given = raw.get(name)
            if item.absent(given):
                values.pop(name, None)
                if item.required:
                    raise Invalid("input.member_missing", name=name)
                if item.default is not NO_DEFAULT:
                    values[name] = item.default
                continue
            try:
                values[name] = item.parse(given)
            except Invalid as exc:
                raise Invalid(
                    "input.member_invalid", name=name, reason=exc.message()
                ) from None
        return self.build(values) if self.build else values

    def shape(self) -> JsonSchema:
        found = object_schema(self.fields)
        if self.closed:
            found["additionalProperties"] = False
        return found


def object_schema(fields: Mapping[str, Field]) -> JsonSchema:
    """An object of ``fields``; other keys are ignored (or, for an open object,
    passed on), so the schema does not forbid them."""
    found: JsonSchema = {
        "type": "object",
        "properties": {name: item.schema() for name, item in fields.items()},
    }
    required = [name for name, item in fields.items() if item.required]
    if required:
        found["required"] = required
    return found


def optional(item: Field, default: Any = NO_DEFAULT) -> Field:
    """``item`` not required; when not given, ``default`` if there is one."""
    return replace(item, required=False, default=default)


def _form_error() -> BodyInvalid:
    return BodyInvalid({"_form": [message_for("form.invalid")]})


@dataclass(frozen=True)
class Body:
    """The fields of an endpoint's JSON object. ``error_fields``: the refusal
    codes of the domain that are about one field (the answer names it).
    ``apart``: groups of optional fields of which at most one may be given (a
    field and the deprecated one it replaces); giving more is refused on each
    of them (``input.fields_apart``), and the schema says ``not: required``."""

    fields: Mapping[str, Field] = field(default_factory=dict)
    error_fields: Mapping[str, str] = field(default_factory=dict)
    apart: tuple[tuple[str, ...], ...] = ()

    @property
    def required(self) -> bool:
        return any(item.required for item in self.fields.values())

    def parse(self, data: Any) -> dict[str, Any]:
        """The values of ``data`` by field name; ``BodyInvalid`` names every
        field that is missing or not of its shape. Other keys are ignored."""
        if not isinstance(data, dict):
            raise _form_error()
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, item in self.fields.items():
            raw = data.get(name)
            if item.absent(raw):
                if item.required:
                    errors[name] = [message_for("input.field_required")]
                elif item.default is not NO_DEFAULT:
                    values[name] = item.default
                continue
            try:
                values[name] = item.parse(raw)
            except Invalid as exc:
                errors[name] = [exc.message()]
        for group in self.apart:
            given = [name for name in group if name in values]
            if len(given) > 1:
                both = ", ".join(f"“{name}”" for name in group)
                for name in given:
                    errors[name] = [message_for("input.fields_apart", {"names": both})]
        if errors:
            raise BodyInvalid(errors)
        return values

    def schema(self) -> JsonSchema:
        found = object_schema(self.fields)
        apart = [{"not": {"required": list(group)}} for group in self.apart]
        if len(apart) == 1:
            found.update(apart[0])
        elif apart:
            found["allOf"] = apart
        return found


@dataclass(frozen=True)
class OneOf:
    """One of several bodies, chosen by the text field ``tag`` (its value is in
    the parsed values); an unknown choice is ``unknown_code``'s message."""

    tag: str
    variants: Mapping[str, Body]
    unknown_code: str = "input.choice_invalid"
    error_fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return True

    def parse(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise _form_error()
        choice = data.get(self.tag)
        if choice is None or choice == "":
            raise BodyInvalid({self.tag: [message_for("input.field_required")]})
        variant = self.variants.get(choice) if isinstance(choice, str) else None
        if variant is None:
            raise BodyInvalid({self.tag: [message_for(self.unknown_code)]})
        return {self.tag: choice, **variant.parse(data)}

    def schema(self) -> JsonSchema:
        variants = []
        for choice, variant in self.variants.items():
            found = variant.schema()
            found["properties"] = {
                self.tag: {"type": "string", "const": choice},
                **found["properties"],
            }
            found["required"] = [self.tag, *found.get("required", [])]
            variants.append(found)
        return {"oneOf": variants}


Spec = Body | OneOf
