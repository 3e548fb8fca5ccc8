"""Review cycles (kỳ kiểm điểm): one organisation, one period, one regime.

The regime follows the review year (domain.md §1); the plan's deadlines per level
and its options (quota rounding, the head rule where configurable, the reference
date of the 6-month rule, a province's criteria) are data recorded when the cycle
is opened. Subjects are derived from the tree by :mod:`domain.subjects` and stored
with their exempt reason, venues and authority.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cycle_subjects import (
    DROP,
    PUT,
    SET,
    Materialised,
    SubjectLog,
    changes,
    in_chunks,
    key_batches,
    materialise,
)
from domain.errors import DomainError
from domain.rulebooks import (
    Appendix,
    CriteriaSet,
    Criterion,
    Rounding,
    Rulebook,
    rulebook,
    rulebook_for_year,
)
from domain.subjects import Subject, SubjectKey

PERIODS = {"annual": None, "quarterly": range(1, 5), "term": range(2000, 2200)}
DEADLINE_LEVELS = frozenset(
    {
        "member",
        "leader",
        "cell",
        "partial_committee",
        "grassroots_committee",
        "district_committee",
        "provincial_committee",
        "leadership_collective",
    }
)
MILESTONES = frozenset({"review", "rating", "report"})
MIN_YEAR, MAX_YEAR = 2018, 2100


def _org_key(org_id: object) -> str | None:
    """The subject key of an organisation named in a command's options; None
    for anything that is not an organisation's id (then nothing matches)."""
    try:
        return str(SubjectKey.of_org(str(org_id)))
    except ValueError:
        return None


def deadline_level(subject: Mapping[str, Any]) -> str:
    """The plan level whose deadlines bind this subject (its row as the cycle's
    events store it)."""
    if subject["kind"] == "collective":
        return str(subject["org_kind"])
    return "leader" if subject["klass"] == "leader" else "member"


def check_deadlines(
    items: Sequence[Mapping[str, Any]], year: int
) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    result = []
    for item in items:
        level, milestone, due = (
            item.get("level"),
            item.get("milestone"),
            item.get("due"),
        )
        if level not in DEADLINE_LEVELS or milestone not in MILESTONES:
            raise DomainError(
                "cycle.deadline_invalid", level=level, milestone=milestone
            )
        if not isinstance(due, date) or not year <= due.year <= year + 1:
            raise DomainError("cycle.deadline_date", level=level, milestone=milestone)
        if (level, milestone) in seen:
            raise DomainError("cycle.deadline_twice", level=level, milestone=milestone)
        seen.add((level, milestone))
        result.append({"level": level, "milestone": milestone, "due": due})
    return sorted(result, key=lambda d: (d["due"], d["level"], d["milestone"]))


def check_options(book: Rulebook, options: Mapping[str, Any]) -> dict[str, Any]:
    known = {
        "quota_rounding",
        "head_not_above_collective",
        "holidays",
        "criteria",
        "combined",
        "party_org_triggers",
    }
    unknown = sorted(set(options) - known)
    if unknown:
        raise DomainError("cycle.option_unknown", option=", ".join(unknown))
    rounding = options.get("quota_rounding", book.quota_rounding.value)
    try:
        Rounding(rounding)
    except ValueError:
        raise DomainError("cycle.rounding_unknown", value=rounding) from None
    head = options.get("head_not_above_collective", book.head_not_above_collective)
    if head != book.head_not_above_collective and not book.head_rule_configurable:
        raise DomainError("cycle.option_not_configurable", option="head_rule")
    holidays = sorted(set(options.get("holidays", [])))
    if not all(isinstance(d, date) for d in holidays):
        raise DomainError("cycle.holidays_invalid")
    criteria: dict[str, list[dict[str, Any]]] = {}
    for appendix, items in sorted(dict(options.get("criteria", {})).items()):
        if not book.scored:
            raise DomainError("cycle.criteria_not_scored")
        try:
            key = Appendix(appendix)
        except ValueError:
            raise DomainError("cycle.criteria_invalid") from None
        book.check_criteria_set(criteria_set(key, items))
        criteria[key.value] = [dict(i) for i in items]
    combined = {str(k): str(v) for k, v in dict(options.get("combined", {})).items()}
    shares = check_party_org_triggers(options.get("party_org_triggers", {}))
    return {
        **({"party_org_triggers": shares} if shares else {}),
        "combined": combined,
        "quota_rounding": rounding,
        "head_not_above_collective": bool(head),
        "holidays": holidays,
        "criteria": criteria,
    }


PARTY_ORG_SHARES = ("subordinate_disciplined_max_pct", "members_khtnv_max_pct")


def check_party_org_triggers(value: Any) -> dict[str, int | None]:
    """A plan's shares for the party organisation's KHTNV triggers (open
    question, domain.md §13): a whole percentage 0–100, or None to turn one off."""
    if not isinstance(value, Mapping):
        raise DomainError("cycle.party_org_triggers_invalid")
    unknown = sorted(set(value) - set(PARTY_ORG_SHARES))
    if unknown:
        raise DomainError("cycle.option_unknown", option=", ".join(unknown))
    shares: dict[str, int | None] = {}
    for name in PARTY_ORG_SHARES:
        if name not in value:
            continue
        pct = value[name]
        if pct is not None and (
            isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100
        ):
            raise DomainError("cycle.party_org_triggers_invalid")
        shares[name] = pct
    return shares


def criteria_set(appendix: Appendix, items: Sequence[Mapping[str, Any]]) -> CriteriaSet:
    try:
        return CriteriaSet(
            appendix,
            tuple(
                Criterion(
                    str(i["code"]),
                    str(i["title"]),
                    str(i["group"]),
                    int(i["max_points"]),
                )
                for i in items
            ),
        )
    except (KeyError, TypeError, ValueError):
        raise DomainError("cycle.criteria_invalid") from None


@dataclass(frozen=True, eq=False)
class SubjectIndex:
    """Who is where among a cycle's subjects, built once per set of subjects so
    that a command about one subject never scans them all (issue 14 §3). Every
    tuple keeps the subjects' order."""

    source: Mapping[str, Subject]
    authorities: tuple[str, ...]  # every ``decides``, sorted
    holders: Mapping[str, tuple[str, ...]]  # org id -> individuals with a post there
    children: Mapping[str, tuple[str, ...]]  # org id -> collectives just below it
    cell_members: Mapping[str, tuple[str, ...]]  # cell id -> its individuals
    under: Mapping[str, tuple[str, ...]]  # org id -> individuals on its path, by key

    @classmethod
    def of(cls, subjects: Mapping[str, Subject]) -> SubjectIndex:
        holders: dict[str, list[str]] = {}
        children: dict[str, list[str]] = {}
        cells: dict[str, list[str]] = {}
        under: dict[str, list[str]] = {}
        authorities: set[str] = set()
        for key, s in subjects.items():
            if s.decides:
                authorities.add(s.decides)
            if s.is_individual:
                for org in s.posts:
                    holders.setdefault(org, []).append(key)
                if s.cell_id:
                    cells.setdefault(s.cell_id, []).append(key)
                for org in s.path:
                    under.setdefault(org, []).append(key)
            elif s.parent_id:
                children.setdefault(s.parent_id, []).append(key)
        return cls(
            source=subjects,
            authorities=tuple(sorted(authorities)),
            holders={k: tuple(v) for k, v in holders.items()},
            children={k: tuple(v) for k, v in children.items()},
            cell_members={k: tuple(v) for k, v in cells.items()},
            under={k: tuple(sorted(v)) for k, v in under.items()},
        )


class ReviewCycle(Aggregate):
    """Kỳ kiểm điểm, đánh giá, xếp loại of one organisation for one period.

    Its subjects are recorded in events of their own after ``Opened``
    (:mod:`domain.cycle_subjects`): each event adds an entry to the subject log,
    never changes one, and ``subjects`` (typed :class:`Subject` by key) is built
    from the log when first read after a change. A command's copy of the cached
    cycle shares the log, what was built from it and its :class:`SubjectIndex`."""

    SHARED = ("_subject_log", "_built", "_index")
    STATE_PROPERTIES = ("subjects",)  # built on read, shown in the audit's states

    def __deepcopy__(self, memo: dict[int, Any]) -> ReviewCycle:
        self._materialised()  # built once on the cached cycle, shared by copies
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            copied.__dict__[name] = (
                value if name in self.SHARED else copy.deepcopy(value, memo)
            )
        return copied

    def _materialised(self) -> Materialised:
        built = materialise(self._subject_log, self.__dict__.get("_built"))
        self.__dict__["_built"] = built
        return built

    @property
    def subjects(self) -> Mapping[str, Subject]:
        """The subjects by key (never changed in place: an event replaces them)."""
        return self._materialised().subjects

    @property
    def subject_rows(self) -> Mapping[str, Mapping[str, Any]]:
        """The subjects' rows as the events store them, by key."""
        return self._materialised().rows

    @property
    def index(self) -> SubjectIndex:
        """The index of the current subjects (built on first use)."""
        subjects = self.subjects
        found: SubjectIndex | None = self.__dict__.get("_index")
        if found is None or found.source is not subjects:
            found = SubjectIndex.of(subjects)
            self.__dict__["_index"] = found
        return found

    @classmethod
    def open(
        cls,
        *,
        cycle_id: UUID,
        org_id: UUID,
        org_name: str,
        year: int,
        period: str,
        period_no: int | None,
        reference_date: date,
        deadlines: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any],
        subjects: Sequence[Mapping[str, Any]],
        opened_by: str,
    ) -> ReviewCycle:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise DomainError("cycle.year_invalid", year=year)
        book = rulebook_for_year(year)
        if period not in PERIODS or period not in book.periods:
            raise DomainError("cycle.period_invalid", period=period)
        allowed = PERIODS[period]
        if (allowed is None) != (period_no is None) or (
            allowed is not None and period_no not in allowed
        ):
            raise DomainError("cycle.period_invalid", period=period)
        if not year <= reference_date.year <= year + 1:
            raise DomainError("cycle.reference_date_invalid")
        if not subjects:
            raise DomainError("cycle.no_subjects")
        kinds = {s["key"]: s.get("org_kind") for s in subjects}
        for collective, committee in dict(options.get("combined", {})).items():
            if kinds.get(_org_key(collective)) != "leadership_collective" or kinds.get(
                _org_key(committee)
            ) in (None, "leadership_collective", "cell"):
                raise DomainError("cycle.combined_invalid")
        cycle = cls._create(
            cls.Opened,  # type: ignore[attr-defined]
            id=cycle_id,
            org_id=org_id,
            org_name=org_name,
            year=year,
            period=period,
            period_no=period_no,
            rulebook_id=book.id,
            reference_date=reference_date,
            deadlines=check_deadlines(deadlines, year),
            options=check_options(book, options),
            subjects=[],  # recorded in SubjectsAdded events, an organisation's together
            opened_by=opened_by,
        )
        for chunk in in_chunks(subjects):
            cycle._subjects_added(subjects=chunk)
        return cycle

    @event("Opened")
    def __init__(
        self,
        org_id: UUID,
        org_name: str,
        year: int,
        period: str,
        period_no: int | None,
        rulebook_id: str,
        reference_date: date,
        deadlines: list[dict[str, Any]],
        options: dict[str, Any],
        subjects: list[dict[str, Any]],
        opened_by: str,
    ) -> None:
        self.org_id = org_id
        self.org_name = org_name
        self.year = year
        self.period = period
        self.period_no = period_no
        self.rulebook_id = rulebook_id
        self.reference_date = reference_date
        self.deadlines = list(deadlines)
        self.options = dict(options)
        self._set_subjects(subjects)
        self.closed = False

    def _set_subjects(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Every subject, as an earlier release's ``Opened``, ``SubjectsRefreshed``
        or ``CombinedConferenceSet`` recorded them (an empty list from ``Opened``
        of this release: ``SubjectsAdded`` events follow)."""
        self._subject_log: SubjectLog = ((SET, rows),)

    def _log_subjects(self, op: str, items: Sequence[Any]) -> None:
        """One event's rows or removed keys, added to the log (the log is
        replaced, never changed: copies of the cycle share it)."""
        self._subject_log = (*self._subject_log, (op, items))

    @event("SubjectsAdded")
    def _subjects_added(self, subjects: list[dict[str, Any]]) -> None:
        """Some of the subjects of a cycle being opened (an organisation's, a
        few organisations' or part of a large one's)."""
        self._log_subjects(PUT, subjects)

    def _record_changes(
        self, rows: Mapping[str, Mapping[str, Any]], changed_by: str
    ) -> bool:
        """``SubjectsChanged`` events turning the subjects into ``rows``: the rows
        added or different, an organisation's together, then the keys removed.
        False when nothing changed."""
        changed, removed = changes(self.subject_rows, rows)
        for chunk in in_chunks(changed):
            self._subjects_changed(changed=chunk, removed=[], changed_by=changed_by)
        for keys in key_batches(removed):
            self._subjects_changed(changed=[], removed=keys, changed_by=changed_by)
        return bool(changed or removed)

    @event("SubjectsChanged")
    def _subjects_changed(
        self, changed: list[dict[str, Any]], removed: list[str], changed_by: str
    ) -> None:
        if changed:
            self._log_subjects(PUT, changed)
        if removed:
            self._log_subjects(DROP, removed)

    @property
    def rulebook(self) -> Rulebook:
        """The regime's rulebook with the plan's own shares, where it set them."""
        book = rulebook(self.rulebook_id)
        shares = self.options.get("party_org_triggers")
        return replace(book, **shares) if shares else book

    def subject(self, key: str) -> Subject:
        found = self.subjects.get(key)
        if found is None:
            raise DomainError("rating.subject_unknown", subject=key)
        return found

    def criteria(self, appendix: str) -> CriteriaSet:
        items = self.options.get("criteria", {}).get(appendix)
        if items:
            return criteria_set(Appendix(appendix), items)
        return self.rulebook.criteria_for(Appendix(appendix))

    @property
    def head_rule(self) -> bool:
        return bool(self.options.get("head_not_above_collective"))

    @property
    def rounding(self) -> Rounding:
        return Rounding(self.options.get("quota_rounding", "floor"))

    def ensure_open(self) -> None:
        if self.closed:
            raise DomainError("cycle.closed")

    def set_deadline(
        self, *, level: str, milestone: str, due: date, set_by: str
    ) -> None:
        self.ensure_open()
        (item,) = check_deadlines(
            [{"level": level, "milestone": milestone, "due": due}], self.year
        )
        self._deadline_set(
            level=item["level"], milestone=item["milestone"], due=due, set_by=set_by
        )

    @event("DeadlineSet")
    def _deadline_set(self, level: str, milestone: str, due: date, set_by: str) -> None:
        self.deadlines = sorted(
            [
                d
                for d in self.deadlines
                if (d["level"], d["milestone"]) != (level, milestone)
            ]
            + [{"level": level, "milestone": milestone, "due": due}],
            key=lambda d: (d["due"], d["level"], d["milestone"]),
        )

    def refresh_subjects(
        self,
        *,
        subjects: Sequence[Mapping[str, Any]],
        decided: set[str],
        refreshed_by: str,
    ) -> None:
        """Re-derive subjects after the tree or members changed; a decided subject
        keeps its row (its decision was made on it)."""
        self.ensure_open()
        current = self.subject_rows
        rows: dict[str, Mapping[str, Any]] = {str(s["key"]): s for s in subjects}
        for key in decided:
            if key in current:
                rows[key] = current[key]
        if not self._record_changes(rows, refreshed_by):
            raise DomainError("cycle.subjects_unchanged")

    @event("SubjectsRefreshed")
    def _subjects_refreshed(
        self, subjects: list[dict[str, Any]], refreshed_by: str
    ) -> None:
        """An earlier release's refresh: the whole list."""
        self._set_subjects(subjects)

    def close(self, *, closed_by: str) -> None:
        self.ensure_open()
        self._closed(closed_by=closed_by)

    @event("Closed")
    def _closed(self, closed_by: str) -> None:
        self.closed = True

    # -- combined conference (43-HD mục 2.4; domain.md §3.1 case 2.4) -----------------
    def set_combined(
        self,
        *,
        collective_id: str,
        committee_id: str | None,
        subjects: Sequence[Mapping[str, Any]],
        reviews_opened: set[str],
        set_by: str,
    ) -> None:
        """The secretary's decision that a leadership collective whose members are
        the same people as the party committee is reviewed, with its members, at
        the committee's conference (``committee_id``), or no longer
        (``None``). ``subjects`` are the cycle's subjects derived again with the
        new option; ``reviews_opened`` the subject keys already under review at
        the venues that would change (their place can no longer move)."""
        self.ensure_open()
        collective = self.subjects.get(_org_key(collective_id) or "")
        if collective is None or collective.org_kind != "leadership_collective":
            raise DomainError("cycle.combined_invalid")
        combined = dict(self.options.get("combined", {}))
        if committee_id is None:
            if collective_id not in combined:
                raise DomainError("cycle.combined_unchanged")
            combined.pop(collective_id)
        else:
            committee = self.subjects.get(_org_key(committee_id) or "")
            if committee is None or committee.org_kind in (
                "leadership_collective",
                "cell",
            ):
                raise DomainError("cycle.combined_invalid")
            if combined.get(collective_id) == committee_id:
                raise DomainError("cycle.combined_unchanged")

            def people(org: str) -> set[str]:
                return {
                    str(self.subjects[key].member_id)
                    for key in self.index.holders.get(org, ())
                }

            same = people(collective_id)
            if not same or same != people(committee_id):
                raise DomainError(
                    "cycle.combined_not_same_people",
                    collective=collective.name,
                    committee=committee.name,
                )
            combined[collective_id] = committee_id
        if reviews_opened:
            raise DomainError(
                "cycle.combined_reviews_opened", count=len(reviews_opened)
            )
        self._combined_set(
            collective_id=collective_id,
            committee_id=committee_id,
            combined=combined,
            subjects=[],  # the rows that move follow in SubjectsChanged events
            set_by=set_by,
        )
        self._record_changes({str(s["key"]): s for s in subjects}, set_by)

    @event("CombinedConferenceSet")
    def _combined_set(
        self,
        collective_id: str,
        committee_id: str | None,
        combined: dict[str, str],
        subjects: list[dict[str, Any]],
        set_by: str,
    ) -> None:
        self.options = {**self.options, "combined": dict(combined)}
        if subjects:  # an earlier release's: the whole list
            self._set_subjects(subjects)
