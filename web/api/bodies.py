"""The JSON API's one input validation: every write endpoint is registered with
what it accepts (``post(rule, spec)``, a ``web.api.fields.Body`` or ``OneOf``),
its view reads the request through that spec (``body()``), and the OpenAPI
document's request bodies are generated from the same registry
(``web.api.openapi_bodies``). A body that is not of the spec's shape is the one
400 answer: ``{"code": "form.invalid", "message", "fields": {name: [...]}}``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from flask import jsonify, request

from web.api import bp
from web.api.fields import Body, BodyInvalid, Spec
from web.catalogue import message_for
from web.dispatch import send_json
from web.errors import Refused, json_error
from web.identity import requires, user

V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class Accepted:
    """What one endpoint of the blueprint takes: its URL rule (under /api/v1)
    and the spec of its JSON body."""

    rule: str
    spec: Spec


# endpoint name (without the blueprint's "api.") -> what it accepts
ACCEPTED: dict[str, Accepted] = {}


def post(rule: str, spec: Spec, *, endpoint: str | None = None) -> Callable[[V], V]:
    """Register ``view`` as ``POST rule`` taking a body of ``spec``."""

    def register(view: V) -> V:
        name = endpoint or view.__name__
        if name in ACCEPTED:
            raise RuntimeError(f"endpoint {name} registered twice")
        ACCEPTED[name] = Accepted(rule, spec)
        bp.add_url_rule(rule, endpoint=name, view_func=view, methods=["POST"])
        return view

    return register


def spec_of(endpoint: str | None) -> Spec:
    """The spec registered for ``endpoint`` (``api.name`` or ``name``)."""
    name = (endpoint or "").removeprefix(bp.name + ".")
    return ACCEPTED[name].spec


def body() -> dict[str, Any]:
    """The request's JSON object parsed by the spec of the endpoint answering
    it; a request without a body is an empty object."""
    data = request.get_json(silent=True)
    if data is None and not request.get_data(cache=True):
        data = {}
    try:
        return spec_of(request.endpoint).parse(data)
    except BodyInvalid as exc:
        raise Refused(json_error("form.invalid", 400, fields=exc.fields)) from None


def refused(**fields: str) -> Refused:
    """The one 400 answer for parameters of a request (its query): each named
    field with the message of its catalogue code, e.g.
    ``refused(year="input.field_required")``."""
    messages = {name: [message_for(code)] for name, code in fields.items()}
    return Refused(json_error("form.invalid", 400, fields=messages))


def run(command: Any) -> Any:
    """Send a command signed by the current user through the bus; a refusal
    becomes the JSON error, naming the body's field it is about when the
    endpoint's spec knows it (``web.dispatch.send_json``)."""
    return send_json(command, form=spec_of(request.endpoint))


def created(payload: dict[str, Any], location: str) -> Any:
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def acting() -> str:
    return str(user().actor)


def register_commands(
    path: str,
    key: str,
    table: Mapping[str, tuple[Callable[..., Any], Body]],
    action: str,
    endpoint: str,
) -> None:
    """One POST endpoint per entry of ``table`` (name → (command, body)):
    ``{path}/{name}`` sends the command (its class, or a function making it)
    with ``{key: id}`` and the parsed body,
    and answers ``{"id": id}``; endpoint ``{endpoint}{name}`` with ``/`` and
    ``-`` as ``_``."""

    def view_of(command: Callable[..., Any]) -> Callable[..., Any]:
        def view(**ids: UUID) -> Any:
            target = ids[key]
            run(command(actor_id=acting(), **{key: target}, **body()))
            return jsonify({"id": str(target)})

        return requires(action)(view)

    for name, (command, spec) in table.items():
        post(
            f"{path}/{name}",
            spec,
            endpoint=endpoint + name.replace("/", "_").replace("-", "_"),
        )(view_of(command))
