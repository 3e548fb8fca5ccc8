"""Commendations (khen thưởng, 06-HD/TW mục 19.2): proposals derived from the
rating history and awards recorded as signed decisions.

The rating history of a subject comes from the ``commendations`` view (one
decided annual level per year) and is passed to the domain, which records in the
``AwardGranted`` event the years and decisions the award rests on. Which
five-year tier a deployment uses (giấy khen of the committee above grassroots, or
bằng khen of the provincial standing committee) is ``KIEMDIEM_FIVE_YEAR_AWARD``
(``five_year_certificate`` by default, or ``five_year_merit``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.commendations import (
    AWARD_RULES,
    AwardKind,
    consecutive_years,
    five_year_kind,
    proposed_kinds,
)
from domain.errors import DomainError
from domain.subjects import org_class
from ledger.errors import ConfigurationError
from projections import commendations as view
from services.commands import Command
from services.context import AppContext

AWARD_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/commendation")
FIVE_YEAR_ENV = "KIEMDIEM_FIVE_YEAR_AWARD"


@dataclass(frozen=True)
class GrantAward(Command):
    """Record a commendation decision for ``subject_key`` in ``year``."""

    subject_key: str
    kind: str
    year: int
    awarding_org_id: UUID
    decision_no: str
    decided_on: date


def award_id(subject_key: str, kind: str, year: int) -> UUID:
    """One award of a kind per subject and year: a second one collides."""
    return uuid5(AWARD_NS, f"{subject_key}/{kind}/{year}")


class CommendationService:
    def __init__(self, kiemdiem: AppContext, five_year: str | None = None) -> None:
        self.app = kiemdiem
        value = five_year or os.environ.get(FIVE_YEAR_ENV)
        try:
            self.five_year = five_year_kind(value)
        except DomainError:
            msg = (
                f"{FIVE_YEAR_ENV}={value!r}: hãy dùng five_year_certificate (giấy "
                "khen, mặc định) hoặc five_year_merit (bằng khen)"
            )
            raise ConfigurationError(msg) from None

    # -- read side ----------------------------------------------------------------
    def levels(self, subject_key: str) -> dict[int, dict[str, Any]]:
        """The decided annual level of each year (the rating history)."""
        rows = view.decided_years(self.app.projections, subject_key)
        return {int(r["year"]): r for r in rows}

    def consecutive_years(self, subject_key: str, year: int) -> int:
        levels = {y: r["level"] for y, r in self.levels(subject_key).items()}
        return consecutive_years(levels, year)

    def award_subject(self, subject_key: str, year: int) -> dict[str, Any] | None:
        """The subject a commendation is for, as rated in ``year`` (or None)."""
        return self._subject(subject_key, year)

    def _subject(self, subject_key: str, year: int) -> dict[str, Any] | None:
        return view.annual_subject(self.app.projections, subject_key, year)

    def awards(
        self, org_id: UUID | None = None, year: int | None = None
    ) -> list[dict[str, Any]]:
        rows = view.awards(self.app.projections, year)
        result = []
        for r in rows:
            subject = self._subject(r["subject_key"], int(r["year"]))
            if org_id is not None and (
                subject is None or str(org_id) not in subject["path"]
            ):
                continue
            result.append({**r, "basis": json.loads(r["basis"])})
        return result

    def proposals(self, org_id: UUID, year: int) -> list[dict[str, Any]]:
        """Members in and under ``org_id`` whose history supports an award in
        ``year`` and who have not received it yet, with the awarding level."""
        rows = view.excellent_members(self.app.projections, year)
        granted = {
            (a["subject_key"], a["kind"])
            for a in view.awards(self.app.projections, year)
        }
        proposals = []
        for r in rows:
            path = json.loads(r["path"])
            if str(org_id) not in path:
                continue
            history = self.levels(r["subject_key"])
            levels = {y: h["level"] for y, h in history.items()}
            for kind in proposed_kinds(levels, year, self.five_year):
                if (r["subject_key"], kind.value) in granted:
                    continue
                rule = AWARD_RULES[kind]
                proposals.append(
                    {
                        "subject_key": r["subject_key"],
                        "name": r["name"],
                        "kind": kind.value,
                        "year": year,
                        "streak": consecutive_years(levels, year),
                        "basis_years": list(range(year - rule.years + 1, year + 1)),
                        "awarding_level": rule.awarding_level,
                        "awarding_orgs": self._awarding_orgs(path, kind),
                    }
                )
        return proposals

    def _awarding_orgs(self, path: list[str], kind: AwardKind) -> list[dict[str, str]]:
        tree = self.app.ratings.tree()
        allowed = AWARD_RULES[kind].awarding_classes
        found = []
        for org in path:
            node = tree.get(UUID(org))
            if node is not None and org_class(tree, node) in allowed:
                found.append({"org_id": org, "name": node.name})
        return found
