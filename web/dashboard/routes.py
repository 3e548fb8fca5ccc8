"""The home page."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from flask import render_template

from web.dashboard import bp
from web.identity import services, user

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
    checkpoint = services().integrator.latest_checkpoint()
    if checkpoint is None:
        return None
    first_line = checkpoint.note.decode("utf-8", "replace").split("\n", 1)[0]
    return CheckpointView(
        origin=first_line or str(services().trust_root.get("origin", "")),
        size=checkpoint.size,
        root_b64=base64.b64encode(checkpoint.root).decode("ascii"),
        root_hex=checkpoint.root.hex(),
        issued_at=checkpoint.issued_at,
    )


@bp.get("/")
def index():
    me = user()
    account = services().account_row(me.account_id)
    alerts = services().integrator.alerts() if me.may(ALERTS_ACTION) else []
    overdue = (
        services().remediation.reminders(services().account(me.account_id))
        if me.may("remediation.track") or me.may("remediation.report")
        else []
    )
    return render_template(
        "dashboard/index.html",
        me=me,
        account=account,
        checkpoint=_latest_checkpoint(),
        alerts=alerts,
        show_alerts=me.may(ALERTS_ACTION),
        overdue=overdue,
    )
