"""Review and rating: the application service of issue 3 (architecture.md §3–§5).

``RatingService(kiemdiem)`` adds the commands of cycles, reviews and rating
rounds, and the facts about members the rules read. Each command runs through
``kiemdiem._commit``: one transaction, signed by the acting user's key, re-run on a
concurrent write. The service gathers the facts a rule needs (the tree, the
members' facts, the decisions of the cycle's other rounds, confidence results)
and passes them to the domain, which records them in the event that used them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from functools import singledispatchmethod
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.accounts import UserAccount
from domain.criteria import CriteriaRefinement
from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.evaluation import (
    Assessment,
    DisciplineFact,
    SubjectFacts,
    collective_charges,
    parse_points,
)
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.ratings import RatingRound, rating_prerequisites
from domain.rereviews import ReReviewOrder, covers_rating, covers_review
from domain.reviews import Review, review_prerequisites
from domain.rulebooks import (
    Appendix,
    Level,
    Rounding,
    parse_level,
    quota_cap,
    rulebook,
    rulebook_for_year,
)
from domain.statistics import good_or_better
from domain.subjects import (
    MemberNode,
    OrgNode,
    ancestry,
    derive_subjects,
    in_subtree,
)
from ledger.signing import Signer
from services import rating_commands as rc
from services.app import Kiemdiem
from services.commands import Command
from services.errors import NotFoundError
from votes.results import display_percent

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)

CYCLE_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/review-cycle")
REVIEW_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/review")
ROUND_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/rating-round")
DISCIPLINE_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/discipline")
ORG_FACT_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/org-fact")
REREVIEW_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/rereview-order")
CRITERIA_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/criteria-refinement")
POPULATIONS = ("party_orgs", "members", "leadership_collectives", "leaders")
AT_RISK_DAYS = 7


def cycle_id(org_id: UUID, year: int, period: str, period_no: int | None) -> UUID:
    return uuid5(CYCLE_NS, f"{org_id}/{year}/{period}/{period_no or 0}")


def review_id(cycle: UUID, subject_key: str, venue_id: UUID | str) -> UUID:
    return uuid5(REVIEW_NS, f"{cycle}/{subject_key}/{venue_id}")


def round_id(cycle: UUID, authority_org_id: UUID | str) -> UUID:
    return uuid5(ROUND_NS, f"{cycle}/{authority_org_id}")


def criteria_id(org_id: UUID, appendix: str, from_year: int) -> UUID:
    return uuid5(CRITERIA_NS, f"{org_id}/{appendix}/{from_year}")


def rereview_order_id(cycle: UUID, subject_key: str, number: int) -> UUID:
    return uuid5(REREVIEW_NS, f"{cycle}/{subject_key}/{number}")


class RatingService:
    """Cycles, reviews, rating rounds and member facts on one :class:`Kiemdiem`."""

    def __init__(self, kiemdiem: Kiemdiem) -> None:
        self.app = kiemdiem

    # -- loading and facts ----
    def _get(self, cls: type[A], ident: UUID, code: str) -> A:
        return self.app._get(cls, ident, code)

    def cycle(self, ident: UUID) -> ReviewCycle:
        return self._get(ReviewCycle, ident, "cycle.not_found")

    def round(self, ident: UUID) -> RatingRound:
        return self._get(RatingRound, ident, "rating.round_not_found")

    def review(self, ident: UUID) -> Review:
        return self._get(Review, ident, "review.not_found")

    def tree(self) -> dict[UUID, OrgNode]:
        rows = self.app.projections.query(
            "directory",
            "SELECT org_id, name, kind, parent_id, dissolved FROM {organisations}",
        )
        sectors = {
            r["org_id"]: r["sector"]
            for r in self.app.projections.query(
                "org_facts", "SELECT org_id, sector FROM {sectors}"
            )
        }
        return {
            UUID(r["org_id"]): OrgNode(
                UUID(r["org_id"]),
                r["name"],
                r["kind"],
                UUID(r["parent_id"]) if r["parent_id"] else None,
                bool(r["dissolved"]),
                sectors.get(r["org_id"]),
            )
            for r in rows
        }

    def _member_nodes(
        self, tree: Mapping[UUID, OrgNode], root: UUID, reference_date: date
    ) -> list[MemberNode]:
        nodes = []
        for row in self.app.members():
            if not in_subtree(tree, root, row.cell_id):
                continue
            member = self._get(PartyMember, row.member_id, "member.not_found")
            nodes.append(
                MemberNode(
                    member_id=member.id,
                    name=member.full_name,
                    cell_id=member.cell_id,
                    admission_date=member.admission_date,
                    posts={k: v["role"] for k, v in member.posts.items()},
                    exemption=member.exemption_on(reference_date),
                    outside_political_system=member.outside_political_system,
                    temporary_cell_id=member.temporary_cell_id,
                )
            )
        return nodes

    def _disciplines(self, member: PartyMember) -> tuple[DisciplineFact, ...]:
        return tuple(
            DisciplineFact(
                d["discipline_id"],
                d["level"],
                d["duty_related"],
                d["decided_on"],
                d["conduct_org_id"],
                member.id,
            )
            for d in member.disciplines
        )

    def _confidence(self, member: PartyMember, year: int) -> tuple[int, int] | None:
        """The year's confidence result: a vote held in this system, else one
        recorded from paper; the latest counts."""
        rows = self.app.projections.query(
            "vote_results",
            "SELECT returned, low, published_at FROM {results} "
            "WHERE member_id = ? AND vote_year = ? AND returned IS NOT NULL "
            "ORDER BY published_at DESC",
            [str(member.id), year],
        )
        if rows:
            return int(rows[0]["returned"]), int(rows[0]["low"])
        paper = [c for c in member.confidence_results if c["held_on"].year == year]
        if paper:
            latest = max(paper, key=lambda c: c["held_on"])
            return int(latest["returned"]), int(latest["low"])
        return None

    def facts(self, cycle: ReviewCycle, subject: Mapping[str, Any]) -> SubjectFacts:
        year = cycle.year
        if subject["kind"] == "individual":
            member = self.app._read(
                PartyMember, UUID(subject["member_id"]), "member.not_found"
            )
            comment: bool | None = None
            if subject.get("temporary_cell_id"):
                review = self._maybe(
                    Review,
                    review_id(cycle.id, subject["key"], subject["cell_id"]),
                    read=True,
                )
                comment = (
                    review is not None and review.temporary_cell_comment is not None
                )
            return SubjectFacts(
                remediation=self.app.remediation.carried(subject["key"], year),
                disciplines=self._disciplines(member),
                degradation=any(
                    d["concluded_on"].year == year for d in member.degradations
                ),
                confidence=self._confidence(member, year),
                temporary_cell_comment=comment,
                leaves=tuple(
                    sorted(
                        {
                            leave["kind"]
                            for leave in member.leaves
                            if leave["start"].year <= year <= leave["end"].year
                        }
                    )
                ),
                **self._leader_facts(cycle, subject, member),
                previous=self.previous_decision(cycle, subject["key"]),
            )
        org = subject["org_id"]
        records: list[DisciplineFact] = []
        degraded: list[dict[str, Any]] = []
        holders: set[str] = set()
        for other in cycle.subjects.values():
            if other["kind"] == "individual" and org in other.get("posts", {}):
                member = self.app._read(
                    PartyMember, UUID(other["member_id"]), "member.not_found"
                )
                holders.add(str(member.id))
                records.extend(
                    collective_charges(
                        UUID(org),
                        self._disciplines(member),
                        holds_post=org in member.posts,
                    )
                )
                degraded.extend(
                    {"member_id": member.id, "concluded_on": d["concluded_on"]}
                    for d in member.degradations
                )
        records.extend(self._former_holder_charges(UUID(org), holders))
        return SubjectFacts(
            member_disciplines=tuple(records),
            member_degradations=tuple(degraded),
            remediation=self.app.remediation.carried(subject["key"], year),
            **self._collective_facts(cycle, subject),
            previous=self.previous_decision(cycle, subject["key"]),
        )

    def _former_holder_charges(
        self, org_id: UUID, seen: set[str]
    ) -> list[DisciplineFact]:
        """Records of conduct at ``org_id`` by members whose post there has
        ended: the old unit stays charged (366 Điều 11; ``collective_charges``)."""
        rows = self._q(
            "SELECT DISTINCT member_id FROM {disciplines} WHERE conduct_org_id = ? "
            "ORDER BY member_id",
            [str(org_id)],
        )
        found: list[DisciplineFact] = []
        for row in rows:
            if row["member_id"] in seen:
                continue
            member = self.app._read(
                PartyMember, UUID(row["member_id"]), "member.not_found"
            )
            if member.held_post_at(org_id):
                found.extend(
                    collective_charges(
                        org_id,
                        self._disciplines(member),
                        holds_post=str(org_id) in member.posts,
                    )
                )
        return found

    # -- facts about units (366 Điều 11; 132 Điều 12.4; 124) ----
    def _org(self, org_id: UUID | str) -> Organisation | None:
        ident = UUID(str(org_id))
        if not self.app._exists(ident):
            return None
        return self._get(Organisation, ident, "org.not_found")

    def _unit_results(self, org: Organisation, year: int) -> tuple[dict[str, Any], ...]:
        """The unit's results of the year; a leadership collective without its
        own leads the locality of the organisation it stands under."""
        if year in org.task_results:
            return (dict(org.task_results[year]),)
        if org.kind.value == "leadership_collective" and org.parent_id is not None:
            parent = self._org(org.parent_id)
            if parent is not None and year in parent.task_results:
                return (dict(parent.task_results[year]),)
        return ()

    def _all_levels(self, cycle: ReviewCycle) -> dict[str, str]:
        return self.external_levels(cycle, exclude=UUID(int=0))

    def _leader_facts(
        self, cycle: ReviewCycle, subject: Mapping[str, Any], member: PartyMember
    ) -> dict[str, Any]:
        """Areas and units overseen (phân công phụ trách) and led (người đứng
        đầu), their decisions in this cycle, results and disciplined cases."""
        if subject.get("klass") != "leader":
            return {}
        headed = sorted(o for o, p in member.posts.items() if p["role"] == "head")
        overseen = sorted(member.oversees)
        levels = self._all_levels(cycle) if headed or overseen else {}
        results: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        for org_id in headed:
            org = self._org(org_id)
            if org is not None:
                results.extend(self._unit_results(org, cycle.year))
        for org_id in sorted(set(headed) | set(overseen)):
            org = self._org(org_id)
            if org is not None:
                cases.extend(dict(c) for c in org.cases)
        return {
            "overseen": tuple(
                (f"o:{o}", levels.get(f"o:{o}"))
                for o in overseen
                if f"o:{o}" in cycle.subjects
            ),
            "led": tuple(
                (f"o:{o}", levels.get(f"o:{o}"))
                for o in headed
                if f"o:{o}" in cycle.subjects
            ),
            "unit_results": tuple(results),
            "cases": tuple(cases),
        }

    def _collective_facts(
        self, cycle: ReviewCycle, subject: Mapping[str, Any]
    ) -> dict[str, Any]:
        org = self._org(subject["org_id"])
        if org is None:
            return {}
        children = [
            s
            for s in cycle.subjects.values()
            if s["kind"] == "collective" and s.get("parent_id") == subject["org_id"]
        ]
        subordinates: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        for child in children:
            unit = self._org(child["org_id"])
            if unit is None:
                continue
            subordinates.append(
                {
                    "org_id": unit.id,
                    "disciplined": [d["decided_on"] for d in unit.disciplines],
                }
            )
            cases.extend(dict(c) for c in unit.cases)
        member_levels: tuple[tuple[str, str | None], ...] = ()
        book = cycle.rulebook
        if book.members_khtnv_max_pct is not None and subject.get("sector") == "party":
            levels = self._all_levels(cycle)
            member_levels = tuple(
                (s["key"], levels.get(s["key"]))
                for s in sorted(cycle.subjects.values(), key=lambda s: s["key"])
                if s["kind"] == "individual"
                and not s.get("exempt")
                and subject["org_id"] in s.get("path", [])
            )
        return {
            "unit_results": self._unit_results(org, cycle.year),
            "cases": tuple(cases),
            "conclusions": tuple(dict(c) for c in org.conclusions),
            "org_disciplines": tuple(dict(d) for d in org.disciplines),
            "subordinates": tuple(subordinates)
            if subject.get("org_kind") != "leadership_collective"
            else (),
            "member_levels": member_levels,
        }

    def previous_decision(self, cycle: ReviewCycle, key: str) -> dict[str, Any] | None:
        """The subject's decided level in the previous cycle of the same period
        type (read from the ratings projection; domain.md §5.6)."""
        wanted: list[tuple[int, int | None]]
        if cycle.period == "annual":
            wanted = [(cycle.year - 1, None)]
        elif cycle.period == "quarterly":
            no = cycle.period_no or 1
            wanted = [(cycle.year, no - 1) if no > 1 else (cycle.year - 1, 4)]
        else:
            wanted = []
        rows = self.app.projections.query(
            "ratings",
            "SELECT c.cycle_id, c.year, c.period_no, s.level FROM {subjects} s "
            "JOIN {cycles} c ON c.cycle_id = s.cycle_id WHERE s.subject_key = ? "
            "AND c.period = ? AND s.level IS NOT NULL AND c.cycle_id != ? "
            "ORDER BY c.year DESC, c.period_no DESC, c.cycle_id",
            [key, cycle.period, str(cycle.id)],
        )
        if wanted:
            rows = [
                r
                for r in rows
                if (int(r["year"]), r["period_no"] and int(r["period_no"])) in wanted
            ]
        else:  # a term: the latest earlier one
            rows = [r for r in rows if int(r["year"]) < cycle.year][:1]
        if not rows:
            return None
        chosen = next((r for r in rows if r["level"] == "KHTNV"), rows[0])
        return {
            "cycle_id": str(chosen["cycle_id"]),
            "year": int(chosen["year"]),
            "period": cycle.period,
            "period_no": int(chosen["period_no"]) if chosen["period_no"] else None,
            "level": str(chosen["level"]),
        }

    def _maybe(self, cls: type[A], ident: UUID, *, read: bool = False) -> A | None:
        """The aggregate if it was ever stored (a review or a round); ``read``:
        only to read (no copy of the cached aggregate, never saved)."""
        if not self.app._exists(ident):
            return None
        code = "review.not_found" if cls is Review else "rating.round_not_found"
        if read:
            return self.app._read(cls, ident, code)
        return self._get(cls, ident, code)

    def _read_cycle(self, ident: UUID) -> ReviewCycle:
        """The cycle of a command that does not change it."""
        return self.app._read(ReviewCycle, ident, "cycle.not_found")

    def external_levels(self, cycle: ReviewCycle, exclude: UUID) -> dict[str, str]:
        """Decisions of the cycle's other rounds (prerequisites, head rule)."""
        levels: dict[str, str] = {}
        authorities = {s["decides"] for s in cycle.subjects.values()}
        for authority in sorted(a for a in authorities if a and a != "outside"):
            rid = round_id(cycle.id, authority)
            if rid == exclude:
                continue
            other = self._maybe(RatingRound, rid, read=True)
            if other is None:
                continue
            for key in other.entries:
                level = other.level_of(key)
                if level is not None:
                    levels[key] = level.value
        return levels

    # -- read side (projection ``ratings``) ---------------------------------------
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

    def subjects(self, ident: UUID) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {subjects} WHERE cycle_id = ? "
            "ORDER BY kind DESC, name, subject_key",
            [str(ident)],
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

    def reviews(self, ident: UUID) -> list[dict[str, Any]]:
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

    def peer_groups(self, ident: UUID) -> list[dict[str, Any]]:
        """Each peer group of a round with its quota gauge (exact integers)."""
        found = self.round_row(ident)
        if found is None:
            return []
        cycle = self.cycle_row(UUID(found["cycle_id"]))
        rounding = Rounding(
            (cycle or {}).get("options", {}).get("quota_rounding", "floor")
        )
        levels = {
            s["subject_key"]: s["level"] for s in self.subjects(UUID(found["cycle_id"]))
        }
        groups = []
        for row in self._q(
            "SELECT * FROM {groups} WHERE round_id = ? ORDER BY code", [str(ident)]
        ):
            members = json.loads(row["members"])
            excellent = sum(1 for k in members if levels.get(k) == "HTXSNV")
            good = sum(1 for k in members if levels.get(k) == "HTTNV")
            groups.append(
                {
                    **row,
                    "members": members,
                    "excellent": excellent,
                    "good": good,
                    "cap": quota_cap(good, int(row["ratio_pct"]), rounding),
                    "rounding": rounding.value,
                }
            )
        return groups

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

    def open_items(
        self, ident: UUID, today: date | None = None
    ) -> list[dict[str, Any]]:
        """What still blocks or breaks the rules in a cycle: prerequisites not yet
        decided, subjects on hold, decided without the required review meetings,
        discipline recorded after the decision, deadlines at risk or missed."""
        today = today or self.app.today()
        cycle = self.cycle_row(ident)
        if cycle is None:
            return []
        subjects = {s["subject_key"]: s for s in self.subjects(ident)}
        held_meetings = {
            (r["subject_key"], r["venue_id"])
            for r in self.reviews(ident)
            if r["held_on"] is not None
        }
        items: list[dict[str, Any]] = []
        rows = {k: {**s, "key": k} for k, s in subjects.items()}
        redoing = {
            (r["subject_key"], r["venue_id"])
            for r in self.reviews(ident)
            if r["redo_order_id"] is not None
        }
        held_meetings |= redoing  # the open order is the item, not a violation
        for key, s in subjects.items():
            if s["exempt"]:
                continue
            if s["status"] != "decided":
                for rule, other in rating_prerequisites(rows[key], rows):
                    if subjects[other]["status"] != "decided":
                        items.append(
                            {
                                "kind": "prerequisite",
                                "rule": rule,
                                "subject_key": key,
                                "subject": s["name"],
                                "other": subjects[other]["name"],
                            }
                        )
            if s["held_reason"]:
                items.append(
                    {
                        "kind": "held",
                        "rule": s["held_reason"],
                        "subject_key": key,
                        "subject": s["name"],
                    }
                )
            if s["status"] == "decided":
                missing = [v for v in s["venues"] if (key, v) not in held_meetings]
                if missing:
                    items.append(
                        {
                            "kind": "violation",
                            "rule": "rated_without_review",
                            "subject_key": key,
                            "subject": s["name"],
                        }
                    )
                if s["member_id"]:
                    later = self._q(
                        "SELECT discipline_id FROM {disciplines} WHERE member_id = ? "
                        "AND recorded_at > ? AND decided_on >= ?",
                        [
                            s["member_id"],
                            s["decided_at"] or 0,
                            f"{cycle['year']}-01-01",
                        ],
                    )
                    if later:
                        items.append(
                            {
                                "kind": "violation",
                                "rule": "discipline_after_decision",
                                "subject_key": key,
                                "subject": s["name"],
                            }
                        )
        items.extend(f for f in self.flags(ident) if f["kind"] == "flag")
        items.extend(self.deadlines_at_risk(ident, today))
        items.extend(self.rereviews_open(ident, today))
        return items

    def rereviews_open(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        """Re-review orders not yet carried out: open, at risk within
        ``AT_RISK_DAYS`` of their deadline, or late."""
        items = []
        for order in self.rereview_orders(ident):
            if order["done"]:
                continue
            due = date.fromisoformat(order["deadline"])
            kind = (
                "rereview_late"
                if due < today
                else "rereview_at_risk"
                if (due - today).days <= AT_RISK_DAYS
                else "rereview_open"
            )
            items.append(
                {
                    "kind": kind,
                    "rule": f"rereview_{order['scope']}",
                    "subject_key": order["subject_key"],
                    "subject": order["subject_name"],
                    "due": order["deadline"],
                    "order_id": order["order_id"],
                }
            )
        return items

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

    def deadlines_at_risk(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        cycle = self.cycle_row(ident)
        if cycle is None:
            return []
        subjects = self.subjects(ident)
        held = {r["subject_key"] for r in self.reviews(ident) if r["held_on"]}
        items = []
        for deadline in cycle["deadlines"]:
            due = date.fromisoformat(str(deadline["due"]))
            if (due - today).days > AT_RISK_DAYS:
                continue
            open_subjects = [
                s["name"]
                for s in subjects
                if s["deadline_level"] == deadline["level"]
                and not s["exempt"]
                and (
                    s["status"] != "decided"
                    if deadline["milestone"] != "review"
                    else s["subject_key"] not in held
                )
            ]
            if open_subjects:
                items.append(
                    {
                        "kind": "deadline_missed"
                        if due < today
                        else "deadline_at_risk",
                        "rule": deadline["milestone"],
                        "level": deadline["level"],
                        "due": due.isoformat(),
                        "open": len(open_subjects),
                        "subject": ", ".join(open_subjects[:5]),
                    }
                )
        return items

    # -- who may act ----------------------------------------------------------------
    def _authorise(
        self, actor: str, action: str, org: UUID | str | None = None
    ) -> UserAccount:
        """The role may act, and the organisation is within the account's branch."""
        account = self.app._authorise(actor, action)
        if org is None or account.org_id is None:
            return account
        target = UUID(str(org))
        if not in_subtree(self.tree(), account.org_id, target):
            raise DomainError("auth.out_of_scope", action=action)
        return account

    @staticmethod
    def _check_actor(command: Command, signer: Signer) -> None:
        if command.actor_id != signer.actor:
            raise DomainError("auth.actor_mismatch")

    def _run(
        self,
        command: Command,
        signer: Signer,
        work: Callable[[], Sequence[Aggregate]],
    ) -> None:
        self._check_actor(command, signer)
        self.app._commit(signer, work)

    # -- commands -------------------------------------------------------------------
    @singledispatchmethod
    def handle(self, command: Any, signer: Signer) -> Any:
        msg = f"no rating handler for {type(command).__name__}"
        raise TypeError(msg)

    def _member_fact(
        self,
        command: Command,
        signer: Signer,
        member_id: UUID,
        step: Callable[[PartyMember], None],
    ) -> UUID:
        def work() -> list[Aggregate]:
            member = self._get(PartyMember, member_id, "member.not_found")
            self._authorise(signer.actor, "member.record_fact", member.cell_id)
            step(member)
            return [member]

        self._run(command, signer, work)
        return member_id

    def _org_facts(self, org_id: UUID) -> Any:
        return self._get(Organisation, org_id, "org.not_found").facts()

    @handle.register
    def _(self, command: rc.AssignPost, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.assign_post(
                org=self._org_facts(command.org_id),
                role=command.role,
                since=command.since,
                assigned_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.EndPost, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.end_post(
                org_id=command.org_id, until=command.until, ended_by=signer.actor
            ),
        )

    @handle.register
    def _(self, command: rc.AttachTemporaryCell, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.attach_temporary_cell(
                cell=self._org_facts(command.cell_id),
                since=command.since,
                attached_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.DetachTemporaryCell, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.detach_temporary_cell(
                until=command.until, detached_by=signer.actor
            ),
        )

    @handle.register
    def _(self, command: rc.RecordExemption, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.record_exemption(
                kind=command.kind,
                start=command.start,
                end=command.end,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordLeave, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.record_leave(
                kind=command.kind,
                start=command.start,
                end=command.end,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordDiscipline, signer: Signer) -> UUID:
        ident = uuid5(
            DISCIPLINE_NS,
            f"{command.member_id}/{command.decided_on}/{command.reference.strip()}",
        )
        if command.conduct_org_id is not None:
            self._get(Organisation, command.conduct_org_id, "org.not_found")
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.record_discipline(
                discipline_id=str(ident),
                level=command.level,
                duty_related=command.duty_related,
                decided_on=command.decided_on,
                conduct_org_id=command.conduct_org_id,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordDegradation, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.record_degradation(
                concluded_on=command.concluded_on,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordConfidenceResult, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.record_confidence_result(
                held_on=command.held_on,
                returned=command.returned,
                low=command.low,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.SetWorkSituation, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.set_work_situation(
                outside_political_system=command.outside_political_system,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.AssignOversight, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.assign_oversight(
                org=self._org_facts(command.org_id),
                since=command.since,
                assigned_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.EndOversight, signer: Signer) -> UUID:
        return self._member_fact(
            command,
            signer,
            command.member_id,
            lambda m: m.end_oversight(
                org_id=command.org_id, until=command.until, ended_by=signer.actor
            ),
        )

    # -- facts about organisations ----
    def _org_fact(
        self,
        command: Command,
        signer: Signer,
        org_id: UUID,
        step: Callable[[Organisation], None],
    ) -> UUID:
        def work() -> list[Aggregate]:
            org = self._get(Organisation, org_id, "org.not_found")
            self._authorise(signer.actor, "organisation.record_fact", org.id)
            step(org)
            return [org]

        self._run(command, signer, work)
        return org_id

    @staticmethod
    def _fact_id(org_id: UUID, kind: str, on: date, reference: str) -> str:
        return str(uuid5(ORG_FACT_NS, f"{org_id}/{kind}/{on}/{reference.strip()}"))

    @handle.register
    def _(self, command: rc.SetSector, signer: Signer) -> UUID:
        return self._org_fact(
            command,
            signer,
            command.org_id,
            lambda o: o.set_sector(sector=command.sector, set_by=signer.actor),
        )

    @handle.register
    def _(self, command: rc.RecordConclusion, signer: Signer) -> UUID:
        return self._org_fact(
            command,
            signer,
            command.org_id,
            lambda o: o.record_conclusion(
                conclusion_id=self._fact_id(
                    o.id, command.kind, command.concluded_on, command.reference
                ),
                kind=command.kind,
                concluded_on=command.concluded_on,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordTaskResults, signer: Signer) -> UUID:
        return self._org_fact(
            command,
            signer,
            command.org_id,
            lambda o: o.record_task_results(
                year=command.year,
                tasks_planned=command.tasks_planned,
                tasks_completed=command.tasks_completed,
                targets_apply=command.targets_apply,
                targets_failed=list(command.targets_failed),
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordCase, signer: Signer) -> UUID:
        if command.member_id is not None:
            self._get(PartyMember, command.member_id, "member.not_found")
        return self._org_fact(
            command,
            signer,
            command.org_id,
            lambda o: o.record_case(
                case_id=self._fact_id(
                    o.id, command.kind, command.disciplined_on, command.reference
                ),
                kind=command.kind,
                disciplined_on=command.disciplined_on,
                member_id=command.member_id,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordOrgDiscipline, signer: Signer) -> UUID:
        return self._org_fact(
            command,
            signer,
            command.org_id,
            lambda o: o.record_discipline(
                discipline_id=self._fact_id(
                    o.id, command.level, command.decided_on, command.reference
                ),
                level=command.level,
                decided_on=command.decided_on,
                reference=command.reference,
                recorded_by=signer.actor,
            ),
        )

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

    # -- cycles ----
    @handle.register
    def _(self, command: rc.OpenCycle, signer: Signer) -> UUID:
        ident = cycle_id(
            command.org_id, command.year, command.period, command.period_no
        )

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "cycle.open", command.org_id)
            org = self._get(Organisation, command.org_id, "org.not_found")
            if org.dissolved:
                raise DomainError("org.dissolved")
            if self.app._exists(ident):
                raise DomainError("cycle.exists", year=command.year)
            book = rulebook_for_year(command.year)
            reference = command.reference_date or min(
                self.app.today(), date(command.year, 12, 31)
            )
            tree = self.tree()
            subjects = derive_subjects(
                book,
                org.id,
                tree,
                self._member_nodes(tree, org.id, reference),
                reference,
                combined=command.options.get("combined"),
            )
            options = dict(command.options)
            if book.scored:
                given = dict(options.get("criteria", {}))
                refined = self.refined_criteria(tree, org.id, command.year)
                if refined:
                    options["criteria"] = {**refined, **given}
            return [
                ReviewCycle.open(
                    cycle_id=ident,
                    org_id=org.id,
                    org_name=org.name,
                    year=command.year,
                    period=command.period,
                    period_no=command.period_no,
                    reference_date=reference,
                    deadlines=[
                        {"level": lv, "milestone": ms, "due": due}
                        for lv, ms, due in command.deadlines
                    ],
                    options=options,
                    subjects=subjects,
                    opened_by=signer.actor,
                )
            ]

        self._run(command, signer, work)
        return ident

    @handle.register
    def _(self, command: rc.SetDeadline, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            cycle = self.cycle(command.cycle_id)
            self._authorise(signer.actor, "cycle.open", cycle.org_id)
            cycle.set_deadline(
                level=command.level,
                milestone=command.milestone,
                due=command.due,
                set_by=signer.actor,
            )
            return [cycle]

        self._run(command, signer, work)
        return command.cycle_id

    @handle.register
    def _(self, command: rc.RefreshSubjects, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            cycle = self.cycle(command.cycle_id)
            self._authorise(signer.actor, "cycle.open", cycle.org_id)
            tree = self.tree()
            reference = cycle.reference_date
            subjects = derive_subjects(
                cycle.rulebook,
                cycle.org_id,
                tree,
                self._member_nodes(tree, cycle.org_id, reference),
                reference,
                combined=cycle.options.get("combined"),
            )
            decided = set(self.external_levels(cycle, exclude=UUID(int=0)))
            cycle.refresh_subjects(
                subjects=subjects, decided=decided, refreshed_by=signer.actor
            )
            return [cycle]

        self._run(command, signer, work)
        return command.cycle_id

    @handle.register
    def _(self, command: rc.SetCombinedConference, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            cycle = self.cycle(command.cycle_id)
            self._authorise(signer.actor, "cycle.open", cycle.org_id)
            collective = str(command.collective_id)
            combined = dict(cycle.options.get("combined", {}))
            old_venue = combined.get(collective, collective)
            if command.committee_id is None:
                combined.pop(collective, None)
            else:
                combined[collective] = str(command.committee_id)
            affected = [
                s["key"]
                for s in cycle.subjects.values()
                if s["key"] == f"o:{collective}" or collective in s.get("posts", {})
            ]
            opened = {
                key
                for key in affected
                if self.app._exists(review_id(cycle.id, key, old_venue))
            }
            tree = self.tree()
            reference = cycle.reference_date
            subjects = derive_subjects(
                cycle.rulebook,
                cycle.org_id,
                tree,
                self._member_nodes(tree, cycle.org_id, reference),
                reference,
                combined=combined,
            )
            cycle.set_combined(
                collective_id=collective,
                committee_id=str(command.committee_id)
                if command.committee_id
                else None,
                subjects=subjects,
                reviews_opened=opened,
                set_by=signer.actor,
            )
            return [cycle]

        self._run(command, signer, work)
        return command.cycle_id

    @handle.register
    def _(self, command: rc.CloseCycle, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            cycle = self.cycle(command.cycle_id)
            self._authorise(signer.actor, "rating.decide", cycle.org_id)
            cycle.close(closed_by=signer.actor)
            return [cycle]

        self._run(command, signer, work)
        return command.cycle_id

    # -- reviews ----
    @handle.register
    def _(self, command: rc.OpenReview, signer: Signer) -> UUID:
        ident = review_id(command.cycle_id, command.subject_key, command.venue_id)

        def work() -> list[Aggregate]:
            cycle = self.cycle(command.cycle_id)
            cycle.ensure_open()
            self._authorise(signer.actor, "review.record", command.venue_id)
            if self.app._exists(ident):
                raise DomainError("review.exists")
            return [
                Review.open(
                    review_id=ident,
                    cycle_id=cycle.id,
                    subject=cycle.subject(command.subject_key),
                    venue_id=str(command.venue_id),
                    opened_by=signer.actor,
                )
            ]

        self._run(command, signer, work)
        return ident

    def _review_step(
        self,
        command: Command,
        signer: Signer,
        ident: UUID,
        step: Callable[[Review, ReviewCycle], None],
    ) -> UUID:
        def work() -> list[Aggregate]:
            review = self.review(ident)
            cycle = self._read_cycle(review.cycle_id)
            cycle.ensure_open()
            self._authorise(signer.actor, "review.record", review.venue_id)
            step(review, cycle)
            return [review]

        self._run(command, signer, work)
        return ident

    @handle.register
    def _(self, command: rc.CirculateReport, signer: Signer) -> UUID:
        return self._review_step(
            command,
            signer,
            command.review_id,
            lambda r, _c: r.circulate_report(
                summary=command.summary,
                circulated_on=command.circulated_on,
                circulated_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.SubmitSelfReview, signer: Signer) -> UUID:
        return self._review_step(
            command,
            signer,
            command.review_id,
            lambda r, c: r.submit_self_review(
                appendix=c.subject(r.subject_key)["appendix"],
                form=command.form,
                sections=command.sections,
                submitted_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.AddComment, signer: Signer) -> UUID:
        def step(review: Review, _cycle: ReviewCycle) -> None:
            self._get(PartyMember, command.author_member_id, "member.not_found")
            review.add_comment(
                author_member_id=command.author_member_id,
                text=command.text,
                commented_by=signer.actor,
            )

        return self._review_step(command, signer, command.review_id, step)

    @handle.register
    def _(self, command: rc.AddSuggestion, signer: Signer) -> UUID:
        def step(review: Review, _cycle: ReviewCycle) -> None:
            self._get(Organisation, command.issuer_org_id, "org.not_found")
            review.add_suggestion(
                issuer_org_id=command.issuer_org_id,
                text=command.text,
                issued_by=signer.actor,
            )

        return self._review_step(command, signer, command.review_id, step)

    @handle.register
    def _(self, command: rc.RecordOpinion, signer: Signer) -> UUID:
        return self._review_step(
            command,
            signer,
            command.review_id,
            lambda r, _c: r.record_opinion(
                evaluator_kind=command.evaluator_kind,
                evaluator=command.evaluator,
                proposed_level=command.proposed_level,
                text=command.text,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.RecordResidenceComment, signer: Signer) -> UUID:
        return self._review_step(
            command,
            signer,
            command.review_id,
            lambda r, _c: r.record_residence_comment(
                text=command.text, recorded_by=signer.actor
            ),
        )

    @handle.register
    def _(self, command: rc.RecordTemporaryCellComment, signer: Signer) -> UUID:
        return self._review_step(
            command,
            signer,
            command.review_id,
            lambda r, c: r.record_temporary_cell_comment(
                temporary_cell_id=c.subject(r.subject_key).get("temporary_cell_id"),
                cell_id=command.cell_id,
                text=command.text,
                recorded_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.HoldMeeting, signer: Signer) -> UUID:
        def step(review: Review, cycle: ReviewCycle) -> None:
            subject = cycle.subject(review.subject_key)
            before = []
            for rule, key, venue in review_prerequisites(
                subject, review.venue_id, cycle.subjects, cycle.rulebook.order_rules
            ):
                other = self._maybe(Review, review_id(cycle.id, key, venue), read=True)
                held = other.meeting["held_on"] if other and other.meeting else None
                before.append((rule, cycle.subject(key)["name"], held))
            review.hold_meeting(
                held_on=command.held_on,
                attendees=command.attendees,
                minutes=command.minutes,
                conclusion=command.conclusion,
                prerequisites=before,
                circulation_days=cycle.rulebook.circulation_working_days,
                holidays=cycle.options.get("holidays", []),
                recorded_by=signer.actor,
            )

        return self._review_step(command, signer, command.review_id, step)

    # -- rating rounds ----
    @handle.register
    def _(self, command: rc.OpenRound, signer: Signer) -> UUID:
        ident = round_id(command.cycle_id, command.authority_org_id)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "rating.decide", command.authority_org_id)
            cycle = self.cycle(command.cycle_id)
            org = self._get(Organisation, command.authority_org_id, "org.not_found")
            if self.app._exists(ident):
                raise DomainError("rating.round_exists")
            return [
                RatingRound.open(
                    round_id=ident,
                    cycle=cycle,
                    authority_org_id=org.id,
                    authority_name=org.name,
                    opened_by=signer.actor,
                )
            ]

        self._run(command, signer, work)
        return ident

    def _round_step(
        self,
        command: Command,
        signer: Signer,
        ident: UUID,
        action: str,
        step: Callable[[RatingRound, ReviewCycle, UserAccount], None],
    ) -> UUID:
        def work() -> list[Aggregate]:
            rating = self.round(ident)
            cycle = self._read_cycle(rating.cycle_id)
            scope: UUID | None = rating.authority_org_id
            if action in ("rating.self_rate", "rating.propose"):
                scope = None  # checked against the subject below
            account = self._authorise(signer.actor, action, scope)
            step(rating, cycle, account)
            return [rating]

        self._run(command, signer, work)
        return ident

    def _subject_scope(
        self, account: UserAccount, cycle: ReviewCycle, key: str, action: str
    ) -> dict[str, Any]:
        subject = cycle.subject(key)
        if "member" in account.roles and not (
            {"secretary", "decision_maker"} & set(account.roles)
        ):
            if subject.get("member_id") != str(account.member_id):
                raise DomainError("rating.self_rating_not_own")
            return subject
        place = subject.get("org_id") or subject.get("cell_id")
        if account.org_id is not None and not in_subtree(
            self.tree(), account.org_id, UUID(place)
        ):
            raise DomainError("auth.out_of_scope", action=action)
        return subject

    @handle.register
    def _(self, command: rc.DefinePeerGroup, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.peer_group",
            lambda r, c, _a: r.define_peer_group(
                code=command.code,
                name=command.name,
                members=list(command.members),
                cycle=c,
                defined_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.GrantQuotaException, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.decide",
            lambda r, c, _a: r.grant_quota_exception(
                code=command.code,
                ratio_pct=command.ratio_pct,
                justification=command.justification,
                cycle=c,
                granted_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.SelfRate, signer: Signer) -> UUID:
        def step(rating: RatingRound, cycle: ReviewCycle, account: UserAccount) -> None:
            subject = self._subject_scope(
                account, cycle, command.subject_key, "rating.self_rate"
            )
            points: dict[str, Fraction] = {
                code: parse_points(value) for code, value in command.points.items()
            }
            facts = self._facts_if_rated(cycle, subject)
            # The counts are the remediation view's, never typed in (issue 6).
            carried = facts.remediation
            assessment = Assessment(
                level=parse_level(command.level),
                points=points,
                met=frozenset(command.met),
                tasks_total=command.tasks_total,
                tasks_on_time=command.tasks_on_time,
                tasks_exceeded=command.tasks_exceeded,
                tasks_late=command.tasks_late,
                tasks_not_done=command.tasks_not_done,
                shortcomings_total=len(carried.carried) if carried else 0,
                shortcomings_remedied=len(carried.verified) if carried else 0,
            )
            rating.self_rate(
                subject_key=command.subject_key,
                assessment=assessment,
                cycle=cycle,
                facts=facts,
                rated_by=signer.actor,
            )

        return self._round_step(
            command, signer, command.round_id, "rating.self_rate", step
        )

    def _facts_if_rated(
        self, cycle: ReviewCycle, subject: Mapping[str, Any]
    ) -> SubjectFacts:
        if subject.get("exempt"):
            return SubjectFacts()  # the round refuses it with its reason
        return self.facts(cycle, subject)

    @handle.register
    def _(self, command: rc.ProposeRating, signer: Signer) -> UUID:
        def step(rating: RatingRound, cycle: ReviewCycle, account: UserAccount) -> None:
            subject = self._subject_scope(
                account, cycle, command.subject_key, "rating.propose"
            )
            rating.propose(
                subject_key=command.subject_key,
                level=command.level,
                note=command.note,
                cycle=cycle,
                facts=self._facts_if_rated(cycle, subject),
                proposed_by=signer.actor,
                proposer_org_id=account.org_id,
            )

        return self._round_step(
            command, signer, command.round_id, "rating.propose", step
        )

    @handle.register
    def _(self, command: rc.HoldRating, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.hold",
            lambda r, c, _a: r.hold(
                subject_key=command.subject_key,
                reason=command.reason,
                note=command.note,
                cycle=c,
                held_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.ReleaseRating, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.decide",
            lambda r, _c, _a: r.release(
                subject_key=command.subject_key,
                finding=command.finding,
                released_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.DecideMitigation, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.decide",
            lambda r, c, _a: r.decide_mitigation(
                subject_key=command.subject_key,
                trigger=command.trigger,
                mitigated=command.mitigated,
                justification=command.justification,
                cycle=c,
                facts=self._facts_if_rated(c, c.subject(command.subject_key)),
                decided_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.DecideRating, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.decide",
            lambda r, c, _a: r.decide(
                subject_key=command.subject_key,
                level=command.level,
                decision_no=command.decision_no,
                decided_on=command.decided_on,
                justification=command.justification,
                cycle=c,
                facts=self._facts_if_rated(c, c.subject(command.subject_key)),
                external=self.external_levels(c, r.id),
                decided_by=signer.actor,
            ),
        )

    @handle.register
    def _(self, command: rc.ReRate, signer: Signer) -> UUID:
        return self._round_step(
            command,
            signer,
            command.round_id,
            "rating.decide",
            lambda r, c, _a: r.rerate(
                subject_key=command.subject_key,
                level=command.level,
                decision_no=command.decision_no,
                decided_on=command.decided_on,
                reason=command.reason,
                chair_responsibility=command.chair_responsibility,
                cycle=c,
                facts=self._facts_if_rated(c, c.subject(command.subject_key)),
                external=self.external_levels(c, r.id),
                decided_by=signer.actor,
            ),
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

    @handle.register
    def _(self, command: rc.DefineCriteria, signer: Signer) -> UUID:
        ident = criteria_id(command.org_id, command.appendix, command.from_year)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "criteria.define", command.org_id)
            org = self._get(Organisation, command.org_id, "org.not_found")
            if org.dissolved:
                raise DomainError("org.dissolved")
            if self.app._exists(ident):
                raise DomainError("criteria.exists", year=command.from_year)
            return [
                CriteriaRefinement.define(
                    refinement_id=ident,
                    org_id=org.id,
                    org_name=org.name,
                    appendix=command.appendix,
                    from_year=command.from_year,
                    items=[
                        {
                            "code": code,
                            "group": group,
                            "max_points": points,
                            "title": title,
                        }
                        for code, group, points, title in command.items
                    ],
                    defined_by=signer.actor,
                )
            ]

        self._run(command, signer, work)
        return ident

    # -- re-review orders (§5.4) ----
    @handle.register
    def _(self, command: rc.OrderReReview, signer: Signer) -> UUID:
        found: dict[str, UUID] = {}

        def work() -> list[Aggregate]:
            account = self._authorise(signer.actor, "review.order_redo")
            cycle = self.cycle(command.cycle_id)
            cycle.ensure_open()
            subject = cycle.subject(command.subject_key)
            reviews = []
            for venue in subject["venues"]:
                review = self._maybe(Review, review_id(cycle.id, subject["key"], venue))
                if review is not None:
                    reviews.append(review)
            rating: RatingRound | None = None
            decision = None
            if subject.get("decides") and subject["decides"] != "outside":
                rating = self._maybe(
                    RatingRound, round_id(cycle.id, subject["decides"])
                )
                earlier = rating.decision_of(subject["key"]) if rating else None
                if rating is not None and earlier is not None:
                    decision = {"round_id": str(rating.id), **earlier}
            number = 1
            while self.app._exists(rereview_order_id(cycle.id, subject["key"], number)):
                number += 1
            ident = rereview_order_id(cycle.id, subject["key"], number)
            order = ReReviewOrder.order(
                order_id=ident,
                cycle_id=cycle.id,
                subject=subject,
                number=number,
                scope=command.scope,
                reason=command.reason,
                deadline=command.deadline,
                ordered_on=self.app.today(),
                ordering_org_id=account.org_id,
                chair_responsibility=command.chair_responsibility,
                reviews=[
                    {
                        "review_id": r.id,
                        "venue_id": r.venue_id,
                        "held_on": r.meeting["held_on"] if r.meeting else None,
                    }
                    for r in reviews
                ],
                decision=decision,
                ordered_by=signer.actor,
            )
            changed: list[Aggregate] = [order]
            if covers_review(order.scope):
                for review in reviews:
                    if review.meeting is not None:
                        review.redo(
                            order_id=ident, reason=order.reason, ordered_by=signer.actor
                        )
                        changed.append(review)
            if covers_rating(order.scope) and rating is not None:
                rating.order_redo(
                    subject_key=subject["key"],
                    order_id=ident,
                    reason=order.reason,
                    chair_responsibility=order.chair_responsibility,
                    cycle=cycle,
                    ordered_by=signer.actor,
                )
                changed.append(rating)
            found["id"] = ident
            return changed

        self._run(command, signer, work)
        return found["id"]

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


__all__ = [
    "NotFoundError",
    "RatingService",
    "criteria_id",
    "cycle_id",
    "rereview_order_id",
    "review_id",
    "round_id",
]
