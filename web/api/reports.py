"""JSON endpoints of reports and commendations (issue 6), on the API blueprint.
Reads come from the views; an award is a signed command; refusals carry the
stable ``code`` and the Vietnamese ``message``."""

from __future__ import annotations

import logging
from datetime import date
from uuid import UUID

from flask import jsonify, request

from services.commendations import GrantAward
from web.api import bp
from web.api.bodies import body, post, refused, run
from web.api.fields import Body, Date, Int, Text, Uuid
from web.catalogue.reports import AWARD_KINDS
from web.errors import Refused, json_error
from web.identity import requires, user
from web.reads import found_or_404, reads

log = logging.getLogger(__name__)
GRANT_AWARD = Body(
    {
        "subject_key": Text(),
        "kind": Text(known=tuple(AWARD_KINDS)),
        "year": Int(),
        "awarding_org_id": Uuid(),
        "decision_no": Text(),
        "decided_on": Date(),
    }
)


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise Refused(json_error("report.year_invalid", 400))
    return year


def _query() -> tuple[UUID | None, int | None]:
    org, year = request.args.get("org_id"), request.args.get("year")
    try:
        org_id = UUID(org) if org else None
    except ValueError:
        raise refused(org_id="input.id_invalid") from None
    return org_id, (_year(year) if year else None)


@bp.get("/reports/<uuid:org_id>/<year>")
@requires("report.read")
def get_report(org_id: UUID, year: str):
    found_or_404(reads().organisation(org_id), "org.not_found")
    raw = request.args.get("tree_on", "").strip()
    try:
        tree_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise refused(tree_on="input.date_invalid") from None
    return jsonify({"report": reads().report(org_id, _year(year), tree_on)})


@bp.get("/commendations/proposals")
@requires("report.read")
def list_proposals():
    org_id, year = _query()
    if org_id is None or year is None:
        given = {"org_id": org_id, "year": year}
        raise refused(
            **{n: "input.field_required" for n, v in given.items() if v is None}
        )
    return jsonify(
        {
            "five_year_kind": reads().five_year_kind,
            "proposals": reads().proposals(org_id, year),
        }
    )


@bp.get("/commendations")
@requires("report.read")
def list_awards():
    org_id, year = _query()
    return jsonify({"awards": reads().awards(org_id, year)})


@post("/commendations", GRANT_AWARD)
@requires("commendation.grant")
def grant_award():
    command = GrantAward(actor_id=user().actor, **body())
    ident = run(command)
    (award,) = [
        a for a in reads().awards(year=command.year) if a["award_id"] == str(ident)
    ]
    return jsonify({"id": str(ident), "award": award}), 201
