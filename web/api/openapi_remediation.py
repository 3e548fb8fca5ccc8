"""OpenAPI 3.1 paths of the remediation endpoints, listed from the table that
registers the routes (``web.api.remediation``); their request bodies are
generated from what each endpoint accepts (``web.api.openapi_bodies``)."""

from __future__ import annotations

from typing import Any

from web.api import remediation as m

UUID_SCHEMA = {"type": "string", "format": "uuid"}


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
        "today), a keyset page at a time: a subject's (subject_key), else those "
        "of an organisation's list (org_id, by default the viewer's own "
        "organisation), latest year first, then by subject name and the order "
        "recorded; filtered by year and status. A member sees only their own. "
        "The response's `next` (null on the last page) is the opaque `after` "
        "of the page that follows; a malformed or unknown cursor, or a limit "
        "out of range, is a 400",
        {
            "description": "A page of items",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items", "next"],
                        "properties": {
                            "items": {"type": "array", "items": {"type": "object"}},
                            "next": {"type": ["string", "null"]},
                        },
                    }
                }
            },
        },
    )
    items["responses"]["400"] = {
        "description": "A bad limit, cursor or filter (form.invalid, naming the "
        "parameter: input.limit_invalid, input.cursor_invalid…); nothing is stored",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/FormError"}}
        },
    }
    items["parameters"] = [
        query("org_id", UUID_SCHEMA),
        query("year", {"type": "integer"}),
        query("subject_key", {"type": "string"}),
        query("status", {"type": "string"}),
        query(
            "limit",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": m.LIMIT_MAX,
                "default": m.LIMIT_DEFAULT,
            },
        ),
        query("after", {"type": "string", "description": "`next` of the page before"}),
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
                "The inspection committee's worklist in its scope: the first claims "
                "awaiting verification and overdue items, and how many there are "
                "(awaiting_count, overdue_count; the paged list has the rest)",
                obj("Worklist"),
            )
        },
        "/remediation/shortcomings": {
            "post": write(
                "recordShortcoming",
                "Record a shortcoming pointed out at a subject's review",
                obj("Recorded"),
                ok_status="201",
            )
        },
        "/remediation/plans": {
            "post": write(
                "adoptRemediationPlan",
                "Adopt a remediation plan: measures, responsible person, deadline, "
                "supervising body",
                obj("Adopted"),
            )
        },
    }
    for step in m.STEPS:
        out[f"/remediation/items/{{shortcoming_id}}/{step}"] = {
            "post": write(
                "remediation" + step.capitalize(),
                f"Remediation step: {step}",
                obj("Recorded"),
                "shortcoming_id",
            )
        }
    return out
