"""JSON endpoints of the facts the rating rules read: about a member (posts,
exemptions, leave, discipline …), about an organisation (sector, conclusions,
task results, cases), and the bulk import of members."""

from __future__ import annotations

from uuid import UUID

from flask import jsonify

from domain.errors import DomainError
from services import rating_commands as rc
from services.errors import SignatureRequiredError
from web.api import bp
from web.api.bodies import body, post, register_commands
from web.api.fields import (
    Base64,
    Body,
    Bool,
    Date,
    Int,
    ListOf,
    Text,
    Uuid,
    optional,
)
from web.catalogue import message_for
from web.errors import json_error, json_refusal
from web.identity import requires, services, signer
from web.reads import reads

# -- member facts ----------------------------------------------------------------------
MEMBER_FACTS: dict[str, tuple[type, Body]] = {
    "posts": (
        rc.AssignPost,
        Body({"org_id": Uuid(), "role": Text(), "since": Date()}),
    ),
    "posts/end": (rc.EndPost, Body({"org_id": Uuid(), "until": Date()})),
    "temporary-cell": (
        rc.AttachTemporaryCell,
        Body({"cell_id": Uuid(), "since": Date()}),
    ),
    "temporary-cell/end": (rc.DetachTemporaryCell, Body({"until": Date()})),
    "exemptions": (
        rc.RecordExemption,
        Body(
            {
                "kind": Text(),
                "start": Date(),
                "end": optional(Date()),
                "reference": Text(),
            }
        ),
    ),
    "leaves": (
        rc.RecordLeave,
        Body({"kind": Text(), "start": Date(), "end": Date()}),
    ),
    "disciplines": (
        rc.RecordDiscipline,
        Body(
            {
                "level": Text(),
                "duty_related": Bool(),
                "decided_on": Date(),
                "reference": Text(),
                "conduct_org_id": optional(Uuid()),
            }
        ),
    ),
    "degradations": (
        rc.RecordDegradation,
        Body({"concluded_on": Date(), "reference": Text()}),
    ),
    "confidence-results": (
        rc.RecordConfidenceResult,
        Body(
            {
                "held_on": Date(),
                "returned": Int(),
                "low": Int(),
                "reference": Text(),
            }
        ),
    ),
    "work-situation": (
        rc.SetWorkSituation,
        Body({"outside_political_system": Bool()}),
    ),
    "oversight": (
        rc.AssignOversight,
        Body({"org_id": Uuid(), "since": Date()}),
    ),
    "oversight/end": (
        rc.EndOversight,
        Body({"org_id": Uuid(), "until": Date()}),
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
ORG_FACTS: dict[str, tuple[type, Body]] = {
    "sector": (rc.SetSector, Body({"sector": Text()})),
    "conclusions": (
        rc.RecordConclusion,
        Body(
            {
                "kind": Text(),
                "concluded_on": Date(),
                "reference": Text(),
            }
        ),
    ),
    "task-results": (
        rc.RecordTaskResults,
        Body(
            {
                "year": Int(),
                "tasks_planned": Int(),
                "tasks_completed": Int(),
                "reference": Text(),
                "targets_apply": optional(Bool()),
                "targets_failed": optional(ListOf(item=Text())),
            }
        ),
    ),
    "cases": (
        rc.RecordCase,
        Body(
            {
                "kind": Text(),
                "disciplined_on": Date(),
                "reference": Text(),
                "member_id": optional(Uuid()),
            }
        ),
    ),
    "disciplines": (
        rc.RecordOrgDiscipline,
        Body(
            {
                "level": Text(),
                "decided_on": Date(),
                "reference": Text(),
            }
        ),
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
IMPORT_MEMBERS = Body(
    {
        "filename": Text(description="e.g. dang-vien.csv or dang-vien.xlsx"),
        "content_base64": Base64(),
        "dry_run": optional(Bool()),
    }
)


@post("/members/import", IMPORT_MEMBERS)
@requires("member.enrol")
def import_members():
    from services.member_import import import_members as run_import

    values = body()
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
