"""Facts the demo province needs for a 2025 review cycle to show its rules: a
head of a standing committee (reviewed at the chi bộ, then at the committee; rated
after the collective and not above it) and a member disciplined in 2025 for a
duty-related violation (KHTNV unless the authority records a mitigation)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.signing import Signer
from services import rating_commands as rc
from services.app import Kiemdiem
from services.ids import organisation_id

LEADER_AT = "btv-huyen-uy-yen-thanh"
FIRST_CELL_MEMBER = 10  # the first member of Chi bộ xóm Đông


def load_demo_rating_facts(
    services: Kiemdiem, admin: Signer, members: list[tuple[UUID, str]]
) -> None:
    leader, disciplined = (
        members[FIRST_CELL_MEMBER][0],
        members[FIRST_CELL_MEMBER + 1][0],
    )
    services.ratings.handle(
        rc.AssignPost(
            admin.actor, leader, organisation_id(LEADER_AT), "head", date(2020, 10, 1)
        ),
        admin,
    )
    services.ratings.handle(
        rc.RecordDiscipline(
            admin.actor,
            disciplined,
            "reprimand",
            True,
            date(2025, 6, 16),
            "QĐ 12-QĐ/UBKT",
        ),
        admin,
    )
