"""What the rating pages share: the one way they send a command, the rows they
look up (a 404 in Vietnamese when missing, a 403 out of scope: the read gateway
decides), and the template filters that name codes in Vietnamese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from web.catalogue import message_for
from web.catalogue import ratings as labels
from web.dispatch import submit
from web.forms import BaseForm
from web.ratings import bp
from web.reads import found_or_404, reads

# The organisations that open a cycle (Đảng bộ tỉnh … chi bộ).
COMMITTEES = (
    "provincial_committee",
    "district_committee",
    "grassroots_committee",
    "partial_committee",
    "cell",
)


def send(command: Any, form: BaseForm) -> Any | None:
    """Run a rating command signed by the current user; a refusal goes on ``form``."""
    return submit(command, form)


def found_cycle(cycle_id: UUID) -> dict[str, Any]:
    """Kỳ kiểm điểm: the cycle's row, or its 404 page."""
    return found_or_404(reads().cycle_row(cycle_id), "cycle.not_found")


def found_subject(cycle_id: UUID, key: str) -> dict[str, Any]:
    """Đối tượng kiểm điểm: the subject's row, or its 404 page."""
    row = reads().subject_row(cycle_id, key)
    return found_or_404(row, "rating.subject_not_found")


def found_round(rid: UUID) -> dict[str, Any]:
    """Đợt xếp loại: the rating round's row, or its 404 page."""
    return found_or_404(reads().round_row(rid), "rating.round_not_found")


def org_names() -> dict[str, str]:
    """Tên tổ chức: the organisations the viewer sees, by id."""
    return {str(o.org_id): o.name for o in reads().organisations()}


def with_choices(form: Any, name: str, items: list[tuple[UUID, str]]) -> Any:
    """``form`` with the select ``name`` offering ``items``."""
    getattr(form, name).set_choices(items, empty="— Chọn —")
    return form


# The code tables a template names: ``{{ s.status | rating_label('status') }}``.
LABEL_TABLES: dict[str, Mapping[str, str]] = {
    "level": labels.LEVEL_LABELS,
    "status": labels.STATUS_LABELS,
    "exempt": labels.EXEMPT_LABELS,
    "population": labels.POPULATION_LABELS,
    "step": labels.STEP_LABELS,
    "klass": labels.KLASS_LABELS,
    "deadline": labels.DEADLINE_LEVELS,
    "milestone": labels.MILESTONES,
    "issue": labels.ISSUE_LABELS,
    "hold": labels.HOLD_REASONS,
    "section": labels.SECTION_LABELS,
    "scope": labels.REREVIEW_SCOPES,
}


@bp.app_template_filter("rating_label")
def rating_label(value: str | None, table: str = "level") -> str:
    """A code in Vietnamese: ``{{ s.level | rating_label }}``; a rule id
    (``'rule'``) by the domain's rule labels, which the read gateway hands over,
    else the open items' own."""
    if value is None:
        return "—"
    if table == "rule":
        return reads().rule_labels.get(value) or labels.ISSUE_RULES.get(value, value)
    return LABEL_TABLES[table].get(value, value)


@bp.app_template_filter("error_message")
def error_message(code: str, details: dict[str, Any] | None = None) -> str:
    """A refusal code and its details as the Vietnamese message."""
    return message_for(code, details)
