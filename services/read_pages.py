"""A keyset page of any list the gateway reads (members, organisations,
accounts, remediation items, votes…): its rows and the cursors of its
neighbours. Shared by ``services.read_gateway_search`` and
``services.read_gateway_more``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

PAGE = 50  # rows of a list page


@dataclass(frozen=True)
class Page:
    """One keyset page (trang): its rows, and the ids to ask the next page
    after (``after``) and the page before before (``before``), when there are."""

    rows: list[Any]
    after: UUID | None
    before: UUID | None


def turn(
    rows: list[Any],
    *,
    backwards: bool,
    paged: bool,
    ident: Callable[[Any], UUID],
    size: int | None = None,
) -> Page:
    """Any keyset list's ``size + 1`` rows (``PAGE`` unless given) into a page
    (see ``_turn``)."""
    size = PAGE if size is None else size
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return Page([], None, None)
    first, last = ident(rows[0]), ident(rows[-1])
    if backwards:
        return Page(rows, last, first if more else None)
    return Page(rows, last if more else None, first if paged else None)
