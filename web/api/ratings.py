"""JSON endpoints of review and rating (issue 3), on the API blueprint: the
reads of cycles, subjects, rounds and statistics, and the cycle's own commands
(open, deadlines, refresh, close, combined conferences, criteria, re-review
orders). Refusals carry the stable ``code`` and the Vietnamese ``message``; a
refused command stores nothing. Review and round steps are in
``web.api.rating_steps``, facts and the member import in
``web.api.rating_facts``."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from flask import jsonify, request, url_for

from services import rating_commands as rc
from web.api import bp
from web.api.bodies import acting, body, created, post, refused, run
from web.api.fields import (
    Body,
    Bool,
    Date,
    Int,
    ListOf,
    MapOf,
    ObjectOf,
    Text,
    Uuid,
    optional,
)
from web.catalogue.ratings import DEADLINE_LEVELS, MILESTONES, REREVIEW_SCOPES
from web.identity import requires
from web.reads import found_or_404, reads

DEADLINE = ObjectOf(
    fields={
        "level": Text(known=tuple(DEADLINE_LEVELS)),
        "milestone": Text(known=tuple(MILESTONES)),
        "due": Date(),
    },
    build=lambda v: (v["level"], v["milestone"], v["due"]),
)
CYCLE_OPTIONS = ObjectOf(
    required=False,
    description="Options of the regime the year's rulebook lets a cycle set; "
    "other keys are refused by the rules (cycle.option_unknown)",
    fields={
        "holidays": optional(ListOf(item=Date())),
        "quota_rounding": optional(Text()),
        "head_not_above_collective": optional(Bool()),
        "combined": optional(MapOf(item=Text())),
    },
    open=True,
)
OPEN_CYCLE = Body(
    {
        "org_id": Uuid(),
        "year": Int(),
        "period": optional(Text()),
        "period_no": optional(Int()),
        "reference_date": optional(Date()),
        "deadlines": optional(ListOf(item=DEADLINE)),
        "options": CYCLE_OPTIONS,
    }
)
SET_DEADLINE = Body(
    {
        "level": Text(known=tuple(DEADLINE_LEVELS)),
        "milestone": Text(known=tuple(MILESTONES)),
        "due": Date(),
    }
)
NOTHING = Body()


# -- reads ---------------------------------------------------------------------------
@bp.get("/cycles")
def list_cycles():
    return jsonify({"cycles": reads().cycles()})


@bp.get("/cycles/<uuid:cycle_id>")
def get_cycle(cycle_id: UUID):
    ratings = reads()
    cycle = found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    return jsonify({"cycle": cycle, "rounds": ratings.rounds(cycle_id)})


@bp.get("/cycles/<uuid:cycle_id>/subjects")
def list_subjects(cycle_id: UUID):
    ratings = reads()
    found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    return jsonify({"subjects": ratings.subjects(cycle_id)})


@bp.get("/cycles/<uuid:cycle_id>/subjects/<subject_key>")
def get_subject(cycle_id: UUID, subject_key: str):
    ratings = reads()
    subject = found_or_404(
        ratings.subject_row(cycle_id, subject_key), "rating.subject_not_found"
    )
    return jsonify(
        {
            "subject": subject,
            "timeline": ratings.timeline(cycle_id, subject_key),
            "flags": ratings.subject_flags(cycle_id, subject_key),
            "rereview_orders": ratings.rereview_orders(cycle_id, subject_key),
        }
    )


@bp.get("/cycles/<uuid:cycle_id>/statistics")
def get_statistics(cycle_id: UUID):
    ratings = reads()
    cycle = found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    org = request.args.get("org_id") or cycle["org_id"]
    try:
        org_id = UUID(org)
    except ValueError:
        raise refused(org_id="input.id_invalid") from None
    raw = request.args.get("tree_on", "").strip()
    try:
        tree_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise refused(tree_on="input.date_invalid") from None
    # Rolled up by the tree at the report date (today; ``tree_on`` null) or as
    # it was on ``tree_on``, like the statistics page and the report (issue 12).
    return jsonify(
        {
            "org_id": str(org_id),
            "tree_on": tree_on.isoformat() if tree_on else None,
            "tree_is_report_date": tree_on is None,
            "statistics": ratings.statistics_on_tree(cycle_id, org_id, tree_on),
        }
    )


@bp.get("/cycles/<uuid:cycle_id>/issues")
def list_issues(cycle_id: UUID):
    ratings = reads()
    found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    return jsonify({"issues": ratings.open_items(cycle_id)})


@bp.get("/rounds/<uuid:round_id>")
def get_round(round_id: UUID):
    ratings = reads()
    found = found_or_404(ratings.round_row(round_id), "rating.round_not_found")
    return jsonify({"round": found, "groups": ratings.peer_groups(round_id)})


# -- cycles ----
@post("/cycles", OPEN_CYCLE)
@requires("cycle.open")
def open_cycle():
    values = body()
    options = values.pop("options", {})
    if "holidays" in options:
        options["holidays"] = list(options["holidays"])
    cycle_id = run(rc.OpenCycle(actor_id=acting(), options=options, **values))
    return created(
        {"id": str(cycle_id), "cycle": reads().cycle_row(cycle_id)},
        url_for(".get_cycle", cycle_id=cycle_id),
    )


@post("/cycles/<uuid:cycle_id>/deadlines", SET_DEADLINE)
@requires("cycle.open")
def set_deadline(cycle_id: UUID):
    values = body()
    run(rc.SetDeadline(actor_id=acting(), cycle_id=cycle_id, **values))
    return jsonify({"cycle": reads().cycle_row(cycle_id)})


@post("/cycles/<uuid:cycle_id>/refresh", NOTHING)
@requires("cycle.open")
def refresh_subjects(cycle_id: UUID):
    body()
    run(rc.RefreshSubjects(actor_id=acting(), cycle_id=cycle_id))
    return jsonify({"subjects": reads().subjects(cycle_id)})


@post("/cycles/<uuid:cycle_id>/close", NOTHING)
@requires("rating.decide")
def close_cycle(cycle_id: UUID):
    body()
    run(rc.CloseCycle(actor_id=acting(), cycle_id=cycle_id))
    return jsonify({"cycle": reads().cycle_row(cycle_id)})


COMBINED = Body({"collective_id": Uuid(), "committee_id": optional(Uuid())})


@post("/cycles/<uuid:cycle_id>/combined", COMBINED)
@requires("cycle.open")
def set_combined(cycle_id: UUID):
    """43-HD mục 2.4: without ``committee_id`` the collective is reviewed at its
    own level again."""
    run(rc.SetCombinedConference(actor_id=acting(), cycle_id=cycle_id, **body()))
    ratings = reads()
    return jsonify(
        {"cycle": ratings.cycle_row(cycle_id), "subjects": ratings.subjects(cycle_id)}
    )


# -- criteria refined by a province or unit (366 Điều 10) ------------------------------
CRITERION = ObjectOf(
    fields={
        "code": Text(description="e.g. 1.1: a-z, 0-9 and . _ - (at most 32)"),
        "group": Text(known=("general", "task")),
        "max_points": Int(),
        "title": Text(),
    },
    build=lambda v: (v["code"], v["group"], v["max_points"], v["title"]),
)
CRITERIA = Body(
    {
        "org_id": Uuid(),
        "appendix": Text(),
        "from_year": Int(),
        "items": ListOf(item=CRITERION),
    }
)


@bp.get("/criteria")
def list_criteria():
    return jsonify({"refinements": reads().criteria_refinements()})


@post("/criteria", CRITERIA)
@requires("criteria.define")
def define_criteria():
    ident = run(rc.DefineCriteria(actor_id=acting(), **body()))
    (found,) = [
        r for r in reads().criteria_refinements() if r["refinement_id"] == str(ident)
    ]
    return created({"id": str(ident), "refinement": found}, url_for(".list_criteria"))


# -- re-review orders (§5.4) -----------------------------------------------------------
@bp.get("/cycles/<uuid:cycle_id>/rereview-orders")
def list_rereview_orders(cycle_id: UUID):
    ratings = reads()
    found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    return jsonify({"orders": ratings.rereview_orders(cycle_id)})


REREVIEW_ORDER = Body(
    {
        "subject_key": Text(),
        "scope": Text(known=tuple(REREVIEW_SCOPES)),
        "reason": Text(),
        "deadline": Date(),
        "chair_responsibility": optional(Bool()),
    }
)


@post("/cycles/<uuid:cycle_id>/rereview-orders", REREVIEW_ORDER)
@requires("review.order_redo")
def order_rereview(cycle_id: UUID):
    values = body()
    order_id = run(rc.OrderReReview(actor_id=acting(), cycle_id=cycle_id, **values))
    ratings = reads()
    key = values["subject_key"]
    (order,) = [
        o
        for o in ratings.rereview_orders(cycle_id, key)
        if o["order_id"] == str(order_id)
    ]
    return created(
        {
            "id": str(order_id),
            "order": order,
            "subject": ratings.subject_row(cycle_id, key),
        },
        url_for(".get_subject", cycle_id=cycle_id, subject_key=key),
    )
