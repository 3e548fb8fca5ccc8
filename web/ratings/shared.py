"""What the rating pages share: the one way they send a command, the rows they
look up (a 404 in Vietnamese when missing, a 403 out of scope: the read gateway
decides), and the template filters that name codes in Vietnamese."""

from __future__ import annotations

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


@bp.app_template_filter("rating_label")
def rating_label(value: str | None, table: str = "level") -> str:
    """A code in Vietnamese: ``{{ s.level | rating_label }}``."""
    if value is None:
        return "—"
    names = {
        "level": labels.LEVEL_LABELS,
        "status": labels.STATUS_LABELS,
        "exempt": labels.EXEMPT_LABELS,
        "population": labels.POPULATION_LABELS,
        "step": labels.STEP_LABELS,
        "klass": labels.KLASS_LABELS,
        "deadline": labels.DEADLINE_LEVELS,
        "milestone": labels.MILESTONES,
        "issue": labels.ISSUE_LABELS,
        "rule": {**labels.ISSUE_RULES, **reads().rule_labels},
        "hold": labels.HOLD_REASONS,
        "section": labels.SECTION_LABELS,
        "scope": labels.REREVIEW_SCOPES,
    }[table]
    return names.get(value, value)


@bp.app_template_filter("error_message")
def error_message(code: str, details: dict[str, Any] | None = None) -> str:
    """A refusal code and its details as the Vietnamese message."""
    return message_for(code, details)
