"""OpenAPI paths and schemas of the confidence-vote reads (``web.api.votes``),
merged into ``web.api.openapi.document``."""

from __future__ import annotations

from typing import Any

UUID_SCHEMA = {"type": "string", "format": "uuid"}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_TEXT = {"type": ["string", "null"]}
INT = {"type": "integer"}
TEXT = {"type": "string"}
BAND = {
    "type": "string",
    "enum": ["NONE", "GT_HALF", "GTE_TWO_THIRDS"],
    "description": "low > 1/2 of returned: GT_HALF; low ≥ 2/3: GTE_TWO_THIRDS",
}
STATE = {
    "type": "string",
    "enum": [
        "ceremony",
        "key_published",
        "credentials_published",
        "attendance_recorded",
        "open",
        "closed",
        "tallied",
        "abandoned",
    ],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
    }


def schemas() -> dict[str, Any]:
    return {
        "Vote": _object(
            {
                "vote_id": UUID_SCHEMA,
                "org_id": {"type": ["string", "null"], "format": "uuid"},
                "code": NULLABLE_TEXT,
                "organisation": TEXT,
                "title": TEXT,
                "vote_year": INT,
                "conference_date": {"type": "string", "format": "date"},
                "mode": {"type": "string", "enum": ["A", "B"]},
                "state": STATE,
                "leaders": INT,
                "trustees": INT,
                "threshold": INT,
                "convened": INT,
                "present": NULLABLE_INT,
                "issued": NULLABLE_INT,
                "ballots": INT,
                "partials": INT,
                "short_fingerprint": NULLABLE_TEXT,
                "abandon_reason": NULLABLE_TEXT,
            }
        ),
        "VoteLeader": _object({"index": INT, "name": TEXT, "post": TEXT}),
        "ExactShare": {
            **_object({"num": INT, "den": INT, "display": TEXT}),
            "description": (
                "count / ballots returned, exactly; display is rounded half up to "
                "two decimals (never used for decisions)"
            ),
        },
        "LeaderResult": _object(
            {
                "leader_index": INT,
                "member_id": {"type": ["string", "null"], "format": "uuid"},
                "name": TEXT,
                "post": TEXT,
                "issued": INT,
                "returned": INT,
                "valid": INT,
                "invalid": INT,
                "high": INT,
                "normal": INT,
                "low": INT,
                "pct_high": _ref("ExactShare"),
                "pct_normal": _ref("ExactShare"),
                "pct_low": _ref("ExactShare"),
                "band": BAND,
            }
        ),
    }


def paths(read: Any, json_response: Any) -> dict[str, dict[str, Any]]:
    """Built with ``web.api.openapi``'s own helpers (``_read``, ``_json_response``)."""
    detail = {
        "description": "The vote, its leaders and the pinned booth hash",
        "content": {
            "application/json": {
                "schema": _object(
                    {
                        "vote": _ref("Vote"),
                        "leaders": {"type": "array", "items": _ref("VoteLeader")},
                        "booth_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    }
                )
            }
        },
    }
    results = {
        "description": (
            "Per leader, the 96-QĐ/TW figures; empty until the tally is published"
        ),
        "content": {
            "application/json": {
                "schema": _object(
                    {
                        "vote_id": UUID_SCHEMA,
                        "state": STATE,
                        "published": {"type": "boolean"},
                        "results": {"type": "array", "items": _ref("LeaderResult")},
                    }
                )
            }
        },
    }
    return {
        "/votes": {
            "get": read(
                "listVotes",
                "Confidence votes with their state and counts",
                json_response("The votes", "votes", "Vote", many=True),
            )
        },
        "/votes/{vote_id}": {
            "get": read("getVote", "One confidence vote", detail, "vote_id")
        },
        "/votes/{vote_id}/results": {
            "get": read(
                "getVoteResults",
                "Published results per leader (exact shares, bands)",
                results,
                "vote_id",
            )
        },
    }
