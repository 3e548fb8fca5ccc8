"""``org_facts``: what the rating rules know about each organisation and about
whom each leader directly oversees (366 Điều 11, Điều 7.3, Điều 12.2).

Answers: which sector a leadership collective belongs to (``sectors``: read with
the tree, for the order "chính quyền, chuyên môn, đoàn thể trước, cấp ủy sau"),
every fact recorded about an organisation in order (``facts``: conclusions, task
results and socio-economic targets, disciplined cases, discipline of the
organisation — the organisation's facts page), and the areas and units each
leader is assigned to oversee (``oversight``).

Handlers depend only on the event and the view's rows (ledger.md §9.1).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from domain.members import PartyMember
from domain.organisations import Organisation
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class OrgFactsView(ReadModel):
    name = "org_facts"
    version = 1
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "sectors": "org_id TEXT PRIMARY KEY, sector TEXT NOT NULL",
        "facts": (
            "org_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL, "
            "actor TEXT NOT NULL, on_date TEXT, detail TEXT NOT NULL, "
            "PRIMARY KEY (org_id, position)"
        ),
        "oversight": (
            "member_id TEXT NOT NULL, org_id TEXT NOT NULL, since TEXT NOT NULL, "
            "PRIMARY KEY (member_id, org_id)"
        ),
    }

    @handles(Organisation.SectorSet)  # type: ignore[attr-defined]
    def sector_set(self, e: LedgerEvent, tx: Tx) -> None:
        tx.upsert(
            "sectors", ["org_id"], {"org_id": str(e.stream), "sector": e.event.sector}
        )
        self._fact(e, tx, None)

    @handles(
        Organisation.ConclusionRecorded,  # type: ignore[attr-defined]
        Organisation.TaskResultsRecorded,  # type: ignore[attr-defined]
        Organisation.CaseRecorded,  # type: ignore[attr-defined]
        Organisation.DisciplineRecorded,  # type: ignore[attr-defined]
    )
    def fact(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        on = (
            getattr(ev, "concluded_on", None)
            or getattr(ev, "disciplined_on", None)
            or getattr(ev, "decided_on", None)
        )
        self._fact(e, tx, on.isoformat() if on is not None else None)

    def _fact(self, e: LedgerEvent, tx: Tx, on: str | None) -> None:
        detail = {
            k: v
            for k, v in vars(e.event).items()
            if k not in ("originator_id", "originator_version", "timestamp")
            and not k.endswith("_by")
        }
        tx.upsert(
            "facts",
            ["org_id", "position"],
            {
                "org_id": str(e.stream),
                "position": e.notification_id,
                "kind": type(e.event).__name__,
                "actor": e.actor,
                "on_date": on,
                "detail": _json(detail),
            },
        )

    @handles(PartyMember.OversightAssigned)  # type: ignore[attr-defined]
    def oversight_assigned(self, e: LedgerEvent, tx: Tx) -> None:
        tx.upsert(
            "oversight",
            ["member_id", "org_id"],
            {
                "member_id": str(e.stream),
                "org_id": str(e.event.org_id),
                "since": e.event.since.isoformat(),
            },
        )

    @handles(PartyMember.OversightEnded)  # type: ignore[attr-defined]
    def oversight_ended(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "DELETE FROM {oversight} WHERE member_id = ? AND org_id = ?",
            (str(e.stream), str(e.event.org_id)),
        )


# -- reads ------------------------------------------------------------------------
def org_facts(views: ProjectionRuntime, org_id: UUID) -> list[dict[str, Any]]:
    """Every fact recorded about an organisation, in order (``detail`` decoded)."""
    rows = views.query(
        "org_facts",
        "SELECT * FROM {facts} WHERE org_id = ? ORDER BY position",
        [str(org_id)],
    )
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def sector(views: ProjectionRuntime, org_id: UUID) -> str | None:
    """The organisation's sector (khối), if one was set."""
    rows = views.query(
        "org_facts", "SELECT sector FROM {sectors} WHERE org_id = ?", [str(org_id)]
    )
    return str(rows[0]["sector"]) if rows else None


def sectors(views: ProjectionRuntime) -> dict[str, str]:
    """Every sector set, by organisation id."""
    rows = views.query("org_facts", "SELECT org_id, sector FROM {sectors}")
    return {r["org_id"]: r["sector"] for r in rows}


class Oversight(TypedDict):
    """An organisation a member oversees (phân công phụ trách), and since when."""

    org_id: str
    since: str


def oversight(views: ProjectionRuntime, member_id: UUID) -> list[Oversight]:
    """The organisations the member oversees, by id."""
    rows = views.query(
        "org_facts",
        "SELECT org_id, since FROM {oversight} WHERE member_id = ? ORDER BY org_id",
        [str(member_id)],
    )
    return [Oversight(org_id=r["org_id"], since=r["since"]) for r in rows]
