"""The OpenAPI request bodies, generated from what the endpoints accept
(``web.api.bodies.ACCEPTED``): each write operation's ``requestBody`` refers to
the schema of its registered spec, named after the operation (``foundOrganisation``
→ ``FoundOrganisation``). No request body is written by hand."""

from __future__ import annotations

import re
from typing import Any

from web.api.bodies import ACCEPTED, Accepted
from web.api.fields import JsonSchema

_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/a/<uuid:x>`` → ``/a/{x}``."""
    return _PARAMETER.sub(r"{\1}", rule)


def schema_name(operation_id: str) -> str:
    return operation_id[:1].upper() + operation_id[1:]


def request_body(accepted: Accepted, name: str) -> dict[str, Any]:
    return {
        "required": accepted.spec.required,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
        },
    }


def add_request_bodies(paths: dict[str, Any], schemas: dict[str, JsonSchema]) -> None:
    """Give every registered endpoint's operation in ``paths`` its request body,
    and ``schemas`` the body's schema. An endpoint the document does not
    describe is an error of the code, found by the tests."""
    for endpoint, accepted in sorted(ACCEPTED.items()):
        path = openapi_path(accepted.rule)
        operation = paths.get(path, {}).get("post")
        if operation is None:
            raise LookupError(f"no POST {path} in the document for {endpoint}")
        name = schema_name(operation["operationId"])
        if name in schemas:
            raise LookupError(f"schema {name} written twice")
        schemas[name] = accepted.spec.schema()
        operation["requestBody"] = request_body(accepted, name)
