"""OpenAPI 3.1 path and schema of ``POST /reorganisations``, generated from the
table that parses its bodies (``web.api.reorganisation``)."""

from __future__ import annotations

from typing import Any

from web.api import reorganisation as m
from web.api.openapi_ratings import JSON_TYPES, UUID_SCHEMA

_PAIR = {"type": "array", "items": {"type": "object"}}
EXTRA_TYPES: dict[Any, dict[str, Any]] = {
    m._uuids: {"type": "array", "items": UUID_SCHEMA},
    m._posts: {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"member_id": UUID_SCHEMA, "role": {"type": "string"}},
            "required": ["member_id", "role"],
        },
    },
    m._new: {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "parent_id": UUID_SCHEMA,
        },
        "required": ["code", "name", "kind", "parent_id"],
    },
}


def _property(parser: Any) -> dict[str, Any]:
    known = {**JSON_TYPES, **EXTRA_TYPES}
    if parser in known:
        return known[parser]
    return {
        "type": "array",
        "items": {"type": "object", "description": "{<id>: uuid, to: uuid}"},
    }


def schemas() -> dict[str, Any]:
    variants = []
    for operation, (_command, spec) in m.OPERATIONS.items():
        fields = {**m.DECISION, **spec}
        properties = {name: _property(p) for name, (p, _r) in fields.items()}
        properties["operation"] = {"type": "string", "const": operation}
        required = [name for name, (_p, req) in fields.items() if req]
        variants.append(
            {"type": "object", "properties": properties, "required": required}
        )
    return {"Reorganise": {"oneOf": variants}}


def paths(read: Any, write: Any) -> dict[str, Any]:
    """Paths built with the helpers of ``web.api.openapi`` (``_write``)."""
    del read
    ok = {
        "description": "Recorded",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    return {
        "/reorganisations": {
            "post": write(
                "reorganise",
                "Reorganise the tree by a decision (rename, move, change of kind, "
                "merge, split, dissolve); the decision maker of the common parent",
                "Reorganise",
                ok,
            )
        }
    }
