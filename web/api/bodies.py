"""The JSON API's bodies: each endpoint names its fields as ``{name: (parser,
required)}`` and :func:`body` checks the request's object against it (shape
only: types, dates, required fields; every rule is the domain's). The same
tables generate the OpenAPI document (``web.api.openapi_ratings``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from flask import jsonify, request

from web.api import bp
from web.catalogue import message_for
from web.dispatch import send_json
from web.errors import Refused, json_error
from web.identity import requires, user

MAX_TEXT = 20000


class _Missing:
    pass


MISSING = _Missing()


def as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    if len(value) > MAX_TEXT:
        raise ValueError
    return unicodedata.normalize("NFC", value)


def as_uuid(value: Any) -> UUID:
    return UUID(str(value))


def as_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError
    return date.fromisoformat(value)


def as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    if not -(2**31) < value < 2**31:
        raise ValueError
    return value


def as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def as_texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(as_text(v) for v in value)


def as_text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError
    return {as_text(k): as_text(v) for k, v in value.items()}


def as_points(value: Any) -> dict[str, str]:
    """Points as decimal text; a JSON number is refused (no floats)."""
    if not isinstance(value, dict):
        raise ValueError
    out = {}
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ValueError
        out[as_text(key)] = str(item)
    return out


def as_deadlines(value: Any) -> tuple[tuple[str, str, date], ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(
        (as_text(d["level"]), as_text(d["milestone"]), as_date(d["due"])) for d in value
    )


def as_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError
    return value


def as_criteria_items(value: Any) -> tuple[tuple[str, str, int, str], ...]:
    if not isinstance(value, list):
        raise ValueError
    items = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError
        items.append(
            (
                as_text(item.get("code")),
                as_text(item.get("group")),
                as_int(item.get("max_points")),
                as_text(item.get("title")),
            )
        )
    return tuple(items)


Parser = Callable[[Any], Any]


def body(spec: dict[str, tuple[Parser, bool]]) -> dict[str, Any]:
    """The request's JSON object parsed by ``spec`` (name -> (parser, required))."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Refused(
            json_error(
                "form.invalid", 400, fields={"_form": [message_for("form.invalid")]}
            )
        )
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, (parse, required) in spec.items():
        raw = data.get(name, MISSING)
        if raw is MISSING or raw is None:
            if required:
                errors[name] = [message_for("rating.body_field_required")]
            continue
        try:
            values[name] = parse(raw)
        except (ValueError, TypeError, KeyError):
            errors[name] = [message_for("rating.body_field_invalid")]
    if errors:
        raise Refused(json_error("form.invalid", 400, fields=errors))
    return values


def run(command: Any) -> Any:
    """Send a command signed by the current user through the bus; a refusal
    becomes the JSON error (``web.dispatch.send_json``)."""
    return send_json(command)


def created(payload: dict[str, Any], location: str):
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


REQ, OPT = True, False


def acting() -> str:
    return str(user().actor)


Spec = dict[str, tuple[Parser, bool]]


def register_commands(
    path: str,
    key: str,
    table: dict[str, tuple[type, Spec]],
    action: str,
    endpoint: str,
) -> None:
    """One POST endpoint per entry of ``table`` (name → (command, spec)):
    ``{path}/{name}`` sends the command with ``{key: id}`` and the body parsed by
    the spec, and answers ``{"id": id}``; endpoint ``{endpoint}{name}`` with
    ``/`` and ``-`` as ``_``."""

    def view_of(command: type, spec: Spec) -> Callable[..., Any]:
        def view(**ids: UUID) -> Any:
            target = ids[key]
            run(command(actor_id=acting(), **{key: target}, **body(spec)))
            return jsonify({"id": str(target)})

        return requires(action)(view)

    for name, (command, spec) in table.items():
        bp.add_url_rule(
            f"{path}/{name}",
            endpoint=endpoint + name.replace("/", "_").replace("-", "_"),
            view_func=view_of(command, spec),
            methods=["POST"],
        )
