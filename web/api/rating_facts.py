"""JSON endpoints of the facts the rating rules read: about a member (posts,
exemptions, leave, discipline …), about an organisation (sector, conclusions,
task results, cases), and the bulk import of members."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import jsonify

from domain.errors import DomainError
from services import rating_commands as rc
from services.errors import SignatureRequiredError
from web.api import bp
from web.api.bodies import (
    OPT,
    REQ,
    Parser,
    as_bool,
    as_date,
    as_int,
    as_text,
    as_texts,
    as_uuid,
    body,
    register_commands,
)
from web.catalogue import message_for
from web.errors import json_error, json_refusal
from web.identity import requires, services, signer
from web.reads import reads

# -- member facts ----------------------------------------------------------------------
MEMBER_FACTS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "posts": (
        rc.AssignPost,
        {"org_id": (as_uuid, REQ), "role": (as_text, REQ), "since": (as_date, REQ)},
    ),
    "posts/end": (rc.EndPost, {"org_id": (as_uuid, REQ), "until": (as_date, REQ)}),
    "temporary-cell": (
        rc.AttachTemporaryCell,
        {"cell_id": (as_uuid, REQ), "since": (as_date, REQ)},
    ),
    "temporary-cell/end": (rc.DetachTemporaryCell, {"until": (as_date, REQ)}),
    "exemptions": (
        rc.RecordExemption,
        {
            "kind": (as_text, REQ),
            "start": (as_date, REQ),
            "end": (as_date, OPT),
            "reference": (as_text, REQ),
        },
    ),
    "leaves": (
        rc.RecordLeave,
        {"kind": (as_text, REQ), "start": (as_date, REQ), "end": (as_date, REQ)},
    ),
    "disciplines": (
        rc.RecordDiscipline,
        {
            "level": (as_text, REQ),
            "duty_related": (as_bool, REQ),
            "decided_on": (as_date, REQ),
            "reference": (as_text, REQ),
            "conduct_org_id": (as_uuid, OPT),
        },
    ),
    "degradations": (
        rc.RecordDegradation,
        {"concluded_on": (as_date, REQ), "reference": (as_text, REQ)},
    ),
    "confidence-results": (
        rc.RecordConfidenceResult,
        {
            "held_on": (as_date, REQ),
            "returned": (as_int, REQ),
            "low": (as_int, REQ),
            "reference": (as_text, REQ),
        },
    ),
    "work-situation": (
        rc.SetWorkSituation,
        {"outside_political_system": (as_bool, REQ)},
    ),
    "oversight": (
        rc.AssignOversight,
        {"org_id": (as_uuid, REQ), "since": (as_date, REQ)},
    ),
    "oversight/end": (
        rc.EndOversight,
        {"org_id": (as_uuid, REQ), "until": (as_date, REQ)},
    ),
}


register_commands(
    "/members/<uuid:member_id>",
    "member_id",
    MEMBER_FACTS,
    "member.record_fact",
    "member_fact_",
)


# -- facts about organisations ---------------------------------------------------------
ORG_FACTS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "sector": (rc.SetSector, {"sector": (as_text, REQ)}),
    "conclusions": (
        rc.RecordConclusion,
        {
            "kind": (as_text, REQ),
            "concluded_on": (as_date, REQ),
            "reference": (as_text, REQ),
        },
    ),
    "task-results": (
        rc.RecordTaskResults,
        {
            "year": (as_int, REQ),
            "tasks_planned": (as_int, REQ),
            "tasks_completed": (as_int, REQ),
            "reference": (as_text, REQ),
            "targets_apply": (as_bool, OPT),
            "targets_failed": (as_texts, OPT),
        },
    ),
    "cases": (
        rc.RecordCase,
        {
            "kind": (as_text, REQ),
            "disciplined_on": (as_date, REQ),
            "reference": (as_text, REQ),
            "member_id": (as_uuid, OPT),
        },
    ),
    "disciplines": (
        rc.RecordOrgDiscipline,
        {
            "level": (as_text, REQ),
            "decided_on": (as_date, REQ),
            "reference": (as_text, REQ),
        },
    ),
}


register_commands(
    "/organisations/<uuid:org_id>",
    "org_id",
    ORG_FACTS,
    "organisation.record_fact",
    "org_fact_",
)


@bp.get("/organisations/<uuid:org_id>/facts")
def get_org_facts(org_id: UUID):
    ratings = reads()
    facts = ratings.org_facts(org_id)
    return jsonify(
        {"org_id": str(org_id), "sector": ratings.org_sector(org_id), "facts": facts}
    )


# -- bulk import of members ------------------------------------------------------------
def _base64(value: Any) -> bytes:
    import base64
    import binascii

    if not isinstance(value, str):
        raise ValueError
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError from None


@bp.post("/members/import")
@requires("member.enrol")
def import_members():
    from services.member_import import import_members as run_import

    values = body(
        {
            "filename": (as_text, REQ),
            "content_base64": (_base64, REQ),
            "dry_run": (as_bool, OPT),
        }
    )
    try:
        report = run_import(
            services(),
            signer(),
            values["content_base64"],
            values["filename"],
            dry_run=values.get("dry_run", False),
        )
    except SignatureRequiredError:
        raise
    except DomainError as exc:
        return json_refusal(exc)
    payload = {
        "rows": report.rows,
        "valid": report.valid,
        "imported": report.imported,
        "dry_run": report.dry_run,
        "errors": [
            {
                "row": e.row,
                "column": e.column,
                "code": e.code,
                "message": message_for(e.code, e.details),
            }
            for e in report.errors
        ],
    }
    if report.errors:
        return json_error(
            "import.rows_invalid", 422, message_for("import.rows_invalid"), **payload
        )
    return jsonify(payload)
