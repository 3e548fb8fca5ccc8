"""OpenAPI 3.1 paths and schemas of the review and rating endpoints, generated
from the same tables that register the routes (``web.api.ratings``,
``web.api.rating_steps``, ``web.api.rating_facts``), so the
document and the application cannot drift apart."""

from __future__ import annotations

from typing import Any

from web.api import bodies as b
from web.api import rating_facts as facts
from web.api import rating_steps as steps
from web.api import ratings as r

UUID_SCHEMA = {"type": "string", "format": "uuid"}
DATE_SCHEMA = {"type": "string", "format": "date"}
JSON_TYPES: dict[Any, dict[str, Any]] = {
    b.as_uuid: UUID_SCHEMA,
    b.as_date: DATE_SCHEMA,
    b.as_int: {"type": "integer"},
    b.as_bool: {"type": "boolean"},
    b.as_text: {"type": "string"},
    b.as_texts: {"type": "array", "items": {"type": "string"}},
    b.as_text_map: {"type": "object", "additionalProperties": {"type": "string"}},
    b.as_points: {
        "type": "object",
        "description": 'Criterion code -> points as decimal text (e.g. "8.5")',
        "additionalProperties": {"type": "string", "pattern": r"^\d{1,3}(\.\d{1,2})?$"},
    },
    b.as_deadlines: {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "level": {"type": "string"},
                "milestone": {"type": "string", "enum": ["review", "rating", "report"]},
                "due": DATE_SCHEMA,
            },
            "required": ["level", "milestone", "due"],
        },
    },
    b.as_object: {"type": "object"},
    b.as_criteria_items: {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,31}$"},
                "group": {"type": "string", "enum": ["general", "task"]},
                "max_points": {"type": "integer", "minimum": 1},
                "title": {"type": "string"},
            },
            "required": ["code", "group", "max_points", "title"],
        },
    },
}
LEVEL = {"type": "string", "enum": ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]}


def _schema(spec: dict[str, tuple[Any, bool]]) -> dict[str, Any]:
    properties = {}
    for name, (parser, _required) in spec.items():
        properties[name] = (
            LEVEL if name in ("level", "proposed_level") else (JSON_TYPES[parser])
        )
    required = [name for name, (_p, req) in spec.items() if req]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _camel(text: str) -> str:
    parts = text.replace("/", "-").split("-")
    return "".join(p[:1].upper() + p[1:] for p in parts)


def schemas() -> dict[str, Any]:
    found: dict[str, Any] = {
        "OpenCycle": _schema(
            {
                "org_id": (b.as_uuid, True),
                "year": (b.as_int, True),
                "period": (b.as_text, False),
                "period_no": (b.as_int, False),
                "reference_date": (b.as_date, False),
                "deadlines": (b.as_deadlines, False),
                "options": (b.as_object, False),
            }
        ),
        "SetDeadline": _schema(
            {
                "level": (b.as_text, True),
                "milestone": (b.as_text, True),
                "due": (b.as_date, True),
            }
        ),
        "OpenReview": _schema(
            {"subject_key": (b.as_text, True), "venue_id": (b.as_uuid, True)}
        ),
        "OpenRound": _schema({"authority_org_id": (b.as_uuid, True)}),
        "Empty": {"type": "object"},
        "ImportMembers": {
            "type": "object",
            "properties": {
                "filename": {"type": "string", "examples": ["dang-vien.csv"]},
                "content_base64": {"type": "string", "contentEncoding": "base64"},
                "dry_run": {"type": "boolean"},
            },
            "required": ["filename", "content_base64"],
        },
        "RatingRefusal": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
            "required": ["code", "message"],
        },
    }
    found["SetCombinedConference"] = _schema(r.COMBINED)
    found["DefineCriteria"] = _schema(r.CRITERIA)
    found["OrderReReview"] = _schema(r.REREVIEW_ORDER)
    found["OrderReReview"]["properties"]["scope"] = {
        "type": "string",
        "enum": ["review", "rating", "both"],
    }
    for fact, (_c, spec) in facts.MEMBER_FACTS.items():
        found["MemberFact" + _camel(fact)] = _schema(spec)
    for fact, (_c, spec) in facts.ORG_FACTS.items():
        found["OrgFact" + _camel(fact)] = _schema(spec)
    for step, (_c, spec) in steps.REVIEW_STEPS.items():
        found["Review" + _camel(step)] = _schema(spec)
    for step, (_a, _c, spec) in steps.ROUND_STEPS.items():
        found["Round" + _camel(step)] = _schema(spec)
    return found


def paths(read: Any, write: Any) -> dict[str, Any]:
    """Paths built with the helpers of ``web.api.openapi`` (``_read``, ``_write``)."""

    def obj(description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }

    def path_param(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": schema or UUID_SCHEMA,
        }

    out: dict[str, Any] = {
        "/cycles": {
            "get": read("listCycles", "Review cycles", obj("Cycles")),
            "post": write(
                "openCycle",
                "Open a review cycle: the regime follows the year; subjects are "
                "derived from the tree",
                "OpenCycle",
                obj("Opened"),
                ok_status="201",
            ),
        },
        "/cycles/{cycle_id}": {
            "get": read(
                "getCycle", "One cycle and its rating rounds", obj("Cycle"), "cycle_id"
            )
        },
        "/cycles/{cycle_id}/subjects": {
            "get": read(
                "listSubjects",
                "Subjects with their status",
                obj("Subjects"),
                "cycle_id",
            )
        },
        "/cycles/{cycle_id}/statistics": {
            "get": {
                **read(
                    "getStatistics",
                    "Counts by level rolled up through the tree; exact percentages "
                    "over those rated, exempt apart by reason; per population "
                    "good_or_better: HTXSNV + HTTNV (n, fraction, percent_exact, "
                    "percent)",
                    obj("Statistics"),
                    "cycle_id",
                ),
            }
        },
        "/cycles/{cycle_id}/issues": {
            "get": read(
                "listIssues",
                "Open prerequisites, rule violations, deadlines at risk",
                obj("Issues"),
                "cycle_id",
            )
        },
        "/cycles/{cycle_id}/deadlines": {
            "post": write(
                "setDeadline", "Set a deadline", "SetDeadline", obj("Set"), "cycle_id"
            )
        },
        "/cycles/{cycle_id}/refresh": {
            "post": write(
                "refreshSubjects",
                "Derive the subjects again",
                "Empty",
                obj("Done"),
                "cycle_id",
            )
        },
        "/cycles/{cycle_id}/close": {
            "post": write(
                "closeCycle", "Close the cycle", "Empty", obj("Closed"), "cycle_id"
            )
        },
        "/cycles/{cycle_id}/reviews": {
            "post": write(
                "openReview",
                "Open the review of a subject at a venue",
                "OpenReview",
                obj("Opened"),
                "cycle_id",
                ok_status="201",
            )
        },
        "/cycles/{cycle_id}/rounds": {
            "post": write(
                "openRound",
                "Open the rating round of a competent authority",
                "OpenRound",
                obj("Opened"),
                "cycle_id",
                ok_status="201",
            )
        },
        "/criteria": {
            "get": read(
                "listCriteria",
                "Criteria sets refined by provinces and units (366 Điều 10)",
                obj("Refinements"),
            ),
            "post": write(
                "defineCriteria",
                "Refine the criteria of one appendix for an organisation's subtree "
                "from a year on; the general group adds up to 30, the task group "
                "to 70",
                "DefineCriteria",
                obj("Defined"),
                ok_status="201",
            ),
        },
        "/cycles/{cycle_id}/combined": {
            "post": write(
                "setCombinedConference",
                "Review a leadership collective whose members are the party "
                "committee's members, and its members, at the committee's "
                "conference (43-HD mục 2.4); without committee_id: at its own level",
                "SetCombinedConference",
                obj("Set"),
                "cycle_id",
            )
        },
        "/cycles/{cycle_id}/rereview-orders": {
            "get": read(
                "listReReviewOrders",
                "Re-review orders of the cycle: scope, reason, deadline, what is "
                "still to be redone, and the superseded review and decision",
                obj("Orders"),
                "cycle_id",
            ),
            "post": write(
                "orderReReview",
                "The higher committee orders a subject's review and/or rating "
                "redone (domain.md §5.4); the earlier ones stay in the history",
                "OrderReReview",
                obj("Ordered"),
                "cycle_id",
                ok_status="201",
            ),
        },
        "/rounds/{round_id}": {
            "get": read(
                "getRound",
                "A rating round with its peer groups' quota gauges",
                obj("Round"),
                "round_id",
            )
        },
    }
    subject = read(
        "getSubject",
        "A subject's status, decision with its explanation, and timeline",
        obj("Subject"),
        "cycle_id",
    )
    subject["parameters"].append(path_param("subject_key", {"type": "string"}))
    out["/cycles/{cycle_id}/subjects/{subject_key}"] = {"get": subject}
    out["/cycles/{cycle_id}/statistics"]["get"]["parameters"] += [
        {"name": "org_id", "in": "query", "required": False, "schema": UUID_SCHEMA},
        {
            "name": "tree_on",
            "in": "query",
            "required": False,
            "description": "Roll up by the tree as it was on this day (default: "
            "the tree at the report date, today)",
            "schema": {"type": "string", "format": "date"},
        },
    ]
    out["/members/import"] = {
        "post": write(
            "importMembers",
            "Import members from CSV or XLSX (base64); every bad row is reported "
            "and nothing is stored unless all rows are valid",
            "ImportMembers",
            obj("Checked (dry run) or imported"),
        )
    }
    for fact in facts.MEMBER_FACTS:
        out[f"/members/{{member_id}}/{fact}"] = {
            "post": write(
                "memberFact" + _camel(fact),
                f"Record a fact about a member ({fact})",
                "MemberFact" + _camel(fact),
                obj("Recorded"),
                "member_id",
            )
        }
    for fact in facts.ORG_FACTS:
        out[f"/organisations/{{org_id}}/{fact}"] = {
            "post": write(
                "orgFact" + _camel(fact),
                f"Record a fact about an organisation ({fact}) that the rating "
                "rules read",
                "OrgFact" + _camel(fact),
                obj("Recorded"),
                "org_id",
            )
        }
    out["/organisations/{org_id}/facts"] = {
        "get": read(
            "getOrgFacts",
            "An organisation's sector and every fact the rating rules read",
            obj("Organisation facts"),
            "org_id",
        )
    }
    for step in steps.REVIEW_STEPS:
        out[f"/reviews/{{review_id}}/{step}"] = {
            "post": write(
                "review" + _camel(step),
                f"Review step: {step}",
                "Review" + _camel(step),
                obj("Recorded"),
                "review_id",
            )
        }
    for step in steps.ROUND_STEPS:
        out[f"/rounds/{{round_id}}/{step}"] = {
            "post": write(
                "round" + _camel(step),
                f"Rating step: {step}",
                "Round" + _camel(step),
                obj("Recorded"),
                "round_id",
            )
        }
    return out
