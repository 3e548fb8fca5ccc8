"""Which criteria did a province or unit refine, and from which year?
(``criteria``, 366 Điều 10)"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from domain.criteria import CriteriaRefinement
from ledger.mapper import LedgerEvent
from projections.ratings.values import to_json
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


class CriteriaRefinements(ReadModel):
    """The criteria refined by an organisation, from a year on."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        # Criteria refined by a province or unit (366 Điều 10), from a year on.
        "criteria": (
            "refinement_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, "
            "org_name TEXT NOT NULL, appendix TEXT NOT NULL, "
            "from_year BIGINT NOT NULL, items TEXT NOT NULL, actor TEXT NOT NULL, "
            "defined_at BIGINT NOT NULL"
        ),
    }

    @handles(CriteriaRefinement.CriteriaRefined)  # type: ignore[attr-defined]
    def criteria_refined(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "criteria",
            ["refinement_id"],
            {
                "refinement_id": str(e.stream),
                "org_id": str(ev.org_id),
                "org_name": ev.org_name,
                "appendix": ev.appendix,
                "from_year": ev.from_year,
                "items": to_json(ev.items),
                "actor": e.actor,
                "defined_at": e.notification_id,
            },
        )


def refinements(views: ProjectionRuntime) -> list[dict[str, Any]]:
    """Every refined set of criteria, by organisation name, appendix and first
    year (``items`` decoded)."""
    rows = views.query(
        "ratings", "SELECT * FROM {criteria} ORDER BY org_name, appendix, from_year"
    )
    return [{**r, "items": json.loads(r["items"])} for r in rows]
