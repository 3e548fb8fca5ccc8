"""``Directory``: who and what exists — the organisation tree, members, accounts
and their keys. Answers the lists of the first slice (web, API and CLI).

``org_ancestors`` holds, for every organisation, each of its ancestors and
itself with their distance (a closure table): the ancestor path of a target,
root first, is one indexed query (``ancestor_path``), and a scope check is then
``viewer.org_id in path`` (domain/permissions.py). An organisation that was
merged or split also has its successors' ancestors there, so its history is
read from the successor (``_reach_from``). The tree over time (successions,
periods, lifetime, the tree on a day) is read by ``projections.directory_history``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts import UserAccount
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.text import fold
from ledger.keys import SigningKey
from ledger.mapper import LedgerEvent
from projections.directory_temporary import (
    TemporaryCells,
    branch_moved,
    home_moved,
)
from projections.read_model import handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

BATCH = 500  # ids per IN (...) list
ANCESTOR_PATH_SQL = (
    "SELECT ancestor_id FROM {org_ancestors} WHERE org_id = ? "
    "ORDER BY depth DESC, ancestor_id"
)


class Directory(TemporaryCells):
    name = "directory"
    # 2: org_ancestors; 3: reorganisation (periods, successions, posts);
    # 4: member_cells (a member's chi bộ over time); 5: temporary_cells;
    # 6: accounts.folded (the accounts list's search), keyset by username;
    # 7: temporary_cells.home_cell_id and sort_key, temporary_places (who is
    # on temporary party activity where, by organisation)
    version = 7
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
            "member_id TEXT, disabled INTEGER NOT NULL, folded TEXT NOT NULL"
        ),
        "org_ancestors": (
            "org_id TEXT NOT NULL, ancestor_id TEXT NOT NULL, depth INTEGER NOT NULL, "
            "PRIMARY KEY (org_id, ancestor_id)"
        ),
        "keys": (
            "key_id TEXT PRIMARY KEY, owner TEXT NOT NULL, role TEXT NOT NULL, "
            "registered_at BIGINT NOT NULL, revoked_at BIGINT, reason TEXT"
        ),
        # Each organisation's (parent, name, kind, ended) from a date on: one row
        # per change, ``seq`` its stream version; '' = since it was recorded.
        "org_periods": (
            "org_id TEXT NOT NULL, seq INTEGER NOT NULL, valid_from TEXT NOT NULL, "
            "parent_id TEXT, name TEXT NOT NULL, kind TEXT NOT NULL, "
            "ended INTEGER NOT NULL, decision_no TEXT, PRIMARY KEY (org_id, seq)"
        ),
        # Successor links (kế tục), kept for ever: merge or split.
        "org_successions": (
            "predecessor_id TEXT NOT NULL, successor_id TEXT NOT NULL, "
            "how TEXT NOT NULL, decision_no TEXT NOT NULL, effective_on TEXT NOT NULL, "
            "PRIMARY KEY (predecessor_id, successor_id)"
        ),
        # A member's chi bộ over time (quá trình sinh hoạt đảng): one row per
        # enrolment or transfer, ``seq`` its log position; ``valid_from`` the
        # effective date of the reorganisation decision that moved the member,
        # else the day the transfer was recorded ('' = since enrolled).
        "member_cells": (
            "member_id TEXT NOT NULL, seq BIGINT NOT NULL, cell_id TEXT NOT NULL, "
            "valid_from TEXT NOT NULL, decision_no TEXT, "
            "PRIMARY KEY (member_id, seq)"
        ),
        # Posts held now (chức vụ), to find who holds one at an organisation.
        "posts": (
            "member_id TEXT NOT NULL, org_id TEXT NOT NULL, role TEXT NOT NULL, "
            "since TEXT NOT NULL, PRIMARY KEY (member_id, org_id)"
        ),
        **TemporaryCells.tables,
    }
    indexes = {  # noqa: RUF012 - declarative index list read by the runtime
        # The branch below an organisation (the primary key serves the path up).
        "org_descendants": ("org_ancestors", "ancestor_id, depth"),
        # A chi bộ's members (its page's count, the services' member list, what
        # follows a reorganisation), the holders of posts at one organisation,
        # the predecessors of a successor.
        "members_cell": ("members", "cell_id"),
        "posts_by_org": ("posts", "org_id"),
        "successions_by_successor": ("org_successions", "successor_id"),
        # The accounts list, a keyset page by username; an account's key.
        "accounts_username": ("accounts", "username, account_id"),
        "keys_owner": ("keys", "owner, registered_at"),
        **TemporaryCells.indexes,
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
        self._period(tx, e, "")

    @staticmethod
    def _place(tx: Tx, org_id: str, parent_id: str | None) -> None:
        """The organisation's ancestor rows: itself, then its parent's ancestors one
        step further (a move re-places the whole subtree: ``moved_under``)."""
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

    @handles(Organisation.Renamed)
    def renamed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {organisations} SET name = ? WHERE org_id = ?",
            (e.event.name, str(e.stream)),
        )
        self._period(tx, e, _effective(e))

    @handles(Organisation.Dissolved)
    def dissolved(self, e: LedgerEvent, tx: Tx) -> None:
        self._end(tx, e)

    # -- reorganisation (sắp xếp, tổ chức lại) --------------------------------------
    @handles(Organisation.MovedUnder)  # type: ignore[attr-defined]
    def moved_under(self, e: LedgerEvent, tx: Tx) -> None:
        """The organisation and its whole subtree leave the old ancestors and take
        the new parent's, each one step further than in the parent's path."""
        org_id, parent_id = str(e.stream), str(e.event.parent_id)
        tx.execute(
            "UPDATE {organisations} SET parent_id = ? WHERE org_id = ?",
            (parent_id, org_id),
        )
        tx.execute(
            "DELETE FROM {org_ancestors} WHERE org_id IN "
            "(SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ?) "
            "AND ancestor_id IN (SELECT ancestor_id FROM {org_ancestors} "
            "WHERE org_id = ? AND depth > 0)",
            (org_id, org_id),
        )
        tx.execute(
            "INSERT INTO {org_ancestors} (org_id, ancestor_id, depth) "
            "SELECT s.org_id, p.ancestor_id, p.depth + s.depth + 1 "
            "FROM {org_ancestors} s, {org_ancestors} p "
            "WHERE s.ancestor_id = ? AND p.org_id = ?",
            (org_id, parent_id),
        )
        branch_moved(tx, org_id)
        self._period(tx, e, _effective(e))

    @handles(Organisation.KindChanged)  # type: ignore[attr-defined]
    def kind_changed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {organisations} SET kind = ? WHERE org_id = ?",
            (e.event.kind, str(e.stream)),
        )
        self._period(tx, e, _effective(e))

    @handles(Organisation.MergedInto)  # type: ignore[attr-defined]
    def merged_into(self, e: LedgerEvent, tx: Tx) -> None:
        self._succession(tx, e, str(e.stream), str(e.event.successor_id), "merge")
        self._end(tx, e)

    @handles(Organisation.SplitInto)  # type: ignore[attr-defined]
    def split_into(self, e: LedgerEvent, tx: Tx) -> None:
        for successor in e.event.successor_ids:
            self._succession(tx, e, str(e.stream), successor, "split")
        self._end(tx, e)

    @staticmethod
    def _reach_from(tx: Tx, predecessor: str, successor: str) -> None:
        """An ended organisation's history is read from its successor too: it
        (with what is still under it) also takes the successor's ancestors, one
        step below the successor, beside its own. Its parent stays the old one;
        only the scope of reads follows (the successor's keepers, the province)."""
        tx.execute(
            "INSERT INTO {org_ancestors} (org_id, ancestor_id, depth) "
            "SELECT s.org_id, p.ancestor_id, p.depth + s.depth + 1 "
            "FROM {org_ancestors} s, {org_ancestors} p "
            "WHERE s.ancestor_id = ? AND p.org_id = ? "
            "ON CONFLICT (org_id, ancestor_id) DO NOTHING",
            (predecessor, successor),
        )
        branch_moved(tx, predecessor)

    @handles(Organisation.Absorbed)  # type: ignore[attr-defined]
    def absorbed(self, e: LedgerEvent, tx: Tx) -> None:
        for predecessor in e.event.predecessor_ids:
            self._succession(tx, e, predecessor, str(e.stream), e.event.how)
        if e.event.founded:  # founded by this decision: it exists from its date on
            tx.execute(
                "UPDATE {org_periods} SET valid_from = ? WHERE org_id = ? AND seq = 1",
                (_effective(e), str(e.stream)),
            )

    def _succession(
        self, tx: Tx, e: LedgerEvent, predecessor: str, successor: str, how: str
    ) -> None:
        self._reach_from(tx, predecessor, successor)
        tx.upsert(
            "org_successions",
            ["predecessor_id", "successor_id"],
            {
                "predecessor_id": predecessor,
                "successor_id": successor,
                "how": how,
                "decision_no": e.event.decision_no,
                "effective_on": _effective(e),
            },
        )

    def _end(self, tx: Tx, e: LedgerEvent) -> None:
        tx.execute(
            "UPDATE {organisations} SET dissolved = 1 WHERE org_id = ?",
            (str(e.stream),),
        )
        self._period(tx, e, _effective(e))

    @staticmethod
    def _period(tx: Tx, e: LedgerEvent, valid_from: str) -> None:
        """The organisation's row as it now is, valid from ``valid_from``."""
        tx.execute(
            "INSERT INTO {org_periods} (org_id, seq, valid_from, parent_id, name, "
            "kind, ended, decision_no) SELECT org_id, ?, ?, parent_id, name, kind, "
            "dissolved, ? FROM {organisations} WHERE org_id = ? "
            "ON CONFLICT (org_id, seq) DO NOTHING",
            (
                e.version,
                valid_from,
                getattr(e.event, "decision_no", None),
                str(e.stream),
            ),
        )

    @handles(PartyMember.PostAssigned)  # type: ignore[attr-defined]
    def post_assigned(self, e: LedgerEvent, tx: Tx) -> None:
        tx.upsert(
            "posts",
            ["member_id", "org_id"],
            {
                "member_id": str(e.stream),
                "org_id": str(e.event.org_id),
                "role": e.event.role,
                "since": e.event.since.isoformat(),
            },
        )

    @handles(PartyMember.PostEnded)  # type: ignore[attr-defined]
    def post_ended(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "DELETE FROM {posts} WHERE member_id = ? AND org_id = ?",
            (str(e.stream), str(e.event.org_id)),
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
        self._cell_from(tx, e, "", None)

    @handles(PartyMember.Transferred)  # type: ignore[attr-defined]
    def transferred(self, e: LedgerEvent, tx: Tx) -> None:
        """A transfer made by a reorganisation (the old chi bộ merged or split
        into the new one, recorded just before in the same transaction) takes
        effect on the decision's date; any other on the day it was recorded."""
        member, cell = str(e.stream), str(e.event.cell_id)
        tx.execute(
            "SELECT s.effective_on, s.decision_no FROM {members} m "
            "JOIN {org_successions} s ON s.predecessor_id = m.cell_id "
            "WHERE m.member_id = ? AND s.successor_id = ?",
            (member, cell),
        )
        link = tx.fetchone_dict()
        if link is not None:
            self._cell_from(tx, e, link["effective_on"], link["decision_no"])
        else:
            self._cell_from(tx, e, e.timestamp.date().isoformat(), None)
        tx.execute(
            "UPDATE {members} SET cell_id = ? WHERE member_id = ?", (cell, member)
        )
        home_moved(tx, member, cell)

    @staticmethod
    def _cell_from(
        tx: Tx, e: LedgerEvent, valid_from: str, decision_no: str | None
    ) -> None:
        tx.upsert(
            "member_cells",
            ["member_id", "seq"],
            {
                "member_id": str(e.stream),
                "seq": e.notification_id,
                "cell_id": str(e.event.cell_id),
                "valid_from": valid_from,
                "decision_no": decision_no,
            },
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
                "folded": fold(f"{e.event.username} {e.event.full_name}"),
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
    # The same few ancestors head every path: each id's text made a UUID once
    # (a province's every path is thousands of rows, UUID() most of the cost).
    ids: dict[str, UUID] = {}

    def uuid_of(text: str) -> UUID:
        found = ids.get(text)
        if found is None:
            found = ids[text] = UUID(text)
        return found

    for batch in batches:
        where = " WHERE org_id IN (" + ", ".join("?" for _ in batch) + ")"
        rows = runtime.query("directory", sql + (where if batch else ""), batch)
        for r in rows:
            chains.setdefault(uuid_of(str(r["org_id"])), []).append(
                (-int(r["depth"]), uuid_of(str(r["ancestor_id"])))
            )
    return {org: tuple(a for _, a in sorted(chain)) for org, chain in chains.items()}


def _effective(e: LedgerEvent) -> str:
    """The decision's effective date; the day it was recorded for a change no
    decision made (a correction, or an event stored before decisions were kept)."""
    effective = getattr(e.event, "effective_on", None)
    day = effective if effective is not None else e.timestamp.date()
    return day.isoformat()


def child_ids(runtime: ProjectionRuntime, org_id: UUID) -> list[UUID]:
    """The organisations directly under ``org_id`` (one indexed query)."""
    rows = runtime.query(
        "directory",
        "SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ? AND depth = 1 "
        "ORDER BY org_id",
        [str(org_id)],
    )
    return [UUID(r["org_id"]) for r in rows]


def child_kinds(runtime: ProjectionRuntime, org_id: UUID) -> set[str]:
    """The kinds of the organisations directly under ``org_id`` that have not
    ended."""
    rows = runtime.query(
        "directory",
        "SELECT DISTINCT o.kind FROM {org_ancestors} a JOIN {organisations} o "
        "ON o.org_id = a.org_id WHERE a.ancestor_id = ? AND a.depth = 1 "
        "AND o.dissolved = 0",
        [str(org_id)],
    )
    return {r["kind"] for r in rows}


def cell_member_ids(runtime: ProjectionRuntime, cell_id: UUID) -> list[UUID]:
    """A chi bộ's members (one indexed query)."""
    rows = runtime.query(
        "directory",
        "SELECT member_id FROM {members} WHERE cell_id = ? ORDER BY member_id",
        [str(cell_id)],
    )
    return [UUID(r["member_id"]) for r in rows]


def post_holder_ids(runtime: ProjectionRuntime, org_id: UUID) -> list[UUID]:
    """The members who hold a post at ``org_id`` now (one indexed query)."""
    rows = runtime.query(
        "directory",
        "SELECT member_id FROM {posts} WHERE org_id = ? ORDER BY member_id",
        [str(org_id)],
    )
    return [UUID(r["member_id"]) for r in rows]
