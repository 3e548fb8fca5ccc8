"""JSON endpoints of the steps of a review (report, self-review, meeting,
comments …) and of a rating round (self-rating, proposal, decision, hold,
peer groups …), registered from the tables the OpenAPI document reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import jsonify, url_for

from services import rating_commands as rc
from web.api import bp
from web.api.bodies import (
    OPT,
    REQ,
    Parser,
    acting,
    as_bool,
    as_date,
    as_int,
    as_points,
    as_text,
    as_text_map,
    as_texts,
    as_uuid,
    body,
    created,
    register_commands,
    run,
)
from web.identity import requires
from web.reads import reads


# -- reviews ----
@bp.post("/cycles/<uuid:cycle_id>/reviews")
@requires("review.record")
def open_review(cycle_id: UUID):
    values = body({"subject_key": (as_text, REQ), "venue_id": (as_uuid, REQ)})
    review_id = run(rc.OpenReview(actor_id=acting(), cycle_id=cycle_id, **values))
    return created(
        {"id": str(review_id)},
        url_for(".get_subject", cycle_id=cycle_id, subject_key=values["subject_key"]),
    )


REVIEW_STEPS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "report": (
        rc.CirculateReport,
        {"summary": (as_text, REQ), "circulated_on": (as_date, REQ)},
    ),
    "self-review": (
        rc.SubmitSelfReview,
        {"form": (as_text, REQ), "sections": (as_text_map, REQ)},
    ),
    "comments": (
        rc.AddComment,
        {"author_member_id": (as_uuid, REQ), "text": (as_text, REQ)},
    ),
    "suggestions": (
        rc.AddSuggestion,
        {"issuer_org_id": (as_uuid, REQ), "text": (as_text, REQ)},
    ),
    "opinions": (
        rc.RecordOpinion,
        {
            "evaluator_kind": (as_text, REQ),
            "evaluator": (as_text, REQ),
            "text": (as_text, REQ),
            "proposed_level": (as_text, OPT),
        },
    ),
    "residence-comment": (rc.RecordResidenceComment, {"text": (as_text, REQ)}),
    "temporary-cell-comment": (
        rc.RecordTemporaryCellComment,
        {"cell_id": (as_uuid, REQ), "text": (as_text, REQ)},
    ),
    "meeting": (
        rc.HoldMeeting,
        {
            "held_on": (as_date, REQ),
            "attendees": (as_int, REQ),
            "minutes": (as_text, REQ),
            "conclusion": (as_text, REQ),
        },
    ),
}


register_commands(
    "/reviews/<uuid:review_id>",
    "review_id",
    REVIEW_STEPS,
    "review.record",
    "review_",
)


# -- rating rounds ----
@bp.post("/cycles/<uuid:cycle_id>/rounds")
@requires("rating.decide")
def open_round(cycle_id: UUID):
    values = body({"authority_org_id": (as_uuid, REQ)})
    round_id = run(rc.OpenRound(actor_id=acting(), cycle_id=cycle_id, **values))
    return created(
        {"id": str(round_id), "round": reads().round_row(round_id)},
        url_for(".get_round", round_id=round_id),
    )


ASSESSMENT: dict[str, tuple[Parser, bool]] = {
    "subject_key": (as_text, REQ),
    "level": (as_text, REQ),
    "tasks_total": (as_int, REQ),
    "tasks_on_time": (as_int, REQ),
    "tasks_exceeded": (as_int, OPT),
    "tasks_late": (as_int, OPT),
    "tasks_not_done": (as_int, OPT),
    "points": (as_points, OPT),
    "met": (as_texts, OPT),
}
ROUND_STEPS: dict[str, tuple[str, type, dict[str, tuple[Parser, bool]]]] = {
    "peer-groups": (
        "rating.peer_group",
        rc.DefinePeerGroup,
        {"code": (as_text, REQ), "name": (as_text, REQ), "members": (as_texts, REQ)},
    ),
    "quota-exceptions": (
        "rating.decide",
        rc.GrantQuotaException,
        {
            "code": (as_text, REQ),
            "ratio_pct": (as_int, REQ),
            "justification": (as_text, REQ),
        },
    ),
    "self-ratings": ("rating.self_rate", rc.SelfRate, ASSESSMENT),
    "proposals": (
        "rating.propose",
        rc.ProposeRating,
        {
            "subject_key": (as_text, REQ),
            "level": (as_text, REQ),
            "note": (as_text, OPT),
        },
    ),
    "holds": (
        "rating.hold",
        rc.HoldRating,
        {
            "subject_key": (as_text, REQ),
            "reason": (as_text, REQ),
            "note": (as_text, REQ),
        },
    ),
    "releases": (
        "rating.decide",
        rc.ReleaseRating,
        {"subject_key": (as_text, REQ), "finding": (as_text, REQ)},
    ),
    "mitigations": (
        "rating.decide",
        rc.DecideMitigation,
        {
            "subject_key": (as_text, REQ),
            "trigger": (as_text, REQ),
            "mitigated": (as_bool, REQ),
            "justification": (as_text, REQ),
        },
    ),
    "decisions": (
        "rating.decide",
        rc.DecideRating,
        {
            "subject_key": (as_text, REQ),
            "level": (as_text, REQ),
            "decision_no": (as_text, REQ),
            "decided_on": (as_date, REQ),
            "justification": (as_text, OPT),
        },
    ),
    "re-ratings": (
        "rating.decide",
        rc.ReRate,
        {
            "subject_key": (as_text, REQ),
            "level": (as_text, REQ),
            "decision_no": (as_text, REQ),
            "decided_on": (as_date, REQ),
            "reason": (as_text, REQ),
            "chair_responsibility": (as_bool, OPT),
        },
    ),
}


def _round_view(action: str, command: type, spec: dict[str, tuple[Parser, bool]]):
    def view(round_id: UUID):
        values = body(spec)
        run(command(actor_id=acting(), round_id=round_id, **values))
        ratings = reads()
        found = ratings.round_row(round_id)
        answer: dict[str, Any] = {"round": found}
        key = values.get("subject_key")
        if key and found:
            answer["subject"] = ratings.subject_row(UUID(found["cycle_id"]), key)
        return jsonify(answer)

    return requires(action)(view)


for _step, (_action, _command, _spec) in ROUND_STEPS.items():
    bp.add_url_rule(
        f"/rounds/<uuid:round_id>/{_step}",
        endpoint="round_" + _step.replace("-", "_"),
        view_func=_round_view(_action, _command, _spec),
        methods=["POST"],
    )
