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
from web.api.bodies import (
    OPT,
    REQ,
    Parser,
    acting,
    as_bool,
    as_criteria_items,
    as_date,
    as_deadlines,
    as_int,
    as_object,
    as_text,
    as_uuid,
    body,
    created,
    run,
)
from web.errors import json_error
from web.identity import requires
from web.reads import found_or_404, reads


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
        return json_error("form.invalid", 400, fields={"org_id": ["?"]})
    raw = request.args.get("tree_on", "").strip()
    try:
        tree_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        return json_error("form.invalid", 400, fields={"tree_on": ["?"]})
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
@bp.post("/cycles")
@requires("cycle.open")
def open_cycle():
    values = body(
        {
            "org_id": (as_uuid, REQ),
            "year": (as_int, REQ),
            "period": (as_text, OPT),
            "period_no": (as_int, OPT),
            "reference_date": (as_date, OPT),
            "deadlines": (as_deadlines, OPT),
            "options": (as_object, OPT),
        }
    )
    options = values.pop("options", {})
    if "holidays" in options:
        try:
            options["holidays"] = [as_date(d) for d in options["holidays"]]
        except (ValueError, TypeError):
            return json_error("form.invalid", 400, fields={"options": ["?"]})
    cycle_id = run(rc.OpenCycle(actor_id=acting(), options=options, **values))
    return created(
        {"id": str(cycle_id), "cycle": reads().cycle_row(cycle_id)},
        url_for(".get_cycle", cycle_id=cycle_id),
    )


@bp.post("/cycles/<uuid:cycle_id>/deadlines")
@requires("cycle.open")
def set_deadline(cycle_id: UUID):
    values = body(
        {"level": (as_text, REQ), "milestone": (as_text, REQ), "due": (as_date, REQ)}
    )
    run(rc.SetDeadline(actor_id=acting(), cycle_id=cycle_id, **values))
    return jsonify({"cycle": reads().cycle_row(cycle_id)})


@bp.post("/cycles/<uuid:cycle_id>/refresh")
@requires("cycle.open")
def refresh_subjects(cycle_id: UUID):
    run(rc.RefreshSubjects(actor_id=acting(), cycle_id=cycle_id))
    return jsonify({"subjects": reads().subjects(cycle_id)})


@bp.post("/cycles/<uuid:cycle_id>/close")
@requires("rating.decide")
def close_cycle(cycle_id: UUID):
    run(rc.CloseCycle(actor_id=acting(), cycle_id=cycle_id))
    return jsonify({"cycle": reads().cycle_row(cycle_id)})


COMBINED: dict[str, tuple[Parser, bool]] = {
    "collective_id": (as_uuid, REQ),
    "committee_id": (as_uuid, OPT),
}


@bp.post("/cycles/<uuid:cycle_id>/combined")
@requires("cycle.open")
def set_combined(cycle_id: UUID):
    """43-HD mục 2.4: without ``committee_id`` the collective is reviewed at its
    own level again."""
    run(
        rc.SetCombinedConference(actor_id=acting(), cycle_id=cycle_id, **body(COMBINED))
    )
    ratings = reads()
    return jsonify(
        {"cycle": ratings.cycle_row(cycle_id), "subjects": ratings.subjects(cycle_id)}
    )


# -- criteria refined by a province or unit (366 Điều 10) ------------------------------
CRITERIA: dict[str, tuple[Parser, bool]] = {
    "org_id": (as_uuid, REQ),
    "appendix": (as_text, REQ),
    "from_year": (as_int, REQ),
    "items": (as_criteria_items, REQ),
}


@bp.get("/criteria")
def list_criteria():
    return jsonify({"refinements": reads().criteria_refinements()})


@bp.post("/criteria")
@requires("criteria.define")
def define_criteria():
    ident = run(rc.DefineCriteria(actor_id=acting(), **body(CRITERIA)))
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


REREVIEW_ORDER: dict[str, tuple[Parser, bool]] = {
    "subject_key": (as_text, REQ),
    "scope": (as_text, REQ),
    "reason": (as_text, REQ),
    "deadline": (as_date, REQ),
    "chair_responsibility": (as_bool, OPT),
}


@bp.post("/cycles/<uuid:cycle_id>/rereview-orders")
@requires("review.order_redo")
def order_rereview(cycle_id: UUID):
    values = body(REREVIEW_ORDER)
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
