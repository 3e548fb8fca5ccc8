"""``Directory``: who and what exists — the organisation tree, members, accounts
and their keys. Answers the lists of the first slice (web, API and CLI).

``org_ancestors`` holds, for every organisation, each of its ancestors and
itself with their distance (a closure table): the ancestor path of a target,
root first, is one indexed query (``ancestor_path``), and a scope check is then
``viewer.org_id in path`` (domain/permissions.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts import UserAccount
from domain.members import PartyMember
from domain.organisations import Organisation
from ledger.keys import SigningKey
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

BATCH = 500  # ids per IN (...) list
ANCESTOR_PATH_SQL = (
    "SELECT ancestor_id FROM {org_ancestors} WHERE org_id = ? ORDER BY depth DESC"
)


class Directory(ReadModel):
    name = "directory"
    version = 2  # 2: org_ancestors
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "organisations": (
            "org_id TEXT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, "
            "kind TEXT NOT NULL, parent_id TEXT, dissolved INTEGER NOT NULL, "
            "founded_at BIGINT NOT NULL"
        ),
        "members": (
            "member_id TEXT PRIMARY KEY, full_name TEXT NOT NULL, "
            "party_card_no TEXT NOT NULL, birth_date TEXT NOT NULL, "
            "admission_date TEXT NOT NULL, status TEXT NOT NULL, "
            "cell_id TEXT NOT NULL"
        ),
        "accounts": (
            "account_id TEXT PRIMARY KEY, username TEXT NOT NULL, "
            "full_name TEXT NOT NULL, roles TEXT NOT NULL, org_id TEXT, "
            "member_id TEXT, disabled INTEGER NOT NULL"
        ),
        "org_ancestors": (
            "org_id TEXT NOT NULL, ancestor_id TEXT NOT NULL, depth INTEGER NOT NULL, "
            "PRIMARY KEY (org_id, ancestor_id)"
        ),
        "keys": (
            "key_id TEXT PRIMARY KEY, owner TEXT NOT NULL, role TEXT NOT NULL, "
            "registered_at BIGINT NOT NULL, revoked_at BIGINT, reason TEXT"
        ),
    }
    indexes = {  # noqa: RUF012 - declarative index list read by the runtime
        # The branch below an organisation (the primary key serves the path up).
        "org_descendants": ("org_ancestors", "ancestor_id, depth"),
        # A chi bộ's members (its page's count, the services' member list).
        "members_cell": ("members", "cell_id"),
    }

    @handles(Organisation.Founded)  # type: ignore[attr-defined]
    def founded(self, e: LedgerEvent, tx: Tx) -> None:
        parent = e.event.parent_id
        tx.upsert(
            "organisations",
            ["org_id"],
            {
                "org_id": str(e.stream),
                "code": e.event.code,
                "name": e.event.name,
                "kind": e.event.kind,
                "parent_id": str(parent) if parent is not None else None,
                "dissolved": 0,
                "founded_at": e.notification_id,
            },
        )
        self._place(tx, str(e.stream), str(parent) if parent is not None else None)

    @staticmethod
    def _place(tx: Tx, org_id: str, parent_id: str | None) -> None:
        """The organisation's ancestor rows: itself, then its parent's ancestors one
        step further. (Organisations are never moved: no event re-parents one.)"""
        tx.upsert(
            "org_ancestors",
            ["org_id", "ancestor_id"],
            {"org_id": org_id, "ancestor_id": org_id, "depth": 0},
        )
        if parent_id is not None:
            tx.execute(
                "INSERT INTO {org_ancestors} (org_id, ancestor_id, depth) "
                "SELECT ?, ancestor_id, depth + 1 FROM {org_ancestors} "
                "WHERE org_id = ? ON CONFLICT (org_id, ancestor_id) DO NOTHING",
                (org_id, parent_id),
            )

    @handles(Organisation.Renamed)  # type: ignore[attr-defined]
    def renamed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {organisations} SET name = ? WHERE org_id = ?",
            (e.event.name, str(e.stream)),
        )

    @handles(Organisation.Dissolved)  # type: ignore[attr-defined]
    def dissolved(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {organisations} SET dissolved = 1 WHERE org_id = ?",
            (str(e.stream),),
        )

    @handles(PartyMember.Enrolled)  # type: ignore[attr-defined]
    def enrolled(self, e: LedgerEvent, tx: Tx) -> None:
        tx.upsert(
            "members",
            ["member_id"],
            {
                "member_id": str(e.stream),
                "full_name": e.event.full_name,
                "party_card_no": e.event.party_card_no,
                "birth_date": e.event.birth_date.isoformat(),
                "admission_date": e.event.admission_date.isoformat(),
                "status": e.event.status,
                "cell_id": str(e.event.cell_id),
            },
        )

    @handles(PartyMember.Transferred)  # type: ignore[attr-defined]
    def transferred(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {members} SET cell_id = ? WHERE member_id = ?",
            (str(e.event.cell_id), str(e.stream)),
        )

    @handles(PartyMember.FullMembershipConfirmed)  # type: ignore[attr-defined]
    def confirmed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {members} SET status = 'full' WHERE member_id = ?",
            (str(e.stream),),
        )

    @handles(UserAccount.Opened)  # type: ignore[attr-defined]
    def opened(self, e: LedgerEvent, tx: Tx) -> None:
        org, member = e.event.org_id, e.event.member_id
        tx.upsert(
            "accounts",
            ["account_id"],
            {
                "account_id": str(e.stream),
                "username": e.event.username,
                "full_name": e.event.full_name,
                "roles": json.dumps(sorted(e.event.roles)),
                "org_id": str(org) if org is not None else None,
                "member_id": str(member) if member is not None else None,
                "disabled": 0,
            },
        )

    @handles(UserAccount.RolesChanged)  # type: ignore[attr-defined]
    def roles_changed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {accounts} SET roles = ? WHERE account_id = ?",
            (json.dumps(sorted(e.event.roles)), str(e.stream)),
        )

    @handles(UserAccount.Disabled)  # type: ignore[attr-defined]
    def account_disabled(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {accounts} SET disabled = 1 WHERE account_id = ?",
            (str(e.stream),),
        )

    @handles(SigningKey.KeyRegistered)  # type: ignore[attr-defined]
    def key_registered(self, e: LedgerEvent, tx: Tx) -> None:
        tx.upsert(
            "keys",
            ["key_id"],
            {
                "key_id": e.event.key_id,
                "owner": e.event.owner,
                "role": e.event.role,
                "registered_at": e.notification_id,
                "revoked_at": None,
                "reason": None,
            },
        )

    @handles(SigningKey.KeyRevoked)  # type: ignore[attr-defined]
    def key_revoked(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {keys} SET revoked_at = ?, reason = ? "
            "WHERE key_id = ? AND revoked_at IS NULL",
            (e.notification_id, e.event.reason, e.event.key_id),
        )


def ancestor_path(runtime: ProjectionRuntime, org_id: UUID) -> tuple[UUID, ...]:
    """The organisation ids from the root down to ``org_id`` (itself last); empty
    for an unknown organisation. One indexed query."""
    rows = runtime.query("directory", ANCESTOR_PATH_SQL, [str(org_id)])
    return tuple(UUID(r["ancestor_id"]) for r in rows)


def ancestor_paths(
    runtime: ProjectionRuntime, org_ids: Iterable[UUID] | None = None
) -> dict[UUID, tuple[UUID, ...]]:
    """The ancestor path of each organisation (of every one when ``org_ids`` is
    None), in one query: for filtering a list by scope."""
    sql = "SELECT org_id, ancestor_id, depth FROM {org_ancestors}"
    batches: list[Sequence[str]]
    if org_ids is None:
        batches = [()]
    else:
        wanted = sorted({str(o) for o in org_ids})
        batches = [wanted[i : i + BATCH] for i in range(0, len(wanted), BATCH)]
    chains: dict[UUID, list[tuple[int, UUID]]] = {}
    for batch in batches:
        where = " WHERE org_id IN (" + ", ".join("?" for _ in batch) + ")"
        rows = runtime.query("directory", sql + (where if batch else ""), batch)
        for r in rows:
            chains.setdefault(UUID(r["org_id"]), []).append(
                (-int(r["depth"]), UUID(r["ancestor_id"]))
            )
    return {org: tuple(a for _, a in sorted(chain)) for org, chain in chains.items()}
