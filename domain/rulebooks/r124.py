"""124-QĐ/TW (04/10/2023) + 25-HD/BTCTW (2023): review years 2023–2024.

Criteria-based like 132; adds the exemptions of suspended members and members
admitted less than 6 months before (Báo Nghệ An); HTXSNV needs 100% of targets with
≥50% exceeded (lawnet); a corruption trigger may be set aside when self-detected and
remedied, so mitigation is an authority decision here too.
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
    id="124-QD-TW/25-HD-BTCTW",
    regulation="124-QĐ/TW",
    guidance="25-HD/BTCTW",
    first_year=2023,
    last_year=2024,
    periods=frozenset({"annual"}),
    exemptions=frozenset(Exemption),
    admission_months=6,
    scored=False,
    bands=(),
    general_max=0,
    task_max=0,
    criteria={},
    level_criteria=LEVEL_CRITERIA,
    excellent_exceeded_min_pct=50,
    excellent_requires_full_remediation=False,
    completed_late_max_pct=None,
    individual_discipline=DisciplineTrigger(DisciplineLevel.REPRIMAND, False),
    collective_discipline=DisciplineTrigger(DisciplineLevel.WARNING, False),
    confidence_trigger=False,
    tasks_not_done_max_pct=50,
    collective_tasks_min_pct=None,
    mitigation_allowed=True,
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
    # Collective triggers of 124 (domain.md §4.4, xaydungchinhsach summary).
    collective_case_kinds=frozenset({"corruption", "waste"}),
    conclusion_kinds=frozenset({"disunity"}),
    collective_member_degradation=True,
    collective_disciplined=True,
    subordinate_disciplined_max_pct=20,
)
