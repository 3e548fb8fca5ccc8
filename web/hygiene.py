"""Bad input refused at the boundary, once, never a 500 (issue 11).

One hook checks every request before any view runs:

* query and path parameters: no control characters (NUL reaches no SQL), and an
  integer literal beyond 64 bits is refused (400) instead of overflowing a
  database column; ``<int:…>`` URL parts are bounded the same way (no match, 404);
* a submitted form: no control characters (but line breaks and tabs) and no
  bidi overrides in any field, password fields aside;
* any other write body that is not a form: nested at most ``JSON_MAX_DEPTH``
  deep (the booth parses its ballots as JSON);
* a JSON body under ``/api/v1``: well-formed UTF-8 JSON, nested at most
  ``JSON_MAX_DEPTH`` deep (checked before parsing, so a body nested 50,000 deep
  never reaches the parser's recursion), at most ``JSON_MAX_BYTES`` long, numbers
  finite and within 64 bits, every text free of lone surrogates, control
  characters (except line breaks and tabs), bidirectional overrides and
  invisible-only values (``domain.text``), and normalised to NFC. The checked
  body is what the views read (``request.get_json``).

Forms get the same text rules field by field (``web.forms.BaseForm``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any

from flask import Flask, Request, request
from werkzeug.routing import IntegerConverter

from domain.text import text_problem

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
JSON_MAX_DEPTH = 32
JSON_MAX_BYTES = 1024 * 1024
_STRUCTURE = re.compile(r'[\[\]{}"\\]')
_INTEGER = re.compile(r"[+-]?\d+")
_UNCHECKED = object()


class InputRefused(Exception):
    """A request part that cannot be taken: a message code, its details."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


class CheckedRequest(Request):
    """A request whose JSON body, once checked, is the one views read."""

    checked_json: Any = _UNCHECKED

    def get_json(
        self, force: bool = False, silent: bool = False, cache: bool = True
    ) -> Any:
        if self.checked_json is not _UNCHECKED:
            return self.checked_json
        return super().get_json(force=force, silent=silent, cache=cache)


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only what a 64-bit column holds."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(map, *args, **kwargs)


def too_deep(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests arrays and objects more than ``limit`` deep,
    found without parsing (brackets inside strings do not count)."""
    depth = 0
    in_string = False
    skip_to = -1
    for match in _STRUCTURE.finditer(text):
        at = match.start()
        if at < skip_to:
            continue
        char = text[at]
        if in_string:
            if char == "\\":
                skip_to = at + 2  # the escaped character is not structure
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise InputRefused("input.number_not_finite", name=name)


def checked_json(raw: bytes) -> Any:
    """The JSON body, checked and normalised; ``InputRefused`` otherwise."""
    if len(raw) > JSON_MAX_BYTES:
        raise InputRefused("input.json_too_large", limit=JSON_MAX_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused("input.json_invalid") from None
    if too_deep(text, JSON_MAX_DEPTH):
        raise InputRefused("input.json_too_deep", limit=JSON_MAX_DEPTH)
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InputRefused("input.json_invalid") from None
    return _clean(body, "")


def _clean(value: Any, name: str) -> Any:
    if isinstance(value, str):
        return _clean_text(value, name, multiline=True)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise InputRefused("input.number_out_of_range", name=name)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputRefused("input.number_not_finite", name=name)
        return value
    if isinstance(value, list):
        return [_clean(item, name) for item in value]
    if isinstance(value, dict):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            field = _clean_text(key, name, multiline=False)
            cleaned[field] = _clean(item, field)
        return cleaned
    return value


def _clean_text(value: str, name: str, *, multiline: bool) -> str:
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise InputRefused(problem, name=name)
    return unicodedata.normalize("NFC", value)


def check_parameter(name: str, value: str) -> None:
    """A query or path parameter: no control characters, integers within 64 bits."""
    problem = text_problem(value)
    if problem is not None and problem != "text.invisible_only":
        raise InputRefused(problem, name=name)
    if _INTEGER.fullmatch(value.strip()) and not (INT64_MIN <= int(value) <= INT64_MAX):
        raise InputRefused("input.number_out_of_range", name=name)


def check_form_value(name: str, value: str) -> None:
    """Any submitted form field, the ones pages read without a form class too:
    no control characters but line breaks and tabs, no bidi overrides. Fields
    named like passwords are taken as typed. Per-field rules (one-line text,
    invisible-only values) are ``web.forms.BaseForm``'s."""
    if "password" in name or name == "confirm":
        return
    problem = text_problem(value, multiline=True)
    if problem is not None and problem != "text.invisible_only":
        raise InputRefused(problem, name=name)


def check_request() -> None:
    """Check what this request brings; ``InputRefused`` on the first problem."""
    for name, value in request.args.items(multi=True):
        check_parameter(name, value)
    for name, arg in (request.view_args or {}).items():
        if isinstance(arg, str):
            check_parameter(name, arg)
    if request.method not in WRITES:
        return
    if request.mimetype in FORM_TYPES:
        for name, value in request.form.items(multi=True):
            check_form_value(name, value)
        return
    raw = request.get_data(cache=True)  # kept: the view reads the same bytes
    if not raw:
        return
    if _is_api() and request.is_json:
        body = checked_json(raw)
        if isinstance(request, CheckedRequest):
            request.checked_json = body
    elif too_deep(raw.decode("utf-8", errors="replace"), JSON_MAX_DEPTH):
        # Any other body some view parses as JSON (the booth's ballots): the
        # depth bound alone, the view checks the rest in its own terms.
        raise InputRefused("input.json_too_deep", limit=JSON_MAX_DEPTH)


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _is_api() -> bool:
    from web.security import is_api_request

    return is_api_request()


def init_app(app: Flask) -> None:
    """Install the bounded ``int`` converter and the request class (before any
    blueprint is registered); the hook itself is registered by ``web.security``
    so that it runs in its place among the others."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = CheckedRequest


def refusal_response(exc: InputRefused) -> Any:
    from web.catalogue import message_for
    from web.errors import error_page, json_error

    message = message_for(exc.code, exc.details)
    if exc.details.get("name") and exc.code.startswith("text."):
        message = message_for(
            "input.text_invalid", {"name": exc.details["name"], "reason": message}
        )
    if _is_api() or request.is_json or exc.code.startswith("input.json"):
        return json_error(exc.code, 400, message)
    return error_page(400, message, exc.code)
