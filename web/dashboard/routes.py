"""The home page."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from flask import render_template

from web.catalogue.reorganisation import ENDED_OFFICE, ended_office_lines
from web.catalogue.todo import (
    GROUP_HEADINGS,
    ORDER_SCOPES,
    TEXT,
    actor_label,
    step_label,
)
from web.dashboard import bp
from web.identity import user
from web.reads import marks_once, reads, todo
from web.templating import vn_date

# Who sees the integrity alerts: those who may cosign checkpoints (the domain's
# table says administrators and the inspection committee).
ALERTS_ACTION = "ledger.checkpoint"


@dataclass(frozen=True)
class CheckpointView:
    origin: str
    size: int
    root_b64: str
    root_hex: str
    issued_at: str


def _latest_checkpoint() -> CheckpointView | None:
    checkpoint = reads().latest_checkpoint()
    if checkpoint is None:
        return None
    first_line = checkpoint.note.decode("utf-8", "replace").split("\n", 1)[0]
    return CheckpointView(
        origin=first_line or reads().origin,
        size=checkpoint.size,
        root_b64=base64.b64encode(checkpoint.root).decode("ascii"),
        root_hex=checkpoint.root.hex(),
        issued_at=checkpoint.issued_at,
    )


@bp.app_template_filter("step_label")
def _step_label(code: str | None) -> str:
    return step_label(code)


@bp.app_template_filter("actor_label")
def _actor_label(role: str | None) -> str:
    return actor_label(role)


@bp.app_context_processor
def _todo_text() -> dict[str, object]:
    return {
        "todo_text": TEXT,
        "todo_headings": GROUP_HEADINGS,
        "order_scopes": ORDER_SCOPES,
    }


@bp.get("/")
@marks_once  # the kept to-do lists and reminders
def index() -> str:
    me = user()
    account = reads().account_row(me.account_id)
    alerts = reads().alerts(ALERTS_ACTION) if me.may(ALERTS_ACTION) else []
    # the first overdue remedies and how many (a member's own are their to-do
    # group already)
    overdue = (
        reads().remediation.reminders(skip_own=True)
        if me.may("remediation.track") or me.may("remediation.report")
        else {"items": [], "count": 0}
    )
    end = reads().ended_office()
    return render_template(
        "dashboard/index.html",
        me=me,
        account=account,
        ended=ended_office_lines(end, vn_date(end["on"])) if end else None,
        ended_text=ENDED_OFFICE,
        checkpoint=_latest_checkpoint(),
        alerts=alerts,
        show_alerts=me.may(ALERTS_ACTION),
        overdue=overdue,
        todo=todo().groups(),
    )


@bp.get("/viec-can-lam/lenh-kiem-diem-lai")
def open_orders():
    """Every re-review order still open in the user's branch."""
    return render_template(
        "dashboard/todo_list.html", code="orders", todo=todo().all_orders()
    )


@bp.get("/viec-can-lam/ho-so-thay-doi")
def changed_files():
    """Every file changed since the inspector's last cosigned checkpoint."""
    group = todo().all_changed()
    return render_template(
        "dashboard/todo_list.html",
        code="changed",
        todo=[group] if group is not None else [],
    )
