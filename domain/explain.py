""" "Vì sao mức này": the Vietnamese explanation recorded in each decision event.

The issue asks every decision event to carry, with the rules and facts it used, an
explanation a secretary can read years later under the regime of its year; so the
sentences are built here, once, from the evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.evaluation import (
    OPEN_HTNV_CONDITION,
    OPEN_PART_OF_YEAR,
    Evaluation,
    show,
)
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
    "overseen_units_khtnv": (
        "{khtnv}/{total} lĩnh vực, đơn vị trực tiếp phụ trách bị xếp loại “Không "
        "hoàn thành nhiệm vụ” (trên {pct}%)"
    ),
    "led_unit_khtnv": (
        "đơn vị do mình trực tiếp lãnh đạo bị xếp loại “Không hoàn thành nhiệm vụ”"
    ),
    "management_case": (
        "để xảy ra tham nhũng, lãng phí, tiêu cực ở tổ chức, cá nhân thuộc quyền "
        "quản lý trực tiếp, đã bị xử lý kỷ luật ({cases} vụ việc)"
    ),
    "subordinate_case": (
        "đơn vị trực thuộc để xảy ra tham nhũng, lãng phí, đã bị xử lý kỷ luật "
        "({cases} vụ việc)"
    ),
    "unit_tasks_below_minimum": (
        "địa phương, đơn vị hoàn thành dưới {pct}% chỉ tiêu, nhiệm vụ theo kế hoạch"
    ),
    "socio_economic_targets": ("không đạt chỉ tiêu kinh tế - xã hội cơ bản: {targets}"),
    "collective_conclusion": "bị kết luận {kinds}",
    "member_degradation": (
        "có thành viên bị kết luận suy thoái, “tự diễn biến”, “tự chuyển hoá”"
    ),
    "collective_disciplined": "tập thể bị xử lý kỷ luật trong năm",
    "subordinate_units_disciplined": (
        "{hit}/{total} tổ chức trực thuộc bị xử lý kỷ luật trong năm (trên {pct}%)"
    ),
    "members_khtnv": (
        "{hit}/{total} đảng viên bị xếp loại “Không hoàn thành nhiệm vụ” (trên {pct}%)"
    ),
}

CONCLUSION_TEXT: dict[str, str] = {
    "personnel_wrongdoing": "sai phạm trong công tác cán bộ",
    "disunity": "mất đoàn kết nội bộ",
    "factionalism": "cục bộ, bè phái",
    "buying_posts": "chạy chức, chạy quyền",
}
TARGET_TEXT: dict[str, str] = {
    "growth": "tăng trưởng kinh tế",
    "budget_revenue": "thu ngân sách",
    "public_investment": "giải ngân vốn đầu tư công",
    "income_per_capita": "thu nhập bình quân đầu người",
    "poverty_reduction": "giảm nghèo",
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
        if "kinds" in details:
            details["kinds"] = ", ".join(
                CONCLUSION_TEXT.get(k, k) for k in details["kinds"]
            )
        if "targets" in details:
            details["targets"] = ", ".join(
                TARGET_TEXT.get(t, t) for t in str(details["targets"]).split(", ")
            )
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
    if OPEN_HTNV_CONDITION in evaluation.open_questions:
        lines.append(
            "Điểm thuộc khung “"
            + level_name((evaluation.band or Level.COMPLETED).value)
            + "” nhưng không đủ điều kiện của mức “Hoàn thành nhiệm vụ” và không "
            "có căn cứ tự động xếp “Không hoàn thành nhiệm vụ”: quy định chưa xác "
            "định mức áp dụng (Điều 11 Quy định 366-QĐ/TW); hệ thống không xếp "
            "“Hoàn thành nhiệm vụ”, cấp có thẩm quyền quyết định, có giải trình."
        )
    if OPEN_PART_OF_YEAR in evaluation.open_questions:
        lines.append(
            "Tổ chức chỉ tồn tại một phần năm đánh giá do sắp xếp, tổ chức lại "
            "(hợp nhất, sáp nhập, chia tách, giải thể): quy định chưa xác định "
            "cách đánh giá, xếp loại; cấp có thẩm quyền quyết định, có giải trình."
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
    previous = extra.get("consecutive_khtnv")
    if previous:
        lines.append(
            "Lưu ý: kỳ trước cùng loại (năm "
            f"{previous['year']}) cũng xếp loại “Không hoàn thành nhiệm vụ” — hai "
            "kỳ liên tiếp; cấp có thẩm quyền xem xét, không tự động xử lý."
        )
    for item in extra.get("settled") or ():
        lines.append(
            f"Cấp có thẩm quyền giải quyết vấn đề quy định chưa rõ "
            f"({rule_label(item['question'])}): xếp loại "
            f"“{level_name(item['level'])}”."
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
    "units_before_party_org": (
        "xếp loại tổ chức, cơ quan, đơn vị trước, tổ chức đảng sau"
    ),
    "government_before_party_committee": (
        "tập thể lãnh đạo chính quyền, chuyên môn, đoàn thể trước, cấp ủy sau"
    ),
    "overseen_units_khtnv": (
        "trên 50% lĩnh vực, đơn vị trực tiếp phụ trách không hoàn thành nhiệm vụ"
    ),
    "led_unit_khtnv": "đơn vị trực tiếp lãnh đạo không hoàn thành nhiệm vụ",
    "management_case": "tham nhũng, lãng phí, tiêu cực thuộc quyền quản lý",
    "subordinate_case": "đơn vị trực thuộc để xảy ra tham nhũng, lãng phí",
    "unit_tasks_below_minimum": "địa phương, đơn vị hoàn thành dưới 70% kế hoạch",
    "socio_economic_targets": "không đạt chỉ tiêu kinh tế - xã hội cơ bản",
    "collective_conclusion": "bị kết luận sai phạm, mất đoàn kết, bè phái",
    "member_degradation": "có thành viên bị kết luận suy thoái",
    "collective_disciplined": "tập thể bị kỷ luật",
    "subordinate_units_disciplined": "quá tỉ lệ tổ chức trực thuộc bị kỷ luật",
    "members_khtnv": "quá tỉ lệ đảng viên không hoàn thành nhiệm vụ",
    OPEN_HTNV_CONDITION: (
        "điểm thuộc khung “Hoàn thành nhiệm vụ” trở lên nhưng không đủ điều kiện "
        "“Hoàn thành nhiệm vụ” (quy định chưa xác định mức): cấp có thẩm quyền "
        "quyết định, có giải trình"
    ),
    OPEN_PART_OF_YEAR: (
        "tổ chức chỉ tồn tại một phần năm do sắp xếp, tổ chức lại (quy định chưa "
        "xác định cách đánh giá, xếp loại): cấp có thẩm quyền quyết định, có "
        "giải trình"
    ),
    "authority_judgement": "cấp có thẩm quyền quyết định, có giải trình",
    "consecutive_khtnv": (
        "hai kỳ liên tiếp không hoàn thành nhiệm vụ: cấp có thẩm quyền xem xét, "
        "không tự động xử lý"
    ),
    "not_proposer": "đề xuất bởi cấp có thẩm quyền đề xuất",
    "cell_first": "kiểm điểm ở chi bộ trước",
    "collective_first": "kiểm điểm tập thể trước, cá nhân sau",
    "head_first": "người đứng đầu kiểm điểm trước",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)
