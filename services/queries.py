"""What the read side returns: plain rows from the projections, never aggregates."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class OrganisationRow:
    org_id: UUID
    code: str
    name: str
    kind: str
    parent_id: UUID | None
    dissolved: bool
    depth: int  # 0 for the root of the tree
    members: int  # members whose official cell is this organisation


@dataclass(frozen=True)
class MemberRow:
    member_id: UUID
    full_name: str
    party_card_no: str
    birth_date: date
    admission_date: date
    status: str
    cell_id: UUID
    cell_name: str


@dataclass(frozen=True)
class AccountRow:
    account_id: UUID
    username: str
    full_name: str
    roles: tuple[str, ...]
    org_id: UUID | None
    member_id: UUID | None
    disabled: bool
    key_id: str | None


def account_from_row(row: Mapping[str, Any]) -> AccountRow:
    """An account row of ``projections.directory_reads`` as the pages read it."""
    return AccountRow(
        account_id=UUID(row["account_id"]),
        username=row["username"],
        full_name=row["full_name"],
        roles=tuple(json.loads(row["roles"])),
        org_id=UUID(row["org_id"]) if row["org_id"] else None,
        member_id=UUID(row["member_id"]) if row["member_id"] else None,
        disabled=bool(row["disabled"]),
        key_id=row["key_id"],
    )
