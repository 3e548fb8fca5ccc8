"""JSON endpoint of the reorganisation of the tree (sắp xếp, tổ chức lại; issue
12): ``POST /api/v1/reorganisations`` with an ``operation`` and that operation's
fields. Bodies are checked for shape only (``web.api.bodies.body``); the
services check the decision, the scope and the tree."""

from __future__ import annotations

from flask import jsonify

from services import reorganisation_commands as ro
from web.api.bodies import body, post, run
from web.api.fields import (
    Body,
    Bool,
    Date,
    Field,
    ListOf,
    ObjectOf,
    OneOf,
    Text,
    Uuid,
)
from web.api.fields import optional as opt
from web.catalogue import KIND_LABELS
from web.identity import requires, user

ACTION = "organisation.reorganise"
IDS = ListOf(item=Uuid())
KIND = Text(known=tuple(KIND_LABELS))


def _moves(key: str) -> Field:
    """``[{key: id, "to": id}, …]`` as pairs of ids."""
    return ListOf(
        item=ObjectOf(
            fields={key: Uuid(), "to": Uuid()}, build=lambda v: (v[key], v["to"])
        )
    )


POSTS = ListOf(
    item=ObjectOf(
        fields={"member_id": Uuid(), "role": Text()},
        build=lambda v: ro.PostMove(v["member_id"], v["role"]),
    )
)
NEW_SUCCESSOR = ObjectOf(
    fields={"code": Text(), "name": Text(), "kind": KIND, "parent_id": Uuid()},
    build=lambda v: ro.NewSuccessor(**v),
)
DECISION = {"decision_no": Text(), "effective_on": Date()}
# operation -> (command, its fields besides the decision)
OPERATIONS: dict[str, tuple[type[ro.ReorganisingCommand], dict[str, Field]]] = {
    "rename": (ro.RenameByDecision, {"org_id": Uuid(), "name": Text()}),
    "move": (ro.MoveOrganisation, {"org_id": Uuid(), "parent_id": Uuid()}),
    "kind": (
        ro.ChangeOrganisationKind,
        {"org_id": Uuid(), "kind": KIND, "parent_id": opt(Uuid())},
    ),
    "merge": (
        ro.MergeOrganisations,
        {
            "absorbed_ids": IDS,
            "successor_id": opt(Uuid()),
            "new_successor": opt(NEW_SUCCESSOR),
            "posts": opt(POSTS),
            "peer_groups_follow": opt(Bool(), default=True),
        },
    ),
    "split": (
        ro.SplitOrganisation,
        {
            "org_id": Uuid(),
            "successor_ids": IDS,
            "member_moves": opt(_moves("member_id")),
            "child_moves": opt(_moves("org_id")),
            "plans_to": opt(Uuid()),
            "peer_groups_follow": opt(Bool(), default=True),
        },
    ),
    "dissolve": (ro.DissolveByDecision, {"org_id": Uuid(), "reason": Text()}),
}
REORGANISE = OneOf(
    "operation",
    {
        operation: Body({**DECISION, **fields})
        for operation, (_command, fields) in OPERATIONS.items()
    },
    unknown_code="org.operation_unknown",
)


@post("/reorganisations", REORGANISE)
@requires(ACTION)
def reorganise():
    values = body()
    operation = values.pop("operation")
    command_type, _fields = OPERATIONS[operation]
    result = run(command_type(actor_id=user().actor, **values))
    return jsonify({"operation": operation, "org_id": str(result)})
