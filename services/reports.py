"""Reports upward (báo cáo kết quả kiểm điểm, đánh giá, xếp loại): for one
organisation and one year, everything in and under it, from the read models.

Counts by level for the four populations of domain.md §8 (party organisations
also by type), exempt counts by reason, re-rated counts (Mẫu 03), the
confidence-vote summary (96-QĐ/TW bands) and the plan's deadlines per level with
what is late. Percentages are exact fractions over those rated (exempt and
pending apart, as in seed 001), shown with the project's display helper.

Every figure is read from the ``ratings``, ``vote_results`` and ``remediation``
views (remediation status of the shortcomings pointed out at the reviews); the report
decides no rule. A subject found in more than one annual cycle of the year (two
overlapping plans) counts once: its decided row, the latest decision first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.cycles import DEADLINE_LEVELS, deadline_level
from domain.rulebooks import confidence_band, rulebook
from domain.subjects import in_subtree
from projections import vote_results
from projections.ratings import statistics as stats_view
from projections.ratings import subjects
from services.context import AppContext
from services.errors import NotFoundError
from services.report_placer import DayTree, day_tree
from services.reports_counted import (
    NAMES_SHOWN,
    Placer,
    Scope,
    Tree,
    by_place,
    counted_deadlines,
    counted_entries,
    counted_sums,
    counted_totals,
    placer,
    revised_rows,
    still_open_page,
)
from services.reports_dossier import SubjectFileReports
from services.reports_tally import LEVELS as LEVELS
from services.reports_tally import POPULATIONS as POPULATIONS
from services.reports_tally import by_population as by_population
from services.reports_tally import population_of as population_of
from services.reports_tally import share as share
from services.reports_tally import sums_of_rows as sums_of_rows
from services.reports_tally import tally as tally
from services.reports_tally import tally_buckets as tally_buckets
from services.reports_tally import tally_populations as tally_populations
from votes.results import display_percent

PARTY_ORG_TYPES = (
    "provincial_committee",
    "district_committee",
    "grassroots_committee",
    "grassroots_cell",
    "subordinate_cell",
)


class ReportService(SubjectFileReports):
    """The read side of reports on one :class:`Kiemdiem` (no commands)."""

    def __init__(self, kiemdiem: AppContext) -> None:
        self.app = kiemdiem

    # -- the rows -----------------------------------------------------------------
    def annual_cycles(self, year: int | None = None) -> list[dict[str, Any]]:
        return subjects.annual_cycles(self.app.projections, year)

    def years(self, org_id: UUID) -> list[int]:
        """The years with an annual cycle covering ``org_id``."""
        return subjects.annual_years(self.app.projections, org_id)

    def subjects(
        self,
        org_id: UUID,
        year: int,
        tree_on: date | None = None,
        cycles: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every subject of the year's annual cycles (or of ``cycles``) in and
        under ``org_id``, once: a member found in two cycles of the year (moved,
        or two overlapping plans) counts once, its decided row first.

        Placed by the tree as it was on ``tree_on``: the subject's organisation
        followed to its successor if it had ended by then, then that day's
        parents (``domain.reorganisation.path_as_of``); without a day, by the
        tree when each cycle opened (the subject's stored path)."""
        if cycles is None:
            cycles = [c["cycle_id"] for c in self.annual_cycles(year)]
        views = self.app.projections
        if tree_on is None:
            rows = subjects.subjects_under(views, list(cycles), org_id)
        else:
            place = self._day_tree(tree_on)[1]
            placed = (
                {**r, "path": place(r["path"], r["subject_key"])}
                for r in subjects.subjects_of_cycles(views, list(cycles))
            )
            rows = [r for r in placed if str(org_id) in r["path"]]
        chosen: dict[str, dict[str, Any]] = {}
        for row in rows:
            old = chosen.get(row["subject_key"])
            if old is None or _rank(row) > _rank(old):
                chosen[row["subject_key"]] = row
        return sorted(chosen.values(), key=lambda r: (r["name"], r["subject_key"]))

    def cycle_statistics(
        self, cycle_id: UUID, org_id: UUID, tree_on: date | None = None
    ) -> dict[str, Any]:
        """Counts by level of one cycle's subjects in and under ``org_id`` (the
        statistics page), rolled up by the tree of ``tree_on`` (default: today,
        the report date); the shape of ``RatingService.statistics``."""
        day = tree_on or self.app.today()

        def figures() -> dict[str, Any]:
            cycles, place = [str(cycle_id)], self._day_tree(day)[1]
            views = self.app.projections
            totals = counted_totals(views, cycles, str(org_id), place)
            if totals is None:  # an organisation split by that day
                entries = counted_entries(views, cycles, str(org_id), place)
                totals = by_population(entries)
            return tally_populations(totals)

        return self.app.kept.get("statistics", (cycle_id, org_id, day), figures)

    def committees(self, cycle_id: UUID) -> list[dict[str, Any]]:
        """The committees of a cycle a statistics page offers (its collective
        subjects but the chi bộ and the leadership collectives): ``org_id``,
        ``name``, and for the scope check ``cell_id`` and ``member_id``; the
        whole cycle's, kept while the views it read stand still (the read gate
        narrows it to the viewer's scope on every request)."""
        return self.app.kept.get(
            "committees",
            cycle_id,
            lambda: stats_view.committees(self.app.projections, cycle_id),
        )

    def _counted(
        self, org_id: UUID, year: int, day: date, place: Placer | None = None
    ) -> list[dict[str, Any]] | None:
        """The year's counter entries in and under ``org_id`` by the tree of
        ``day``, or None when the year has more than one annual cycle (a
        subject in two of them counts once, which only the rows tell)."""
        cycles = [c["cycle_id"] for c in self.annual_cycles(year)]
        if len(cycles) > 1:
            return None
        return counted_entries(
            self.app.projections, cycles, str(org_id), place or self._day_tree(day)[1]
        )

    def _totals(
        self, org_id: UUID, year: int, place: Placer
    ) -> dict[str, dict[str, int]] | None:
        """``reports_counted.counted_totals`` of the year's annual cycle, or
        None when the year has more than one (as :meth:`_counted`) or an
        organisation was split by the placer's day."""
        cycles = [c["cycle_id"] for c in self.annual_cycles(year)]
        if len(cycles) > 1:
            return None
        return counted_totals(self.app.projections, cycles, str(org_id), place)

    def _placer(self, tree_on: date | None, tree: Tree | None = None) -> Placer:
        """A stored path as it stands in the tree of ``tree_on``
        (``reports_counted.placer``; ``tree``: that day's, if already read)."""
        return placer(self.app.projections, tree_on, tree)

    def _day_tree(self, day: date) -> tuple[DayTree, Placer]:
        """The tree of ``day`` and its placer (every organisation's path in it
        worked out once), kept while the directory view stands unchanged
        (``services.kept_results``: its change mark read first, so what was
        read is at least that new, and any change to the tree moves it)."""

        def read() -> tuple[DayTree, Placer]:
            views = self.app.projections
            rows = day_tree(views, day)
            return rows, placer(views, day, rows=rows)

        return self.app.kept.get("day_tree", day, read)

    # -- the report ----------------------------------------------------------------
    def organisation(self, org_id: UUID) -> dict[str, Any]:
        org = self.app.organisation(org_id)
        if org is None:
            raise NotFoundError("org.not_found", id=str(org_id))
        return {"org_id": str(org.org_id), "name": org.name, "kind": org.kind}

    def report(
        self,
        org_id: UUID,
        year: int,
        today: date | None = None,
        tree_on: date | None = None,
        tree_read: tuple[DayTree, Placer] | None = None,
    ) -> dict[str, Any]:
        """The whole report of ``org_id``'s subtree for ``year``, rolled up by
        the tree as at the report date ``today`` (default) or as it was on
        ``tree_on``; it says which (``tree_on``, and ``tree_is_report_date``).
        ``tree_read``: that day's tree and its placer, if already read."""
        today = today or self.app.today()
        tree_day = tree_on or today
        org = self.organisation(org_id)
        tree, place = tree_read or self._day_tree(tree_day)  # read once a report
        below = self._below(org_id, tree_day, tree)
        ids = [str(c) for c, _ in below]
        year_cycles = self.annual_cycles(year)
        rows: list[dict[str, Any]] | None = None
        if len(year_cycles) > 1:  # a subject in two of them counts once
            rows = self.subjects(org_id, year, tree_day)
            sums = sums_of_rows(rows, ids)
        else:
            sums = counted_sums(
                self.app.projections,
                [c["cycle_id"] for c in year_cycles],
                str(org_id),
                place,
                ids,
            )
        cycles = [c for c in year_cycles if c["cycle_id"] in sums.cycles]
        by_pop = tally_populations(sums.populations)
        by_type = {
            klass: tally_buckets(sums.klasses[klass])
            for klass in PARTY_ORG_TYPES
            if klass in sums.klasses
        }
        children: list[dict[str, Any]] = [
            {"org_id": str(c), "name": name, "members": tally_buckets(sums.under[o])}
            for (c, name), o in zip(below, ids, strict=True)
        ]
        scope = Scope(str(org_id), place, {c["org_id"]: c["name"] for c in children})
        if rows is not None:
            revised = rows
            deadlines = self.deadlines(cycles, rows, today, scope)
        else:
            covered = [c["cycle_id"] for c in cycles]
            revised = revised_rows(self.app.projections, covered, scope.org_id, place)
            deadlines = counted_deadlines(
                self.app.projections, cycles, sums.deadlines, scope, today
            )
        exempt_total: dict[str, int] = {}
        for pop in POPULATIONS:
            for reason, n in by_pop[pop]["exempt"].items():
                exempt_total[reason] = exempt_total.get(reason, 0) + n
        return {
            "org": org,
            "year": year,
            "today": today.isoformat(),
            "tree_on": tree_day.isoformat(),
            "tree_is_report_date": tree_day == today,
            "cycles": [
                {
                    "cycle_id": c["cycle_id"],
                    "org_name": c["org_name"],
                    "rulebook_id": c["rulebook_id"],
                    "regulation": rulebook(c["rulebook_id"]).regulation,
                    "closed": c["closed"],
                }
                for c in cycles
            ],
            "populations": by_pop,
            "party_org_types": by_type,
            "exempt": dict(sorted(exempt_total.items())),
            "rerated": self._rerated(revised),
            "confidence": self.confidence(org_id, year),
            "deadlines": deadlines,
            "children": children,
            "remediation": self.remediation(org_id, year, today),
        }

    def still_open(
        self,
        org_id: UUID,
        year: int,
        level: str,
        after: tuple[str, str] | None = None,
        tree_on: date | None = None,
    ) -> dict[str, Any]:
        """The whole list of the subjects still open at a deadline ``level`` of
        the year's annual cycle in and under ``org_id`` (the report names the
        first few), a keyset page of ``PAGE`` by name at a time."""
        day = tree_on or self.app.today()
        if level not in DEADLINE_LEVELS:
            raise NotFoundError("report.deadline_unknown", level=level)
        cycles = self.annual_cycles(year)
        scope = Scope(str(org_id), self._day_tree(day)[1], {})
        return {
            "org": self.organisation(org_id),
            "year": year,
            "level": level,
            **still_open_page(
                self.app.projections,
                [c["cycle_id"] for c in cycles],
                level,
                scope,
                after,
            ),
        }

    def remediation(self, org_id: UUID, year: int, today: date) -> dict[str, Any]:
        """Shortcomings of the subtree by remediation status (the ``remediation``
        view): those pointed out at the previous year's review, to be remedied this
        year, and those pointed out at this year's; overdue and due soon as of
        ``today``."""
        service = self.app.remediation
        return {
            "previous": service.status_counts(org_id, year - 1, today),
            "found": service.status_counts(org_id, year, today),
        }

    @staticmethod
    def _rerated(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        revised = [r for r in rows if int(r["revisions"] or 0) > 0]
        return {
            "total": len(revised),
            "by_population": {
                pop: sum(1 for r in revised if population_of(r) == pop)
                for pop in POPULATIONS
            },
            "subjects": [
                {
                    "cycle_id": r["cycle_id"],
                    "subject_key": r["subject_key"],
                    "name": r["name"],
                    "population": population_of(r),
                    "level": r["level"],
                    "decision_no": r["decision_no"],
                    "decided_on": r["decided_on"],
                    "revisions": int(r["revisions"]),
                }
                for r in revised
            ],
        }

    def _below(
        self, org_id: UUID, tree_on: date | None = None, tree: DayTree | None = None
    ) -> list[tuple[UUID, str]]:
        """The organisations directly below ``org_id`` (the chart per
        organisation), in today's tree or that of ``tree_on`` (``tree``: that
        day's, if already read), by name."""
        if tree_on is None:
            below = [
                (o.org_id, o.name)
                for o in self.app.organisations()
                if o.parent_id == org_id and o.kind != "leadership_collective"
            ]
        else:
            if tree is None:
                tree = day_tree(self.app.projections, tree_on)
            parent = str(org_id)
            below = sorted(
                (
                    (UUID(o), name)
                    for o, up, name, kind in tree
                    if up == parent and kind != "leadership_collective"
                ),
                key=lambda pair: pair[1],
            )
        return below

    def confidence(self, org_id: UUID, year: int) -> dict[str, Any]:
        """Votes held in the subtree in ``year`` and their 96-QĐ/TW low bands."""
        votes = vote_results.votes_of_year(self.app.projections, year)
        tree = self.app.ratings.tree() if votes else {}
        votes = [
            v
            for v in votes
            if v["org_id"] and in_subtree(tree, org_id, UUID(v["org_id"]))
        ]
        held = [v for v in votes if v["state"] == "tallied"]
        leaders: list[dict[str, Any]] = []
        for vote in held:
            for r in vote_results.result_rows(self.app.projections, vote["vote_id"]):
                band = confidence_band(int(r["returned"]), int(r["low"]))
                leaders.append(
                    {
                        "vote_id": vote["vote_id"],
                        "vote": vote["title"],
                        "name": r["name"],
                        "post": r["post"],
                        "returned": int(r["returned"]),
                        "low": int(r["low"]),
                        "low_percent": display_percent(
                            int(r["low"]), int(r["returned"])
                        )
                        if int(r["returned"])
                        else None,
                        "band": band,
                    }
                )
        return {
            "votes": len(votes),
            "held": len(held),
            "leaders": len(leaders),
            "gt_half": sum(1 for r in leaders if r["band"] == "GT_HALF"),
            "gte_two_thirds": sum(1 for r in leaders if r["band"] == "GTE_TWO_THIRDS"),
            "results": leaders,
        }

    @staticmethod
    def deadlines(
        cycles: Sequence[Mapping[str, Any]],
        rows: Sequence[Mapping[str, Any]],
        today: date,
        scope: Scope | None = None,
    ) -> list[dict[str, Any]]:
        """Each milestone of each plan: who was done on time, late, or is still
        open (late once the date has passed). ``rating`` is done on the decision
        date; ``review`` has no date in this view and ``report`` counts as done
        when every subject of the level is decided, on the last decision date."""
        items = []
        for cycle in cycles:
            mine = [
                r
                for r in rows
                if r["cycle_id"] == cycle["cycle_id"] and not r["exempt"]
            ]
            for d in cycle["deadlines"]:
                if d["milestone"] == "review":
                    continue
                due = date.fromisoformat(str(d["due"]))
                level_rows = [
                    r for r in mine if deadline_level(_subject_shape(r)) == d["level"]
                ]
                done = [r for r in level_rows if r["decided_on"]]
                open_rows = [r for r in level_rows if not r["decided_on"]]
                if d["milestone"] == "report":
                    # the level's report: once, on its last decision date
                    done = (
                        [{"name": "", "decided_on": max(r["decided_on"] for r in done)}]
                        if level_rows and not open_rows
                        else []
                    )
                late = [r for r in done if date.fromisoformat(r["decided_on"]) > due]
                overdue = due < today and bool(open_rows)
                items.append(
                    {
                        "cycle_id": cycle["cycle_id"],
                        "level": d["level"],
                        "milestone": d["milestone"],
                        "due": due.isoformat(),
                        "subjects": len(level_rows),
                        "on_time": len(done) - len(late),
                        "late_done": [
                            {"name": r["name"], "done_on": r["decided_on"]}
                            for r in late[:NAMES_SHOWN]
                        ],
                        "late_count": len(late),
                        "open": [r["name"] for r in open_rows[:NAMES_SHOWN]],
                        "open_count": len(open_rows),
                        "open_by_place": []
                        if scope is None
                        else by_place(
                            ({"placed": r["path"], "n": 1} for r in open_rows), scope
                        ),
                        "overdue": overdue,
                        "late": bool(late) or overdue,
                    }
                )
        return sorted(items, key=lambda i: (i["due"], i["level"], i["milestone"]))

    # One subject's file (Mẫu 04) and a re-rating decision (Mẫu 03):
    # services.reports_dossier (SubjectFileReports).

    # -- the chart across years ------------------------------------------------------
    def report_page(
        self,
        org_id: UUID,
        year: int,
        populations: Sequence[str],
        tree_on: date | None = None,
    ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        """The report page's figures: :meth:`report` and the charts across
        years (:meth:`histories`) by one reading of the day's tree, the
        report's own year from the report's counts (the same counters on the
        same tree: ``test_reports_on_either_tree``) rather than read again."""
        today = self.app.today()
        day = tree_on or today

        def figures() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
            tree_read = self._day_tree(day)
            report = self.report(org_id, year, today, tree_on, tree_read)
            histories = self.histories(
                org_id, populations, day, tree_read[1], {year: report["populations"]}
            )
            return report, histories

        # The same for every viewer who may read it (the gate checked that).
        key = (org_id, year, tuple(populations), today, tree_on)
        return self.app.kept.get("report_page", key, figures)

    def histories(
        self,
        org_id: UUID,
        populations: Sequence[str],
        tree_on: date | None = None,
        place: Placer | None = None,
        known: Mapping[int, Mapping[str, dict[str, Any]]] | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Counts by level of each of ``populations``, one entry per year, every
        year rolled up by the same tree (that of ``tree_on``, default today);
        each year's subjects read once
        (the report's charts: one read per year, not one per year and population).
        ``place``: the placer of that day's tree, if already made; ``known``:
        a year's counts by population already tallied on that tree (a report's
        ``populations``), not read again."""
        day = tree_on or self.app.today()
        found: dict[str, list[dict[str, Any]]] = {p: [] for p in populations}
        place = place or self._day_tree(day)[1]
        for year in self.years(org_id):
            if known is not None and year in known:
                for population in populations:
                    counts = known[year][population]
                    found[population].append({"year": year, **counts})
                continue
            totals = self._totals(org_id, year, place)
            if totals is None:
                counted = self._counted(org_id, year, day, place)
                rows = (
                    counted if counted is not None else self.subjects(org_id, year, day)
                )
                totals = by_population(rows)
            for population, counts in tally_populations(totals, populations).items():
                found[population].append({"year": year, **counts})
        return found


def _subject_shape(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": row["kind"], "org_kind": row["org_kind"], "klass": row["klass"]}


def _rank(row: Mapping[str, Any]) -> tuple[int, int]:
    return (1 if row["level"] else 0, int(row["decided_at"] or 0))
