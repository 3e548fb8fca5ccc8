"""What a to-do list is made of (việc cần làm, issue 13): an item, a group and the
bounds every list keeps (``services.read_gateway_todo``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIRST_N = 5
"""Items shown per group on the dashboard; the count and a link say the rest."""
COUNT_CAP = 500
"""A group's count stops here ("500+"): a count never reads a whole province."""


@dataclass(frozen=True)
class TodoItem:
    """One thing waiting (việc chờ): a subject's next step, an order, a vote…

    ``kind`` says what it is (``subject``, ``order``, ``remediation``,
    ``vote``, ``incident``, ``changed``) and so which page it links to.
    """

    kind: str
    name: str
    step: str | None = None
    role: str | None = None
    acting_org: str | None = None
    cycle_id: str | None = None
    subject_key: str | None = None
    ref: str | None = None
    deadline: str | None = None
    detail: str | None = None
    round_id: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class TodoGroup:
    """A group of the to-do list: its code (the heading), the first items, how
    many there are (``capped``: at least that many) and what the full list is."""

    code: str
    items: list[TodoItem]
    count: int
    capped: bool = False
    cycle_id: str | None = None
    year: int | None = None
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
