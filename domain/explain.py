""" "Vì sao mức này": the Vietnamese explanation recorded in each decision event.

The issue asks every decision event to carry, with the rules and facts it used, an
explanation a secretary can read years later under the regime of its year; so the
sentences are built here, once, from the evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.evaluation import Evaluation, show
from domain.rulebooks import Level, Rulebook

LEVEL_NAMES: dict[str, str] = {
    Level.EXCELLENT.value: "Hoàn thành xuất sắc nhiệm vụ",
    Level.GOOD.value: "Hoàn thành tốt nhiệm vụ",
    Level.COMPLETED.value: "Hoàn thành nhiệm vụ",
    Level.NOT_COMPLETED.value: "Không hoàn thành nhiệm vụ",
}

ON_TIME = "chưa hoàn thành 100% nhiệm vụ đúng tiến độ, bảo đảm chất lượng"
CONDITION_TEXT: dict[str, str] = {
    "excellent_all_on_time": ON_TIME,
    "excellent_exceeded": "tỉ lệ nhiệm vụ vượt mức chưa đạt {pct}%",
    "excellent_remediation": (
        "chưa khắc phục 100% hạn chế, khuyết điểm đã chỉ ra ở kỳ trước"
    ),
    "excellent_no_discipline": (
        "có thành viên tập thể lãnh đạo hoặc đơn vị trực thuộc bị kỷ luật trong năm"
    ),
    "good_all_on_time": ON_TIME,
    "completed_late": (
        "có nhiệm vụ chưa hoàn thành hoặc trên {pct}% nhiệm vụ chậm tiến độ"
    ),
    "level_criteria": "chưa đáp ứng đủ các tiêu chí của mức này",
}

TRIGGER_TEXT: dict[str, str] = {
    "discipline": "bị kỷ luật trong năm ({ids})",
    "member_discipline": "có thành viên bị kỷ luật trong năm ({ids})",
    "degradation": "bị kết luận suy thoái, “tự diễn biến”, “tự chuyển hoá”",
    "confidence": "có {low}/{returned} phiếu tín nhiệm thấp (trên 1/2 số phiếu thu về)",
    "tasks_not_done": "trên {pct}% nhiệm vụ trong năm không hoàn thành",
    "tasks_below_minimum": "hoàn thành dưới {pct}% nhiệm vụ theo kế hoạch",
}


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


def explain(
    rulebook: Rulebook,
    evaluation: Evaluation,
    decided: Level,
    *,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Sentences, in order: regime, score and band, conditions missed, triggers,
    the level decided against the ceiling, quota and order checks passed."""
    extra = extra or {}
    lines = [f"Áp dụng {rulebook.regulation} và {rulebook.guidance}."]
    if evaluation.score is not None and evaluation.band is not None:
        lines.append(
            f"Tổng điểm {show(evaluation.score)}/100, thuộc khung "
            f"“{level_name(evaluation.band.value)}”."
        )
    for level, rule in evaluation.failed:
        text = CONDITION_TEXT.get(rule, rule).format(
            pct=rulebook.excellent_exceeded_min_pct
            if rule == "excellent_exceeded"
            else rulebook.completed_late_max_pct
        )
        lines.append(f"Không đạt mức “{level_name(level.value)}” vì {text}.")
    for trigger in evaluation.triggers:
        details = {k: v for k, v in trigger.details.items()}
        if "ids" in details:
            details["ids"] = ", ".join(details["ids"])
        text = TRIGGER_TEXT.get(trigger.code, trigger.code).format(**details)
        if trigger.mitigated:
            lines.append(
                f"Có căn cứ xếp loại “Không hoàn thành nhiệm vụ” ({text}) nhưng cấp "
                "có thẩm quyền đã quyết định xem xét giảm nhẹ, có giải trình."
            )
        else:
            lines.append(
                f"Thuộc trường hợp xếp loại “Không hoàn thành nhiệm vụ”: {text}."
            )
    if evaluation.needs_judgement:
        lines.append(
            "Điểm thuộc khung “Hoàn thành nhiệm vụ” nhưng không đủ điều kiện của "
            "mức này; cấp có thẩm quyền quyết định, có giải trình."
        )
    lines.append(
        f"Mức cao nhất theo quy định: “{level_name(evaluation.ceiling.value)}”; "
        f"mức quyết định: “{level_name(decided.value)}”."
    )
    quota = extra.get("quota")
    if quota:
        lines.append(
            f"Nhóm so sánh “{quota['group_name']}”: {quota['excellent']} xuất sắc / "
            f"{quota['good']} tốt, tỉ lệ tối đa {quota['ratio_pct']}% "
            f"(tối đa {quota['cap']} xuất sắc)."
        )
    if extra.get("prerequisites"):
        lines.append("Đã xếp loại trước: " + ", ".join(extra["prerequisites"]) + ".")
    if extra.get("head_rule"):
        lines.append(
            "Mức của người đứng đầu không cao hơn mức của tập thể do mình đứng đầu."
        )
    if extra.get("justification"):
        lines.append(f"Giải trình: {extra['justification']}")
    return " ".join(lines)


RULE_LABELS: dict[str, str] = {
    "score_band": "khung điểm",
    "level_criteria": "tiêu chí của mức xếp loại",
    "excellent_all_on_time": "100% nhiệm vụ đúng tiến độ, bảo đảm chất lượng",
    "excellent_exceeded": "tỉ lệ nhiệm vụ vượt mức",
    "excellent_remediation": "khắc phục 100% hạn chế, khuyết điểm kỳ trước",
    "excellent_no_discipline": "không có thành viên, đơn vị trực thuộc bị kỷ luật",
    "good_all_on_time": "100% nhiệm vụ đúng tiến độ, bảo đảm chất lượng",
    "completed_late": "không quá 20% nhiệm vụ chậm tiến độ",
    "discipline": "bị kỷ luật trong năm",
    "member_discipline": "có thành viên bị kỷ luật trong năm",
    "degradation": "bị kết luận suy thoái, “tự diễn biến”, “tự chuyển hoá”",
    "confidence": "trên 1/2 phiếu tín nhiệm thấp",
    "tasks_not_done": "trên 50% nhiệm vụ không hoàn thành",
    "tasks_below_minimum": "hoàn thành dưới 70% nhiệm vụ",
    "collective_before_members": "xếp loại tập thể trước, cá nhân sau",
    "collective_before_head": "xếp loại tập thể trước người đứng đầu",
    "members_before_party_org": "xếp loại đảng viên trước tổ chức đảng",
    "lower_before_higher": "xếp loại cấp dưới trước cấp trên",
    "cell_first": "kiểm điểm ở chi bộ trước",
    "collective_first": "kiểm điểm tập thể trước, cá nhân sau",
    "head_first": "người đứng đầu kiểm điểm trước",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)
