"""JSON endpoints of review and rating (issue 3), on the API blueprint.

Bodies are JSON objects checked by :func:`body` (shape only: types, dates,
required fields); every rule is the domain's. Refusals carry the stable ``code``
and the Vietnamese ``message``; a refused command stores nothing.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from flask import jsonify, request, url_for

from domain.errors import DomainError
from services import rating_commands as rc
from services.errors import SignatureRequiredError
from web.api import bp
from web.catalogue import message_for
from web.dispatch import send_json
from web.errors import Refused, json_error, json_refusal
from web.identity import requires, services, signer, user
from web.reads import found_or_404, reads

log = logging.getLogger(__name__)
MAX_TEXT = 20000


class _Missing:
    pass


MISSING = _Missing()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    if len(value) > MAX_TEXT:
        raise ValueError
    return unicodedata.normalize("NFC", value)


def _uuid(value: Any) -> UUID:
    return UUID(str(value))


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError
    return date.fromisoformat(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    if not -(2**31) < value < 2**31:
        raise ValueError
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(_text(v) for v in value)


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError
    return {_text(k): _text(v) for k, v in value.items()}


def _points(value: Any) -> dict[str, str]:
    """Points as decimal text; a JSON number is refused (no floats)."""
    if not isinstance(value, dict):
        raise ValueError
    out = {}
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ValueError
        out[_text(key)] = str(item)
    return out


def _deadlines(value: Any) -> tuple[tuple[str, str, date], ...]:
    if not isinstance(value, list):
        raise ValueError
    return tuple(
        (_text(d["level"]), _text(d["milestone"]), _date(d["due"])) for d in value
    )


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError
    return value


Parser = Callable[[Any], Any]


def body(spec: dict[str, tuple[Parser, bool]]) -> dict[str, Any]:
    """The request's JSON object parsed by ``spec`` (name -> (parser, required))."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Refused(
            json_error(
                "form.invalid", 400, fields={"_form": [message_for("form.invalid")]}
            )
        )
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, (parse, required) in spec.items():
        raw = data.get(name, MISSING)
        if raw is MISSING or raw is None:
            if required:
                errors[name] = [message_for("rating.body_field_required")]
            continue
        try:
            values[name] = parse(raw)
        except (ValueError, TypeError, KeyError):
            errors[name] = [message_for("rating.body_field_invalid")]
    if errors:
        raise Refused(json_error("form.invalid", 400, fields=errors))
    return values


def run(command: Any) -> Any:
    """Send a command signed by the current user through the bus; a refusal
    becomes the JSON error (``web.dispatch.send_json``)."""
    return send_json(command)


def _created(payload: dict[str, Any], location: str):
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


REQ, OPT = True, False


def _actor() -> str:
    return str(user().actor)


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
    return jsonify(
        {"org_id": str(org_id), "statistics": ratings.statistics(cycle_id, org_id)}
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


# -- member facts ----------------------------------------------------------------------
MEMBER_FACTS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "posts": (
        rc.AssignPost,
        {"org_id": (_uuid, REQ), "role": (_text, REQ), "since": (_date, REQ)},
    ),
    "posts/end": (rc.EndPost, {"org_id": (_uuid, REQ), "until": (_date, REQ)}),
    "temporary-cell": (
        rc.AttachTemporaryCell,
        {"cell_id": (_uuid, REQ), "since": (_date, REQ)},
    ),
    "temporary-cell/end": (rc.DetachTemporaryCell, {"until": (_date, REQ)}),
    "exemptions": (
        rc.RecordExemption,
        {
            "kind": (_text, REQ),
            "start": (_date, REQ),
            "end": (_date, OPT),
            "reference": (_text, REQ),
        },
    ),
    "leaves": (
        rc.RecordLeave,
        {"kind": (_text, REQ), "start": (_date, REQ), "end": (_date, REQ)},
    ),
    "disciplines": (
        rc.RecordDiscipline,
        {
            "level": (_text, REQ),
            "duty_related": (_bool, REQ),
            "decided_on": (_date, REQ),
            "reference": (_text, REQ),
            "conduct_org_id": (_uuid, OPT),
        },
    ),
    "degradations": (
        rc.RecordDegradation,
        {"concluded_on": (_date, REQ), "reference": (_text, REQ)},
    ),
    "confidence-results": (
        rc.RecordConfidenceResult,
        {
            "held_on": (_date, REQ),
            "returned": (_int, REQ),
            "low": (_int, REQ),
            "reference": (_text, REQ),
        },
    ),
    "work-situation": (rc.SetWorkSituation, {"outside_political_system": (_bool, REQ)}),
    "oversight": (
        rc.AssignOversight,
        {"org_id": (_uuid, REQ), "since": (_date, REQ)},
    ),
    "oversight/end": (
        rc.EndOversight,
        {"org_id": (_uuid, REQ), "until": (_date, REQ)},
    ),
}


def _member_fact_view(command: type, spec: dict[str, tuple[Parser, bool]]):
    def view(member_id: UUID):
        run(command(actor_id=_actor(), member_id=member_id, **body(spec)))
        return jsonify({"id": str(member_id)})

    return requires("member.record_fact")(view)


for _fact, (_command, _spec) in MEMBER_FACTS.items():
    bp.add_url_rule(
        f"/members/<uuid:member_id>/{_fact}",
        endpoint="member_fact_" + _fact.replace("/", "_").replace("-", "_"),
        view_func=_member_fact_view(_command, _spec),
        methods=["POST"],
    )


# -- facts about organisations ---------------------------------------------------------
ORG_FACTS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "sector": (rc.SetSector, {"sector": (_text, REQ)}),
    "conclusions": (
        rc.RecordConclusion,
        {
            "kind": (_text, REQ),
            "concluded_on": (_date, REQ),
            "reference": (_text, REQ),
        },
    ),
    "task-results": (
        rc.RecordTaskResults,
        {
            "year": (_int, REQ),
            "tasks_planned": (_int, REQ),
            "tasks_completed": (_int, REQ),
            "reference": (_text, REQ),
            "targets_apply": (_bool, OPT),
            "targets_failed": (_texts, OPT),
        },
    ),
    "cases": (
        rc.RecordCase,
        {
            "kind": (_text, REQ),
            "disciplined_on": (_date, REQ),
            "reference": (_text, REQ),
            "member_id": (_uuid, OPT),
        },
    ),
    "disciplines": (
        rc.RecordOrgDiscipline,
        {
            "level": (_text, REQ),
            "decided_on": (_date, REQ),
            "reference": (_text, REQ),
        },
    ),
}


def _org_fact_view(command: type, spec: dict[str, tuple[Parser, bool]]):
    def view(org_id: UUID):
        run(command(actor_id=_actor(), org_id=org_id, **body(spec)))
        return jsonify({"id": str(org_id)})

    return requires("organisation.record_fact")(view)


for _fact, (_command, _spec) in ORG_FACTS.items():
    bp.add_url_rule(
        f"/organisations/<uuid:org_id>/{_fact}",
        endpoint="org_fact_" + _fact.replace("-", "_"),
        view_func=_org_fact_view(_command, _spec),
        methods=["POST"],
    )


@bp.get("/organisations/<uuid:org_id>/facts")
def get_org_facts(org_id: UUID):
    ratings = reads()
    facts = ratings.org_facts(org_id)
    return jsonify(
        {"org_id": str(org_id), "sector": ratings.org_sector(org_id), "facts": facts}
    )


# -- cycles ----
@bp.post("/cycles")
@requires("cycle.open")
def open_cycle():
    values = body(
        {
            "org_id": (_uuid, REQ),
            "year": (_int, REQ),
            "period": (_text, OPT),
            "period_no": (_int, OPT),
            "reference_date": (_date, OPT),
            "deadlines": (_deadlines, OPT),
            "options": (_object, OPT),
        }
    )
    options = values.pop("options", {})
    if "holidays" in options:
        try:
            options["holidays"] = [_date(d) for d in options["holidays"]]
        except (ValueError, TypeError):
            return json_error("form.invalid", 400, fields={"options": ["?"]})
    cycle_id = run(rc.OpenCycle(actor_id=_actor(), options=options, **values))
    return _created(
        {"id": str(cycle_id), "cycle": reads().cycle_row(cycle_id)},
        url_for(".get_cycle", cycle_id=cycle_id),
    )


@bp.post("/cycles/<uuid:cycle_id>/deadlines")
@requires("cycle.open")
def set_deadline(cycle_id: UUID):
    values = body(
        {"level": (_text, REQ), "milestone": (_text, REQ), "due": (_date, REQ)}
    )
    run(rc.SetDeadline(actor_id=_actor(), cycle_id=cycle_id, **values))
    return jsonify({"cycle": reads().cycle_row(cycle_id)})


@bp.post("/cycles/<uuid:cycle_id>/refresh")
@requires("cycle.open")
def refresh_subjects(cycle_id: UUID):
    run(rc.RefreshSubjects(actor_id=_actor(), cycle_id=cycle_id))
    return jsonify({"subjects": reads().subjects(cycle_id)})


@bp.post("/cycles/<uuid:cycle_id>/close")
@requires("rating.decide")
def close_cycle(cycle_id: UUID):
    run(rc.CloseCycle(actor_id=_actor(), cycle_id=cycle_id))
    return jsonify({"cycle": reads().cycle_row(cycle_id)})


COMBINED: dict[str, tuple[Parser, bool]] = {
    "collective_id": (_uuid, REQ),
    "committee_id": (_uuid, OPT),
}


@bp.post("/cycles/<uuid:cycle_id>/combined")
@requires("cycle.open")
def set_combined(cycle_id: UUID):
    """43-HD mục 2.4: without ``committee_id`` the collective is reviewed at its
    own level again."""
    run(
        rc.SetCombinedConference(actor_id=_actor(), cycle_id=cycle_id, **body(COMBINED))
    )
    ratings = reads()
    return jsonify(
        {"cycle": ratings.cycle_row(cycle_id), "subjects": ratings.subjects(cycle_id)}
    )


# -- reviews ----
@bp.post("/cycles/<uuid:cycle_id>/reviews")
@requires("review.record")
def open_review(cycle_id: UUID):
    values = body({"subject_key": (_text, REQ), "venue_id": (_uuid, REQ)})
    review_id = run(rc.OpenReview(actor_id=_actor(), cycle_id=cycle_id, **values))
    return _created(
        {"id": str(review_id)},
        url_for(".get_subject", cycle_id=cycle_id, subject_key=values["subject_key"]),
    )


REVIEW_STEPS: dict[str, tuple[type, dict[str, tuple[Parser, bool]]]] = {
    "report": (
        rc.CirculateReport,
        {"summary": (_text, REQ), "circulated_on": (_date, REQ)},
    ),
    "self-review": (
        rc.SubmitSelfReview,
        {"form": (_text, REQ), "sections": (_text_map, REQ)},
    ),
    "comments": (
        rc.AddComment,
        {"author_member_id": (_uuid, REQ), "text": (_text, REQ)},
    ),
    "suggestions": (
        rc.AddSuggestion,
        {"issuer_org_id": (_uuid, REQ), "text": (_text, REQ)},
    ),
    "opinions": (
        rc.RecordOpinion,
        {
            "evaluator_kind": (_text, REQ),
            "evaluator": (_text, REQ),
            "text": (_text, REQ),
            "proposed_level": (_text, OPT),
        },
    ),
    "residence-comment": (rc.RecordResidenceComment, {"text": (_text, REQ)}),
    "temporary-cell-comment": (
        rc.RecordTemporaryCellComment,
        {"cell_id": (_uuid, REQ), "text": (_text, REQ)},
    ),
    "meeting": (
        rc.HoldMeeting,
        {
            "held_on": (_date, REQ),
            "attendees": (_int, REQ),
            "minutes": (_text, REQ),
            "conclusion": (_text, REQ),
        },
    ),
}


def _review_view(command: type, spec: dict[str, tuple[Parser, bool]]):
    def view(review_id: UUID):
        run(command(actor_id=_actor(), review_id=review_id, **body(spec)))
        return jsonify({"id": str(review_id)})

    return requires("review.record")(view)


for _step, (_command, _spec) in REVIEW_STEPS.items():
    bp.add_url_rule(
        f"/reviews/<uuid:review_id>/{_step}",
        endpoint="review_" + _step.replace("-", "_"),
        view_func=_review_view(_command, _spec),
        methods=["POST"],
    )


# -- rating rounds ----
@bp.post("/cycles/<uuid:cycle_id>/rounds")
@requires("rating.decide")
def open_round(cycle_id: UUID):
    values = body({"authority_org_id": (_uuid, REQ)})
    round_id = run(rc.OpenRound(actor_id=_actor(), cycle_id=cycle_id, **values))
    return _created(
        {"id": str(round_id), "round": reads().round_row(round_id)},
        url_for(".get_round", round_id=round_id),
    )


ASSESSMENT: dict[str, tuple[Parser, bool]] = {
    "subject_key": (_text, REQ),
    "level": (_text, REQ),
    "tasks_total": (_int, REQ),
    "tasks_on_time": (_int, REQ),
    "tasks_exceeded": (_int, OPT),
    "tasks_late": (_int, OPT),
    "tasks_not_done": (_int, OPT),
    "points": (_points, OPT),
    "met": (_texts, OPT),
}
ROUND_STEPS: dict[str, tuple[str, type, dict[str, tuple[Parser, bool]]]] = {
    "peer-groups": (
        "rating.peer_group",
        rc.DefinePeerGroup,
        {"code": (_text, REQ), "name": (_text, REQ), "members": (_texts, REQ)},
    ),
    "quota-exceptions": (
        "rating.decide",
        rc.GrantQuotaException,
        {"code": (_text, REQ), "ratio_pct": (_int, REQ), "justification": (_text, REQ)},
    ),
    "self-ratings": ("rating.self_rate", rc.SelfRate, ASSESSMENT),
    "proposals": (
        "rating.propose",
        rc.ProposeRating,
        {"subject_key": (_text, REQ), "level": (_text, REQ), "note": (_text, OPT)},
    ),
    "holds": (
        "rating.hold",
        rc.HoldRating,
        {"subject_key": (_text, REQ), "reason": (_text, REQ), "note": (_text, REQ)},
    ),
    "releases": (
        "rating.decide",
        rc.ReleaseRating,
        {"subject_key": (_text, REQ), "finding": (_text, REQ)},
    ),
    "mitigations": (
        "rating.decide",
        rc.DecideMitigation,
        {
            "subject_key": (_text, REQ),
            "trigger": (_text, REQ),
            "mitigated": (_bool, REQ),
            "justification": (_text, REQ),
        },
    ),
    "decisions": (
        "rating.decide",
        rc.DecideRating,
        {
            "subject_key": (_text, REQ),
            "level": (_text, REQ),
            "decision_no": (_text, REQ),
            "decided_on": (_date, REQ),
            "justification": (_text, OPT),
        },
    ),
    "re-ratings": (
        "rating.decide",
        rc.ReRate,
        {
            "subject_key": (_text, REQ),
            "level": (_text, REQ),
            "decision_no": (_text, REQ),
            "decided_on": (_date, REQ),
            "reason": (_text, REQ),
            "chair_responsibility": (_bool, OPT),
        },
    ),
}


def _round_view(action: str, command: type, spec: dict[str, tuple[Parser, bool]]):
    def view(round_id: UUID):
        values = body(spec)
        run(command(actor_id=_actor(), round_id=round_id, **values))
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


# -- criteria refined by a province or unit (366 Điều 10) ------------------------------
def _criteria_items(value: Any) -> tuple[tuple[str, str, int, str], ...]:
    if not isinstance(value, list):
        raise ValueError
    items = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError
        items.append(
            (
                _text(item.get("code")),
                _text(item.get("group")),
                _int(item.get("max_points")),
                _text(item.get("title")),
            )
        )
    return tuple(items)


CRITERIA: dict[str, tuple[Parser, bool]] = {
    "org_id": (_uuid, REQ),
    "appendix": (_text, REQ),
    "from_year": (_int, REQ),
    "items": (_criteria_items, REQ),
}


@bp.get("/criteria")
def list_criteria():
    return jsonify({"refinements": reads().criteria_refinements()})


@bp.post("/criteria")
@requires("criteria.define")
def define_criteria():
    ident = run(rc.DefineCriteria(actor_id=_actor(), **body(CRITERIA)))
    (found,) = [
        r for r in reads().criteria_refinements() if r["refinement_id"] == str(ident)
    ]
    return _created({"id": str(ident), "refinement": found}, url_for(".list_criteria"))


# -- re-review orders (§5.4) -----------------------------------------------------------
@bp.get("/cycles/<uuid:cycle_id>/rereview-orders")
def list_rereview_orders(cycle_id: UUID):
    ratings = reads()
    found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    return jsonify({"orders": ratings.rereview_orders(cycle_id)})


REREVIEW_ORDER: dict[str, tuple[Parser, bool]] = {
    "subject_key": (_text, REQ),
    "scope": (_text, REQ),
    "reason": (_text, REQ),
    "deadline": (_date, REQ),
    "chair_responsibility": (_bool, OPT),
}


@bp.post("/cycles/<uuid:cycle_id>/rereview-orders")
@requires("review.order_redo")
def order_rereview(cycle_id: UUID):
    values = body(REREVIEW_ORDER)
    order_id = run(rc.OrderReReview(actor_id=_actor(), cycle_id=cycle_id, **values))
    ratings = reads()
    key = values["subject_key"]
    (order,) = [
        o
        for o in ratings.rereview_orders(cycle_id, key)
        if o["order_id"] == str(order_id)
    ]
    return _created(
        {
            "id": str(order_id),
            "order": order,
            "subject": ratings.subject_row(cycle_id, key),
        },
        url_for(".get_subject", cycle_id=cycle_id, subject_key=key),
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
            "filename": (_text, REQ),
            "content_base64": (_base64, REQ),
            "dry_run": (_bool, OPT),
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
