"""Criteria refined by a province or unit ("cụ thể hoá", 366-QĐ/TW Điều 10).

Lower levels make the 366 criteria concrete: for one appendix (PL1–PL5) an
organisation defines its own sub-criteria with their points, which apply to every
cycle of its subtree from a year on. The refined set keeps the frame of the
appendix: the general group adds up to 30 points and the task-result group to
70 (the rulebook checks it). Cycles opened later record the set they use in
their own signed ``Opened`` event, so a later refinement never changes a cycle
already under way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cycles import criteria_set
from domain.errors import DomainError
from domain.rulebooks import Appendix, rulebook_for_year
from domain.text import clean_text

CODE = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
GROUPS = ("general", "task")
MAX_ITEMS = 60
MAX_TITLE = 500


def check_items(
    appendix: str, from_year: int, items: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The refined criteria, cleaned; every fault is a ``criteria.*`` refusal
    naming the line (1-based) it is on."""
    try:
        book = rulebook_for_year(from_year)
    except DomainError:
        raise DomainError("criteria.year_invalid", year=from_year) from None
    if not book.scored:
        raise DomainError("criteria.not_scored", year=from_year)
    try:
        key = Appendix(appendix)
    except ValueError:
        raise DomainError("criteria.appendix_unknown", appendix=appendix) from None
    if not items:
        raise DomainError("criteria.empty")
    if len(items) > MAX_ITEMS:
        raise DomainError("criteria.too_many", limit=MAX_ITEMS)
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, item in enumerate(items, start=1):
        code = clean_text(str(item.get("code", ""))).lower()
        if not CODE.fullmatch(code):
            raise DomainError("criteria.code_invalid", line=line)
        if code in seen:
            raise DomainError("criteria.code_twice", line=line, criterion=code)
        seen.add(code)
        title = clean_text(str(item.get("title", "")))
        if not title or len(title) > MAX_TITLE:
            raise DomainError("criteria.title_invalid", line=line)
        group = str(item.get("group", ""))
        if group not in GROUPS:
            raise DomainError("criteria.group_invalid", line=line)
        points = item.get("max_points")
        if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
            raise DomainError("criteria.points_invalid", line=line)
        cleaned.append(
            {"code": code, "title": title, "group": group, "max_points": points}
        )
    chosen = criteria_set(key, cleaned)
    try:
        book.check_criteria_set(chosen)
    except DomainError as exc:
        raise DomainError("criteria.frame", **exc.details) from None
    return cleaned


class CriteriaRefinement(Aggregate):
    """One organisation's criteria for one appendix, from one year on."""

    @classmethod
    def define(
        cls,
        *,
        refinement_id: UUID,
        org_id: UUID,
        org_name: str,
        appendix: str,
        from_year: int,
        items: Sequence[Mapping[str, Any]],
        defined_by: str,
    ) -> CriteriaRefinement:
        return cls._create(
            cls.CriteriaRefined,  # type: ignore[attr-defined]
            id=refinement_id,
            org_id=org_id,
            org_name=org_name,
            appendix=appendix,
            from_year=from_year,
            items=check_items(appendix, from_year, items),
            defined_by=defined_by,
        )

    @event("CriteriaRefined")
    def __init__(
        self,
        org_id: UUID,
        org_name: str,
        appendix: str,
        from_year: int,
        items: list[dict[str, Any]],
        defined_by: str,
    ) -> None:
        self.org_id = org_id
        self.appendix = appendix
        self.from_year = from_year
        self.items = [dict(i) for i in items]
