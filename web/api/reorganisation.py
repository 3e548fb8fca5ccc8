"""JSON endpoint of the reorganisation of the tree (sắp xếp, tổ chức lại; issue
12): ``POST /api/v1/reorganisations`` with an ``operation`` and that operation's
fields. Bodies are checked for shape only (``web.api.ratings.body``); the
services check the decision, the scope and the tree."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import jsonify, request

from services import reorganisation_commands as ro
from web.api import bp
from web.api.ratings import OPT, REQ, Parser, _date, _text, _uuid, body, run
from web.errors import Refused, json_error
from web.identity import requires, user

ACTION = "organisation.reorganise"


def _uuids(value: Any) -> tuple[UUID, ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(_uuid(v) for v in value)


def _pairs(key: str) -> Parser:
    def parse(value: Any) -> tuple[tuple[UUID, UUID], ...]:
        if not isinstance(value, list):
            raise ValueError
        return tuple((_uuid(p[key]), _uuid(p["to"])) for p in value)

    return parse


def _posts(value: Any) -> tuple[ro.PostMove, ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(ro.PostMove(_uuid(p["member_id"]), _text(p["role"])) for p in value)


def _new(value: Any) -> ro.NewSuccessor:
    if not isinstance(value, dict):
        raise ValueError
    return ro.NewSuccessor(
        code=_text(value["code"]),
        name=_text(value["name"]),
        kind=_text(value["kind"]),
        parent_id=_uuid(value["parent_id"]),
    )


DECISION: dict[str, tuple[Parser, bool]] = {
    "operation": (_text, REQ),
    "decision_no": (_text, REQ),
    "effective_on": (_date, REQ),
}
# operation -> (command, its fields besides the decision)
OPERATIONS: dict[str, tuple[type[ro.ReorganisingCommand], dict[str, Any]]] = {
    "rename": (ro.RenameByDecision, {"org_id": (_uuid, REQ), "name": (_text, REQ)}),
    "move": (
        ro.MoveOrganisation,
        {"org_id": (_uuid, REQ), "parent_id": (_uuid, REQ)},
    ),
    "kind": (
        ro.ChangeOrganisationKind,
        {"org_id": (_uuid, REQ), "kind": (_text, REQ), "parent_id": (_uuid, OPT)},
    ),
    "merge": (
        ro.MergeOrganisations,
        {
            "absorbed_ids": (_uuids, REQ),
            "successor_id": (_uuid, OPT),
            "new_successor": (_new, OPT),
            "posts": (_posts, OPT),
        },
    ),
    "split": (
        ro.SplitOrganisation,
        {
            "org_id": (_uuid, REQ),
            "successor_ids": (_uuids, REQ),
            "member_moves": (_pairs("member_id"), OPT),
            "child_moves": (_pairs("org_id"), OPT),
        },
    ),
    "dissolve": (
        ro.DissolveByDecision,
        {"org_id": (_uuid, REQ), "reason": (_text, REQ)},
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
