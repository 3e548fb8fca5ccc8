"""Small helpers over the services' read side (projection rows only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from uuid import UUID

from flask import abort, make_response

from domain import permissions
from services.queries import OrganisationRow
from web.errors import refusal

T = TypeVar("T")


def found_or_404(row: T | None, code: str) -> T:
    """The row, or a 404 page (or JSON) saying in Vietnamese what was not found."""
    if row is None:
        abort(make_response(refusal(code)))
    return row


def org_label(row: OrganisationRow) -> str:
    indent = "· " * row.depth
    return f"{indent}{row.name}"


def org_choices(
    rows: Iterable[OrganisationRow], kinds: Iterable[str] | None = None
) -> list[tuple[UUID, str]]:
    """Active organisations for a select, in tree order, optionally of some kinds.

    Offering only sensible choices is a convenience: the services still decide
    whether the chosen one may be used.
    """
    wanted = set(kinds) if kinds is not None else None
    return [
        (row.org_id, org_label(row))
        for row in rows
        if not row.dissolved and (wanted is None or row.kind in wanted)
    ]


# Fields of a member's record that are personal data (domain/permissions.py).
PERSONAL_FIELDS = ("party_card_no", "birth_date")


def shows_personal(member_id: UUID | None = None) -> bool:
    """Whether the signed-in user may see personal data (of this member)."""
    from web.identity import services, user

    me = user()
    own = False
    if member_id is not None:
        account = services().account_row(me.account_id)
        own = account is not None and account.member_id == member_id
    return permissions.may_read_personal(me.roles, own_record=own)
