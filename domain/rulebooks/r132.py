"""132-QĐ/TW (08/3/2018) + 21-HD/BTCTW (16-HD for 2018): review years 2018–2022.

Criteria-based, no score. The only exemption stated is "miễn công tác và sinh hoạt
đảng" (seeds 000, 004). A member disciplined in the year is KHTNV; a collective one
of whose leadership was disciplined at cảnh cáo or higher is KHTNV (21-HD). The head
may not be rated above the collective they head (seed 002). Quota 20%, no 25%.
"""

from __future__ import annotations

from domain.rulebooks import (
    DisciplineLevel,
    DisciplineTrigger,
    Exemption,
    Rounding,
    Rulebook,
)
from domain.rulebooks.legacy import LEVEL_CRITERIA

RULEBOOK = Rulebook(
    id="132-QD-TW/21-HD-BTCTW",
    regulation="132-QĐ/TW",
    guidance="21-HD/BTCTW",
    first_year=2018,
    last_year=2022,
    periods=frozenset({"annual"}),
    exemptions=frozenset({Exemption.EXEMPT_PARTY_ACTIVITY}),
    admission_months=0,
    scored=False,
    bands=(),
    general_max=0,
    task_max=0,
    criteria={},
    level_criteria=LEVEL_CRITERIA,
    excellent_exceeded_min_pct=None,
    excellent_requires_full_remediation=False,
    completed_late_max_pct=None,
    individual_discipline=DisciplineTrigger(DisciplineLevel.REPRIMAND, False),
    collective_discipline=DisciplineTrigger(DisciplineLevel.WARNING, False),
    confidence_trigger=False,
    tasks_not_done_max_pct=50,
    collective_tasks_min_pct=None,
    mitigation_allowed=False,
    quota_ratio_pct=20,
    quota_exception_max_pct=None,
    quota_rounding=Rounding.FLOOR,
    order_rules=frozenset(
        {
            "collective_before_members",
            "collective_before_head",
            "members_before_party_org",
            "lower_before_higher",
            "units_before_party_org",
        }
    ),
    head_not_above_collective=True,
    head_rule_configurable=False,
    proposal_required=True,
    circulation_working_days=3,
    # 132 Điều 12.4 for leaders (domain.md §4.4): the unit they directly lead
    # rated KHTNV, or embezzlement/corruption under their direct management.
    led_unit_khtnv=True,
    leader_case_kinds=frozenset({"corruption"}),
)
