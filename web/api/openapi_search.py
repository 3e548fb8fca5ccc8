"""The OpenAPI description of ``GET /api/v1/search``."""

from __future__ import annotations

from typing import Any

from web.catalogue.search import SEARCH_KIND_LABELS

_UUID = {"type": "string", "format": "uuid"}
_NULLABLE_TEXT = {"type": ["string", "null"]}


def paths(errors: dict[str, Any]) -> dict[str, Any]:
    """``errors``: the read errors every read documents (401, 403, 404)."""
    from web.api.search import ACTING, WITHIN

    hit = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": list(SEARCH_KIND_LABELS)},
            "kind_label": {"type": "string"},
            "id": _UUID,
            "name": {"type": "string"},
            "code": _NULLABLE_TEXT,
            "org_id": {"type": ["string", "null"], "format": "uuid"},
        },
        "required": ["kind", "kind_label", "id", "name", "code", "org_id"],
    }
    return {
        "/search": {
            "get": {
                "operationId": "search",
                "summary": (
                    "Members, organisations, review cycles and votes by name, card "
                    "number or code, without diacritics, in the caller's scope "
                    "(at most 50, by name)"
                ),
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 200},
                    },
                    {
                        "name": "loai",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": list(SEARCH_KIND_LABELS)},
                    },
                    {
                        "name": "pham_vi",
                        "in": "query",
                        "required": False,
                        "description": (
                            "Only the organisations a page's field may take: "
                            "khac-phuc, those whose remediation the caller tracks; "
                            "mo-ky, the active ones the caller may open a review "
                            "cycle for; lay-phieu, those the caller may create a "
                            "confidence vote for"
                        ),
                        "schema": {"type": "string", "enum": [*WITHIN, *ACTING]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "What was found",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "query": {"type": "string"},
                                        "too_short": {"type": "boolean"},
                                        "message": _NULLABLE_TEXT,
                                        "results": {"type": "array", "items": hit},
                                    },
                                    "required": ["query", "too_short", "results"],
                                }
                            }
                        },
                    },
                    **errors,
                },
            }
        }
    }
