"""The read queries of the review (projection ``ratings``, and ``org_facts`` for
the facts about organisations): cycles, subjects, timelines, reviews, rounds,
statistics, flags, refined criteria, re-review orders.

The read gateway (``services.read_gateway``) is their only caller from a page;
it applies the scope rule. Where this SQL should go (issue 10): next to the
``ratings`` projection's schema (``projections/ratings*``, being split), as
queries returning typed rows that the gateway calls directly; this module then
keeps only what turns rows into answers (``statistics``, ``flags``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from domain.rulebooks import Appendix, Level, rulebook
from domain.statistics import good_or_better
from domain.subjects import OrgNode, ancestry
from services.context import AppContext
from votes.results import display_percent

POPULATIONS = ("party_orgs", "members", "leadership_collectives", "leaders")


class RatingReads:
    """What the ``ratings`` view answers (đọc), on one application."""

    def __init__(self, kiemdiem: AppContext) -> None:
        self.app = kiemdiem

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.app.projections.query("ratings", sql, list(params))

    def cycles(self) -> list[dict[str, Any]]:
        rows = self._q("SELECT * FROM {cycles} ORDER BY year DESC, org_name, cycle_id")
        return [self._cycle(r) for r in rows]

    def cycle_row(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q("SELECT * FROM {cycles} WHERE cycle_id = ?", [str(ident)])
        return self._cycle(rows[0]) if rows else None

    @staticmethod
    def _cycle(row: Mapping[str, Any]) -> dict[str, Any]:
        book = rulebook(row["rulebook_id"])
        return {
            **row,
            "regulation": book.regulation,
            "guidance": book.guidance,
            "scored": book.scored,
            "deadlines": json.loads(row["deadlines"]),
            "options": json.loads(row["options"]),
            "closed": bool(row["closed"]),
        }

    def subjects(
        self, ident: UUID, decides: str | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        """A cycle's subjects; with ``decides`` only those that authority decides
        (a round's, read through the ``subjects_decides`` index), with ``kind``
        only the collectives or the individuals."""
        where, params = "", [str(ident)]
        for column, value in (("decides", decides), ("kind", kind)):
            if value is not None:
                where += f" AND {column} = ?"
                params.append(value)
        rows = self._q(
            "SELECT * FROM {subjects} WHERE cycle_id = ?"  # noqa: S608 - fixed text
            + where
            + " ORDER BY kind DESC, name, subject_key",
            params,
        )
        return [self._subject_row(r) for r in rows]

    def subject_row(self, ident: UUID, key: str) -> dict[str, Any] | None:
        rows = self._q(
            "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
            [str(ident), key],
        )
        return self._subject_row(rows[0]) if rows else None

    @staticmethod
    def _subject_row(row: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for name in ("venues", "posts", "path"):
            out[name] = json.loads(row[name])
        return out

    def timeline(self, ident: UUID, key: str) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {timeline} WHERE cycle_id = ? AND subject_key = ? "
            "ORDER BY position",
            [str(ident), key],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def reviews(self, ident: UUID, key: str | None = None) -> list[dict[str, Any]]:
        """A cycle's reviews; with ``key`` one subject's (``reviews_subject``)."""
        if key is not None:
            return self._q(
                "SELECT * FROM {reviews} WHERE cycle_id = ? AND subject_key = ? "
                "ORDER BY opened_at",
                [str(ident), key],
            )
        return self._q(
            "SELECT * FROM {reviews} WHERE cycle_id = ? ORDER BY opened_at",
            [str(ident)],
        )

    def member_facts(self, member: UUID) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {facts} WHERE member_id = ? ORDER BY position",
            [str(member)],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def review_row(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q("SELECT * FROM {reviews} WHERE review_id = ?", [str(ident)])
        return rows[0] if rows else None

    def rounds(self, ident: UUID) -> list[dict[str, Any]]:
        return self._q(
            "SELECT * FROM {rounds} WHERE cycle_id = ? ORDER BY authority_name",
            [str(ident)],
        )

    def round_row(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q("SELECT * FROM {rounds} WHERE round_id = ?", [str(ident)])
        return rows[0] if rows else None

    def statistics(self, ident: UUID, org_id: UUID) -> dict[str, Any]:
        """Counts by level of everything in and under ``org_id``; percentages are
        exact fractions over those rated (exempt and pending apart), shown with two
        decimals rounded half up in integer arithmetic."""
        rows = self._q(
            "SELECT population, bucket, n FROM {stats} WHERE cycle_id = ? "
            "AND org_id = ? AND n != 0 ORDER BY population, bucket",
            [str(ident), str(org_id)],
        )
        result: dict[str, Any] = {}
        for pop in POPULATIONS:
            mine = {r["bucket"]: int(r["n"]) for r in rows if r["population"] == pop}
            rated = sum(mine.get(level.value, 0) for level in Level)
            levels = {}
            for level in Level:
                n = mine.get(level.value, 0)
                levels[level.value] = {
                    "n": n,
                    "fraction": f"{n}/{rated}" if rated else None,
                    "percent": display_percent(n, rated) if rated else None,
                }
            result[pop] = {
                "rated": rated,
                "pending": mine.get("pending", 0),
                "levels": levels,
                # "Hoàn thành tốt nhiệm vụ trở lên", exact (domain/statistics.py).
                "good_or_better": good_or_better(mine).as_dict(),
                "exempt": {
                    b.split(":", 1)[1]: n
                    for b, n in mine.items()
                    if b.startswith("exempt:")
                },
            }
        return result

    def flags(self, ident: UUID, key: str | None = None) -> list[dict[str, Any]]:
        """Flags for human consideration, never consequences: an open question
        only the authority settles (``flag`` from the self-rating or proposal
        that found it; ``settled`` once the decision settled it, docs/rules.md),
        and KHTNV again after KHTNV in the previous cycle of the same period type
        (raised by the decision)."""
        rows = self._q(
            "SELECT t.subject_key, t.step, t.detail, s.name, s.status "
            "FROM {timeline} t JOIN {subjects} s ON s.cycle_id = t.cycle_id "
            "AND s.subject_key = t.subject_key WHERE t.cycle_id = ? "
            "AND t.step IN ('self_rated', 'proposed', 'decided', 'revised', "
            "'cancelled', 'rating_redo') AND (CAST(? AS TEXT) IS NULL "
            "OR t.subject_key = CAST(? AS TEXT)) ORDER BY t.position",
            [str(ident), key, key],
        )
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            latest[row["subject_key"]] = row
        items: list[dict[str, Any]] = []
        for key, row in latest.items():
            detail = json.loads(row["detail"])
            found: list[tuple[str, str]] = [
                ("flag", question) for question in detail.get("open_questions", [])
            ]
            found += [("settled", s["question"]) for s in detail.get("settled", [])]
            if row["status"] == "decided" and "consecutive_khtnv" in detail.get(
                "rules", []
            ):
                found.append(("flag", "consecutive_khtnv"))
            items.extend(
                {"kind": kind, "rule": rule, "subject_key": key, "subject": row["name"]}
                for kind, rule in found
            )
        return items

    def subject_flags(self, ident: UUID, key: str) -> list[str]:
        return [f["rule"] for f in self.flags(ident, key)]

    # -- facts about organisations ----
    def org_facts(self, org_id: UUID) -> list[dict[str, Any]]:
        """Every fact recorded about an organisation, in order (projection)."""
        rows = self.app.projections.query(
            "org_facts",
            "SELECT * FROM {facts} WHERE org_id = ? ORDER BY position",
            [str(org_id)],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def org_sector(self, org_id: UUID) -> str | None:
        rows = self.app.projections.query(
            "org_facts", "SELECT sector FROM {sectors} WHERE org_id = ?", [str(org_id)]
        )
        return str(rows[0]["sector"]) if rows else None

    def oversight(self, member_id: UUID) -> list[dict[str, Any]]:
        return self.app.projections.query(
            "org_facts",
            "SELECT org_id, since FROM {oversight} WHERE member_id = ? ORDER BY org_id",
            [str(member_id)],
        )

    # -- criteria refined by a province or unit (366 Điều 10) ----
    def criteria_refinements(self) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {criteria} ORDER BY org_name, appendix, from_year"
        )
        return [{**r, "items": json.loads(r["items"])} for r in rows]

    def refined_criteria(
        self, tree: Mapping[UUID, OrgNode], org_id: UUID, year: int
    ) -> dict[str, list[dict[str, Any]]]:
        """Per appendix, the refined criteria a cycle of ``org_id`` in ``year``
        uses: the nearest organisation at or above it that refined that appendix,
        its latest set from a year not after ``year``."""
        chain = ancestry(tree, org_id)
        found: dict[str, list[dict[str, Any]]] = {}
        rows = [r for r in self.criteria_refinements() if r["from_year"] <= year]
        for appendix in Appendix:
            for org in chain:
                mine = [
                    r
                    for r in rows
                    if r["org_id"] == org and r["appendix"] == appendix.value
                ]
                if mine:
                    latest = max(mine, key=lambda r: int(r["from_year"]))
                    found[appendix.value] = latest["items"]
                    break
        return found

    # -- re-review orders (§5.4) ----
    def rereview_orders(
        self, ident: UUID, key: str | None = None
    ) -> list[dict[str, Any]]:
        """The cycle's re-review orders (one subject's when ``key``), oldest first."""
        sql = "SELECT * FROM {orders} WHERE cycle_id = ?"
        params: list[Any] = [str(ident)]
        if key is not None:
            sql += " AND subject_key = ?"
            params.append(key)
        rows = self._q(sql + " ORDER BY ordered_at", params)
        return [
            {
                **r,
                "chair_responsibility": bool(r["chair_responsibility"]),
                "superseded": json.loads(r["superseded"]),
                "done": r["done_at"] is not None,
            }
            for r in rows
        ]
