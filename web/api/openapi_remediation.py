"""OpenAPI 3.1 paths and schemas of the remediation endpoints, generated from the
tables that register the routes (``web.api.remediation``)."""

from __future__ import annotations

from typing import Any

from web.api import remediation as m
from web.api.openapi_ratings import JSON_TYPES, UUID_SCHEMA

ENUMS: dict[str, list[str]] = {
    "source": [
        "SELF",
        "MEMBER_COMMENT",
        "SUGGESTION",
        "HIGHER_CONCLUSION",
        "INSPECTION",
    ],
    "cause": ["OBJECTIVE", "SUBJECTIVE"],
    "supervisor": ["INSPECTION_COMMITTEE", "HIGHER_COMMITTEE"],
}
EXTRA_TYPES: dict[Any, dict[str, Any]] = {
    m._uuids: {"type": "array", "items": UUID_SCHEMA},
    m._persons: {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "member_id": UUID_SCHEMA,
                "responsibility": {"type": "string"},
            },
            "required": ["member_id", "responsibility"],
        },
    },
}


def _schema(spec: dict[str, tuple[Any, bool]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, (parser, _required) in spec.items():
        if name in ENUMS:
            properties[name] = {"type": "string", "enum": ENUMS[name]}
        else:
            properties[name] = {**JSON_TYPES, **EXTRA_TYPES}[parser]
    required = [name for name, (_p, req) in spec.items() if req]
    return {"type": "object", "properties": properties, "required": required}


def schemas() -> dict[str, Any]:
    found = {
        "RecordShortcoming": _schema(m.RECORD),
        "AdoptRemediationPlan": _schema(m.PLAN),
    }
    for step, (_c, spec) in m.STEPS.items():
        found["Remediation" + step.capitalize()] = _schema(spec)
    return found


def paths(read: Any, write: Any) -> dict[str, Any]:
    """Paths built with the helpers of ``web.api.openapi`` (``_read``, ``_write``)."""

    def obj(description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }

    def query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema}

    items = read(
        "listRemediationItems",
        "Shortcomings with status, deadline and urgency (overdue / due soon as of "
        "today); filtered by organisation subtree, year, subject, status. A member "
        "sees only their own",
        obj("Items"),
    )
    items["parameters"] = [
        query("org_id", UUID_SCHEMA),
        query("year", {"type": "integer"}),
        query("subject_key", {"type": "string"}),
        query("status", {"type": "string"}),
    ]
    carried = read(
        "getCarriedShortcomings",
        "Shortcomings carried into a subject's cycle of a year, those verified and "
        "the exact ratio (the HTXSNV condition)",
        obj("Carried"),
    )
    carried["parameters"] = [
        {
            "name": "subject_key",
            "in": "query",
            "required": True,
            "schema": {"type": "string"},
        },
        {
            "name": "year",
            "in": "query",
            "required": True,
            "schema": {"type": "integer"},
        },
    ]
    counts = read(
        "getRemediationStatusCounts",
        "Counts per status, overdue and due soon in an organisation's subtree",
        obj("Counts"),
    )
    counts["parameters"] = [
        query("org_id", UUID_SCHEMA),
        query("year", {"type": "integer"}),
    ]
    out: dict[str, Any] = {
        "/remediation/items": {"get": items},
        "/remediation/items/{shortcoming_id}": {
            "get": read(
                "getRemediationItem",
                "One shortcoming with its history",
                obj("Item"),
                "shortcoming_id",
            )
        },
        "/remediation/carried": {"get": carried},
        "/remediation/status-counts": {"get": counts},
        "/remediation/worklist": {
            "get": read(
                "getRemediationWorklist",
                "The inspection committee's worklist in its scope: claims awaiting "
                "verification and overdue items",
                obj("Worklist"),
            )
        },
        "/remediation/shortcomings": {
            "post": write(
                "recordShortcoming",
                "Record a shortcoming pointed out at a subject's review",
                "RecordShortcoming",
                obj("Recorded"),
                ok_status="201",
            )
        },
        "/remediation/plans": {
            "post": write(
                "adoptRemediationPlan",
                "Adopt a remediation plan: measures, responsible person, deadline, "
                "supervising body",
                "AdoptRemediationPlan",
                obj("Adopted"),
            )
        },
    }
    for step in m.STEPS:
        out[f"/remediation/items/{{shortcoming_id}}/{step}"] = {
            "post": write(
                "remediation" + step.capitalize(),
                f"Remediation step: {step}",
                "Remediation" + step.capitalize(),
                obj("Recorded"),
                "shortcoming_id",
            )
        }
    return out
