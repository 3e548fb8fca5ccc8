"""OpenAPI 3.1 paths of reports and commendations (issue 6); the award's request
body is generated from what the endpoint accepts (``web.api.openapi_bodies``)."""

from __future__ import annotations

from typing import Any

UUID_SCHEMA = {"type": "string", "format": "uuid"}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}


def _obj(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }


def _query(required: bool) -> list[dict[str, Any]]:
    return [
        {"name": "org_id", "in": "query", "required": required, "schema": UUID_SCHEMA},
        {"name": "year", "in": "query", "required": required, "schema": YEAR},
    ]


def paths(read: Any, write: Any) -> dict[str, Any]:
    report = read(
        "getReport",
        "Report upward of an organisation's subtree for a year: counts and exact "
        "fractions by level per population and party-organisation type, with "
        "good_or_better (HTTNV trở lên, exact), exempt by reason, re-rated, "
        "confidence-vote bands, deadlines with what is late",
        _obj("Report"),
    )
    report["parameters"] = [
        {"name": "org_id", "in": "path", "required": True, "schema": UUID_SCHEMA},
        {"name": "year", "in": "path", "required": True, "schema": YEAR},
    ]
    proposals = read(
        "listCommendationProposals",
        "Members whose rating history supports an award in the year "
        "(06-HD/TW mục 19.2)",
        _obj("Proposals"),
    )
    proposals["parameters"] = _query(True)
    awards = read("listCommendations", "Awards decided", _obj("Awards"))
    awards["parameters"] = _query(False)
    return {
        "/reports/{org_id}/{year}": {"get": report},
        "/commendations/proposals": {"get": proposals},
        "/commendations": {
            "get": awards,
            "post": write(
                "grantCommendation",
                "Record an award decision; refused when the rating history does not "
                "support its basis",
                _obj("Granted"),
                ok_status="201",
            ),
        },
    }
