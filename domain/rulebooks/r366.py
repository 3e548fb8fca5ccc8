"""366-QĐ/TW (30/8/2025) + 43-HD/BTCTW (31/10/2025): review years from 2025.

Scored on 100 points, 30 general + 70 task results per appendix (Điều 10); bands
≥90 / 70–<90 / 50–<70 / <50 with hard conditions (Điều 11). The central sets are a
frame: the titles of PL4 criterion 2 and of the task sub-groups are not available
(domain.md §4.2, open question), so each group here is one line a province refines
("cụ thể hoá") through the cycle plan; the frame totals are checked.
"""

from __future__ import annotations

from domain.rulebooks import (
    Appendix,
    CriteriaSet,
    Criterion,
    DisciplineLevel,
    DisciplineTrigger,
    Exemption,
    Level,
    Rounding,
    Rulebook,
)

G, T = "general", "task"


def _set(appendix: Appendix, *items: tuple[str, str, str, int]) -> CriteriaSet:
    return CriteriaSet(
        appendix,
        tuple(Criterion(code, title, group, pts) for code, title, group, pts in items),
    )


# Leaders are scored on the same criteria whether centrally managed or not; only
# the appendix (and so who may refine it) differs.
_LEADER_ITEMS = (
    ("c1", "Chính trị, tư tưởng, đạo đức, lối sống, kỷ luật", G, 10),
    ("c2", "Trách nhiệm nêu gương; đoàn kết; phong cách làm việc", G, 10),
    ("c3", "Tự phê bình và phê bình, khắc phục hạn chế, khuyết điểm", G, 10),
    ("t1", "Kết quả lãnh đạo, quản lý lĩnh vực, đơn vị được giao", T, 50),
    ("t2", "Năng lực đổi mới, dám nghĩ, dám làm; sự tín nhiệm", T, 20),
)

CRITERIA = {
    Appendix.COLLECTIVE: _set(
        Appendix.COLLECTIVE,
        ("c1", "Xây dựng Đảng về chính trị, tư tưởng, đạo đức", G, 10),
        ("c2", "Đoàn kết nội bộ, nguyên tắc tập trung dân chủ", G, 10),
        ("c3", "Kiểm tra, giám sát, khắc phục hạn chế, khuyết điểm", G, 10),
        ("t1", "Kết quả thực hiện chỉ tiêu, nhiệm vụ được giao", T, 50),
        ("t2", "Tiến độ, chất lượng, hiệu quả; sản phẩm cụ thể", T, 20),
    ),
    Appendix.LEADER_CENTRAL: _set(Appendix.LEADER_CENTRAL, *_LEADER_ITEMS),
    Appendix.LEADER: _set(Appendix.LEADER, *_LEADER_ITEMS),
    Appendix.NON_LEADER: _set(
        Appendix.NON_LEADER,
        ("c1", "Chính trị, tư tưởng, đạo đức, lối sống, kỷ luật", G, 10),
        ("c2", "Ý thức tổ chức, tác phong, lề lối làm việc", G, 10),
        ("c3", "Tự phê bình và phê bình, khắc phục hạn chế, khuyết điểm", G, 10),
        ("t1", "Khối lượng, tiến độ nhiệm vụ được giao", T, 40),
        ("t2", "Chất lượng, hiệu quả; sản phẩm cụ thể", T, 30),
    ),
    Appendix.OUTSIDE_SYSTEM: _set(
        Appendix.OUTSIDE_SYSTEM,
        ("c1", "Chính trị, tư tưởng, đạo đức, lối sống, kỷ luật", G, 15),
        ("c2", "Tự phê bình và phê bình, khắc phục hạn chế, khuyết điểm", G, 15),
        ("t1", "Thực hiện nhiệm vụ đảng viên được chi bộ phân công", T, 40),
        ("t2", "Gương mẫu nơi cư trú, nơi làm việc", T, 30),
    ),
}

RULEBOOK = Rulebook(
    id="366-QD-TW/43-HD-BTCTW",
    regulation="366-QĐ/TW",
    guidance="43-HD/BTCTW",
    first_year=2025,
    last_year=None,
    periods=frozenset({"annual", "quarterly", "term"}),
    exemptions=frozenset(Exemption),
    admission_months=6,
    scored=True,
    bands=((Level.EXCELLENT, 90), (Level.GOOD, 70), (Level.COMPLETED, 50)),
    general_max=30,
    task_max=70,
    criteria=CRITERIA,
    level_criteria={},
    excellent_exceeded_min_pct=30,
    excellent_requires_full_remediation=True,
    completed_late_max_pct=20,
    individual_discipline=DisciplineTrigger(DisciplineLevel.REPRIMAND, True),
    collective_discipline=DisciplineTrigger(DisciplineLevel.REPRIMAND, True),
    confidence_trigger=True,
    tasks_not_done_max_pct=50,
    collective_tasks_min_pct=70,
    mitigation_allowed=True,
    quota_ratio_pct=20,
    quota_exception_max_pct=25,
    quota_rounding=Rounding.FLOOR,
    order_rules=frozenset(
        {
            "collective_before_members",
            "collective_before_head",
            "members_before_party_org",
            "lower_before_higher",
            "units_before_party_org",
            "government_before_party_committee",
        }
    ),
    # Open question (domain.md §4.5): on by default, a plan may turn it off.
    head_not_above_collective=True,
    head_rule_configurable=True,
    proposal_required=True,
    circulation_working_days=3,
    # Điều 11 KHTNV of leaders and leadership collectives (domain.md §4.3).
    overseen_khtnv_max_pct=50,
    leader_case_kinds=frozenset({"corruption", "waste", "negativity"}),
    unit_tasks_min_pct=70,
    socio_economic_targets=True,
    conclusion_kinds=frozenset(
        {"personnel_wrongdoing", "disunity", "factionalism", "buying_posts"}
    ),
    collective_member_degradation=True,
    # Open question (§13): the PL1 shares for party organisations are not
    # available; off by default, a plan sets them (cycle option
    # ``party_org_triggers``).
    subordinate_disciplined_max_pct=None,
    members_khtnv_max_pct=None,
)
