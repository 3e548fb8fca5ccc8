"""JSON endpoints of remediation (issue 6), on the API blueprint.

Bodies are checked for shape by ``web.api.bodies.body``; every rule is the
domain's. Reads come from the ``remediation`` view through
``services.remediation``; a member reads only their own shortcomings.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any
from uuid import UUID

from flask import jsonify, request, url_for

from domain import permissions
from domain.subjects import SubjectKey
from services import remediation_commands as mc
from web.api import bp
from web.api.bodies import body, post, refused, run
from web.api.fields import Body, Date, ListOf, ObjectOf, Text, Uuid, optional
from web.catalogue.remediation import CAUSE_LABELS, SOURCE_LABELS, SUPERVISOR_LABELS
from web.identity import requires, user
from web.reads import found_or_404, reads

log = logging.getLogger(__name__)

PERSON = ObjectOf(
    fields={"member_id": Uuid(), "responsibility": optional(Text())},
    build=lambda v: (v["member_id"], v.get("responsibility", "")),
)
RECORD = Body(
    {
        "cycle_id": Uuid(),
        "subject_key": Text(),
        "source": Text(known=tuple(SOURCE_LABELS)),
        "description": Text(),
        "cause": Text(known=tuple(CAUSE_LABELS)),
        "collective_responsibility": optional(Text()),
        "persons": optional(ListOf(item=PERSON)),
        "review_id": optional(Uuid()),
        "recurrence_of": optional(Uuid()),
        "recorded_on": optional(Date()),
    }
)
PLAN = Body(
    {
        "shortcoming_ids": ListOf(item=Uuid()),
        "measures": ListOf(item=Text()),
        "responsible_member_id": Uuid(),
        "deadline": Date(),
        "supervisor": Text(known=tuple(SUPERVISOR_LABELS)),
        "supervisor_org_id": Uuid(),
        "adopted_on": optional(Date()),
    }
)
# step -> (command, body)
STEPS: dict[str, tuple[type, Body]] = {
    "progress": (
        mc.ReportRemediationProgress,
        Body(
            {
                "text": Text(),
                "document_reference": optional(Text()),
                "document_sha256": optional(Text()),
                "reported_on": optional(Date()),
            }
        ),
    ),
    "claim": (
        mc.ClaimRemediation,
        Body({"summary": Text(), "claimed_on": optional(Date())}),
    ),
    "verify": (
        mc.VerifyRemediation,
        Body({"note": optional(Text()), "verified_on": optional(Date())}),
    ),
    "refuse": (
        mc.RefuseRemediation,
        Body({"reason": Text(), "refused_on": optional(Date())}),
    ),
}
STEP_ACTIONS = {
    "progress": "remediation.report",
    "claim": "remediation.claim",
    "verify": "remediation.verify",
    "refuse": "remediation.verify",
}


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "deadline_date"}
    return out


def _own_key() -> str | None:
    """A member's own subject key (``m:<id>``), for a viewer who tracks nothing."""
    viewer = reads().viewer
    if viewer.is_admin or permissions.may(viewer.roles, "remediation.track"):
        return None
    if viewer.member_id is None:
        return None
    return str(SubjectKey.of_member(viewer.member_id))


def _query_int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise refused(**{name: "input.integer_expected"})
    return int(raw)


def _query_uuid(name: str) -> UUID | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise refused(**{name: "input.id_invalid"}) from None


LIMIT_DEFAULT = 100
LIMIT_MAX = 500
"""Items of a page of ``GET /remediation/items``: by default, and at most."""


def _limit() -> int:
    raw = request.args.get("limit", "").strip()
    if not raw:
        return LIMIT_DEFAULT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= LIMIT_MAX:
        raise refused(limit="input.limit_invalid")
    return int(raw)


def cursor_of(ident: UUID) -> str:
    """The opaque ``next`` of a page: the last item's id, base64url."""
    return base64.urlsafe_b64encode(ident.bytes).decode("ascii").rstrip("=")


def _after() -> UUID | None:
    raw = request.args.get("after", "").strip()
    if not raw:
        return None
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, binascii.Error):
        data = b""
    if len(data) != 16 or cursor_of(UUID(bytes=data)) != raw:
        raise refused(after="input.cursor_invalid")
    return UUID(bytes=data)


def _subject_page(
    key: str, after: UUID | None, limit: int, **filters: Any
) -> tuple[list[dict[str, Any]], UUID | None]:
    """One subject's items (a bounded read by the subject's index), a page."""
    rows = reads().remediation.items(subject_key=key, **filters)
    start = 0
    if after is not None:
        ids = [r["shortcoming_id"] for r in rows]
        if str(after) not in ids:
            raise refused(after="input.cursor_invalid")
        start = ids.index(str(after)) + 1
    page = rows[start : start + limit]
    more = len(rows) > start + limit
    return page, UUID(page[-1]["shortcoming_id"]) if more else None


def _org_page(
    org: UUID, after: UUID | None, limit: int, year: int | None, status: str | None
) -> tuple[list[dict[str, Any]], UUID | None]:
    """A keyset page of the organisation's list (the web list's indexed query)."""
    remediation = reads().remediation
    if after is not None and not remediation.in_list(org, after):
        raise refused(after="input.cursor_invalid")
    page = remediation.tracking_page(
        org, after=after, limit=limit, year=year, status=status
    )
    return page.rows, page.after


def _default_org() -> UUID:
    """The viewer's organisation, else the one top-level organisation."""
    viewer = reads().viewer
    if viewer.org_id is not None:
        return viewer.org_id
    roots = reads().remediation.roots()
    if len(roots) != 1:
        raise refused(org_id="input.field_required")
    return roots[0]


# -- reads (the gateway checks the scope of each) ----------------------------------
@bp.get("/remediation/items")
def list_remediation_items():
    """A keyset page (``limit``, ``after``: the ``next`` of the page before):
    a subject's items, else those of an organisation's list (the viewer's own
    organisation when none is given)."""
    limit, after = _limit(), _after()
    org, year = _query_uuid("org_id"), _query_int("year")
    status = request.args.get("status") or None
    key = request.args.get("subject_key") or _own_key()
    if key:
        found = {"org_id": org, "year": year, "status": status}
        rows, last = _subject_page(key, after, limit, **found)
    else:
        rows, last = _org_page(org or _default_org(), after, limit, year, status)
    return jsonify(
        {
            "items": [_json_row(r) for r in rows],
            "next": cursor_of(last) if last is not None else None,
        }
    )


@bp.get("/remediation/items/<uuid:shortcoming_id>")
def get_remediation_item(shortcoming_id: UUID):
    remediation = reads().remediation
    row = found_or_404(
        remediation.item(shortcoming_id), "remediation.shortcoming_not_found"
    )
    return jsonify(
        {"item": _json_row(row), "history": remediation.history(shortcoming_id)}
    )


@bp.get("/remediation/carried")
def get_carried():
    """The shortcomings carried into a subject's cycle and the exact ratio."""
    key = request.args.get("subject_key", "") or _own_key() or ""
    year = _query_int("year")
    missing = {"subject_key": key, "year": year}
    if not key or year is None:
        raise refused(
            **{n: "input.field_required" for n, v in missing.items() if v in ("", None)}
        )
    remediation = reads().remediation
    carried = remediation.carried(key, year)
    return jsonify(
        {
            **carried.as_dict(),
            "ratio": f"{carried.ratio.numerator}/{carried.ratio.denominator}",
            "complete": carried.complete,
            "items": [_json_row(r) for r in remediation.carried_items(key, year)],
        }
    )


@bp.get("/remediation/status-counts")
@requires("remediation.track")
def get_status_counts():
    org = _query_uuid("org_id") or reads().viewer.org_id
    if org is None:
        raise refused(org_id="input.field_required")
    counts = reads().remediation.status_counts(org, _query_int("year"))
    return jsonify({"org_id": str(org), "counts": counts})


@bp.get("/remediation/worklist")
@requires("remediation.verify")
def get_worklist():
    found = reads().remediation.worklist()
    return jsonify(
        {
            "awaiting": [_json_row(r) for r in found["awaiting"]],
            "overdue": [_json_row(r) for r in found["overdue"]],
            "awaiting_count": found["awaiting_count"],
            "overdue_count": found["overdue_count"],
        }
    )


# -- writes ------------------------------------------------------------------------
def _created(ident: UUID) -> Any:
    response = jsonify(
        {"id": str(ident), "item": _json_row(reads().remediation.item(ident) or {})}
    )
    response.status_code = 201
    response.headers["Location"] = url_for(
        ".get_remediation_item", shortcoming_id=ident
    )
    return response


@post("/remediation/shortcomings", RECORD)
@requires("remediation.record")
def record_shortcoming():
    values = body()
    ident = run(mc.RecordShortcoming(actor_id=str(user().actor), **values))
    return _created(ident)


@post("/remediation/plans", PLAN)
@requires("remediation.plan")
def adopt_plan():
    values = body()
    plan = run(mc.AdoptRemediationPlan(actor_id=str(user().actor), **values))
    remediation = reads().remediation
    rows = [remediation.item(s) for s in values["shortcoming_ids"]]
    return jsonify({"plan_id": str(plan), "items": [_json_row(r) for r in rows if r]})


def _step_view(step: str) -> Any:
    command, _spec = STEPS[step]

    def view(shortcoming_id: UUID) -> Any:
        values = body()
        run(
            command(actor_id=str(user().actor), shortcoming_id=shortcoming_id, **values)
        )
        row = reads().remediation.item(shortcoming_id) or {}
        return jsonify({"item": _json_row(row)})

    view.__name__ = f"remediation_{step}"
    return requires(STEP_ACTIONS[step])(view)


for _step, (_command, _body) in STEPS.items():
    post(
        f"/remediation/items/<uuid:shortcoming_id>/{_step}",
        _body,
        endpoint=f"remediation_{_step}",
    )(_step_view(_step))
