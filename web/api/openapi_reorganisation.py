"""OpenAPI 3.1 path of ``POST /reorganisations``; its request body (one variant
per operation) is generated from what the endpoint accepts
(``web.api.reorganisation.REORGANISE``, by ``web.api.openapi_bodies``)."""

from __future__ import annotations

from typing import Any


def paths(write: Any) -> dict[str, Any]:
    """Paths built with the helper of ``web.api.openapi`` (``_write``)."""
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
                ok,
            )
        }
    }
