"""JSON endpoint of the reorganisation of the tree (sắp xếp, tổ chức lại; issue
12): ``POST /api/v1/reorganisations`` with an ``operation`` and that operation's
fields. Bodies are checked for shape only (``web.api.bodies.body``); the
services check the decision, the scope and the tree."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import jsonify, request

from services import reorganisation_commands as ro
from web.api import bp
from web.api.bodies import OPT, REQ, Parser, as_date, as_text, as_uuid, body, run
from web.errors import Refused, json_error
from web.identity import requires, user

ACTION = "organisation.reorganise"


def _uuids(value: Any) -> tuple[UUID, ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(as_uuid(v) for v in value)


def _pairs(key: str) -> Parser:
    def parse(value: Any) -> tuple[tuple[UUID, UUID], ...]:
        if not isinstance(value, list):
            raise ValueError
        return tuple((as_uuid(p[key]), as_uuid(p["to"])) for p in value)

    return parse


def _posts(value: Any) -> tuple[ro.PostMove, ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(
        ro.PostMove(as_uuid(p["member_id"]), as_text(p["role"])) for p in value
    )


def _new(value: Any) -> ro.NewSuccessor:
    if not isinstance(value, dict):
        raise ValueError
    return ro.NewSuccessor(
        code=as_text(value["code"]),
        name=as_text(value["name"]),
        kind=as_text(value["kind"]),
        parent_id=as_uuid(value["parent_id"]),
    )


DECISION: dict[str, tuple[Parser, bool]] = {
    "operation": (as_text, REQ),
    "decision_no": (as_text, REQ),
    "effective_on": (as_date, REQ),
}
# operation -> (command, its fields besides the decision)
OPERATIONS: dict[str, tuple[type[ro.ReorganisingCommand], dict[str, Any]]] = {
    "rename": (ro.RenameByDecision, {"org_id": (as_uuid, REQ), "name": (as_text, REQ)}),
    "move": (
        ro.MoveOrganisation,
        {"org_id": (as_uuid, REQ), "parent_id": (as_uuid, REQ)},
    ),
    "kind": (
        ro.ChangeOrganisationKind,
        {"org_id": (as_uuid, REQ), "kind": (as_text, REQ), "parent_id": (as_uuid, OPT)},
    ),
    "merge": (
        ro.MergeOrganisations,
        {
            "absorbed_ids": (_uuids, REQ),
            "successor_id": (as_uuid, OPT),
            "new_successor": (_new, OPT),
            "posts": (_posts, OPT),
        },
    ),
    "split": (
        ro.SplitOrganisation,
        {
            "org_id": (as_uuid, REQ),
            "successor_ids": (_uuids, REQ),
            "member_moves": (_pairs("member_id"), OPT),
            "child_moves": (_pairs("org_id"), OPT),
            "plans_to": (as_uuid, OPT),
        },
    ),
    "dissolve": (
        ro.DissolveByDecision,
        {"org_id": (as_uuid, REQ), "reason": (as_text, REQ)},
    ),
}


@bp.post("/reorganisations")
@requires(ACTION)
def reorganise():
    data = request.get_json(silent=True)
    operation = data.get("operation") if isinstance(data, dict) else None
    found = OPERATIONS.get(operation) if isinstance(operation, str) else None
    if found is None:
        body(DECISION)  # names the missing fields
        raise Refused(json_error("org.operation_unknown", 400))
    command_type, spec = found
    values = body({**DECISION, **spec})
    values.pop("operation")
    result = run(command_type(actor_id=user().actor, **values))
    return jsonify({"operation": operation, "org_id": str(result)})
