"""JSON endpoints of the steps of a review (report, self-review, meeting,
comments …) and of a rating round (self-rating, proposal, decision, hold,
peer groups …), registered from the tables the OpenAPI document reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import jsonify, url_for

from services import rating_commands as rc
from web.api.bodies import (
    acting,
    body,
    created,
    post,
    register_commands,
    run,
)
from web.api.fields import (
    Body,
    Bool,
    Date,
    DecimalText,
    Int,
    ListOf,
    MapOf,
    ObjectOf,
    Text,
    Uuid,
    optional,
)
from web.catalogue.ratings import LEVEL_LABELS, REPORT_SECTION_LABELS
from web.identity import requires
from web.reads import reads

LEVEL = Text(known=tuple(LEVEL_LABELS))
POINTS = MapOf(
    item=DecimalText(),
    description='Criterion code -> points as decimal text (e.g. "8.5")',
)


# -- reviews ----
# Mẫu 01, the collective's report: its sections I–V by the template's keys (the
# web form's and the command's); VI, the self-rating, is the rating round's.
REPORT = Body(
    {
        "sections": optional(
            ObjectOf(
                fields={
                    key: optional(Text(description=label))
                    for key, label in REPORT_SECTION_LABELS.items()
                },
                closed=True,
                description=(
                    "Mẫu 01 by section (I–V); section I, `results`, is "
                    "required. An unknown section is refused."
                ),
            )
        ),
        "summary": optional(
            Text(
                description=(
                    "Deprecated: section I (`results`) alone, for clients "
                    "written before `sections`. Send `sections` instead; "
                    "sending both is refused."
                ),
                deprecated=True,
            )
        ),
        "circulated_on": Date(),
    },
    error_fields={
        code: "sections"
        for code in (
            "review.section_missing",
            "review.section_unknown",
            "review.text_too_long",
        )
    },
    apart=(("sections", "summary"),),
)


def circulate_report(
    *,
    sections: dict[str, str] | None = None,
    summary: str | None = None,
    **values: Any,
) -> rc.CirculateReport:
    """The report step's command: the deprecated ``summary`` is section I."""
    if summary is not None:
        sections = {"results": summary}
    return rc.CirculateReport(summary="", sections=sections or {}, **values)


OPEN_REVIEW = Body({"subject_key": Text(), "venue_id": Uuid()})


@post("/cycles/<uuid:cycle_id>/reviews", OPEN_REVIEW)
@requires("review.record")
def open_review(cycle_id: UUID):
    values = body()
    review_id = run(rc.OpenReview(actor_id=acting(), cycle_id=cycle_id, **values))
    return created(
        {"id": str(review_id)},
        url_for(".get_subject", cycle_id=cycle_id, subject_key=values["subject_key"]),
    )


REVIEW_STEPS: dict[str, tuple[Callable[..., Any], Body]] = {
    "report": (circulate_report, REPORT),
    "self-review": (
        rc.SubmitSelfReview,
        Body({"form": Text(), "sections": MapOf(item=Text())}),
    ),
    "comments": (
        rc.AddComment,
        Body({"author_member_id": Uuid(), "text": Text()}),
    ),
    "suggestions": (
        rc.AddSuggestion,
        Body({"issuer_org_id": Uuid(), "text": Text()}),
    ),
    "opinions": (
        rc.RecordOpinion,
        Body(
            {
                "evaluator_kind": Text(),
                "evaluator": Text(),
                "text": Text(),
                "proposed_level": optional(LEVEL),
            }
        ),
    ),
    "residence-comment": (rc.RecordResidenceComment, Body({"text": Text()})),
    "temporary-cell-comment": (
        rc.RecordTemporaryCellComment,
        Body({"cell_id": Uuid(), "text": Text()}),
    ),
    "meeting": (
        rc.HoldMeeting,
        Body(
            {
                "held_on": Date(),
                "attendees": Int(),
                "minutes": Text(),
                "conclusion": Text(),
            }
        ),
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
OPEN_ROUND = Body({"authority_org_id": Uuid()})


@post("/cycles/<uuid:cycle_id>/rounds", OPEN_ROUND)
@requires("rating.decide")
def open_round(cycle_id: UUID):
    values = body()
    round_id = run(rc.OpenRound(actor_id=acting(), cycle_id=cycle_id, **values))
    return created(
        {"id": str(round_id), "round": reads().round_row(round_id)},
        url_for(".get_round", round_id=round_id),
    )


ASSESSMENT = Body(
    {
        "subject_key": Text(),
        "level": LEVEL,
        "tasks_total": Int(),
        "tasks_on_time": Int(),
        "tasks_exceeded": optional(Int()),
        "tasks_late": optional(Int()),
        "tasks_not_done": optional(Int()),
        "points": optional(POINTS),
        "met": optional(ListOf(item=Text())),
    }
)
ROUND_STEPS: dict[str, tuple[str, type, Body]] = {
    "peer-groups": (
        "rating.peer_group",
        rc.DefinePeerGroup,
        Body({"code": Text(), "name": Text(), "members": ListOf(item=Text())}),
    ),
    "quota-exceptions": (
        "rating.decide",
        rc.GrantQuotaException,
        Body(
            {
                "code": Text(),
                "ratio_pct": Int(),
                "justification": Text(),
            }
        ),
    ),
    "self-ratings": ("rating.self_rate", rc.SelfRate, ASSESSMENT),
    "proposals": (
        "rating.propose",
        rc.ProposeRating,
        Body(
            {
                "subject_key": Text(),
                "level": LEVEL,
                "note": optional(Text()),
            }
        ),
    ),
    "holds": (
        "rating.hold",
        rc.HoldRating,
        Body(
            {
                "subject_key": Text(),
                "reason": Text(),
                "note": Text(),
            }
        ),
    ),
    "releases": (
        "rating.decide",
        rc.ReleaseRating,
        Body({"subject_key": Text(), "finding": Text()}),
    ),
    "mitigations": (
        "rating.decide",
        rc.DecideMitigation,
        Body(
            {
                "subject_key": Text(),
                "trigger": Text(),
                "mitigated": Bool(),
                "justification": Text(),
            }
        ),
    ),
    "decisions": (
        "rating.decide",
        rc.DecideRating,
        Body(
            {
                "subject_key": Text(),
                "level": LEVEL,
                "decision_no": Text(),
                "decided_on": Date(),
                "justification": optional(Text()),
            }
        ),
    ),
    "re-ratings": (
        "rating.decide",
        rc.ReRate,
        Body(
            {
                "subject_key": Text(),
                "level": LEVEL,
                "decision_no": Text(),
                "decided_on": Date(),
                "reason": Text(),
                "chair_responsibility": optional(Bool()),
            }
        ),
    ),
}


def _round_view(action: str, command: type) -> Any:
    def view(round_id: UUID) -> Any:
        values = body()
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
    post(
        f"/rounds/<uuid:round_id>/{_step}",
        _spec,
        endpoint="round_" + _step.replace("-", "_"),
    )(_round_view(_action, _command))
