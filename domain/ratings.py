"""Rating rounds (đánh giá, xếp loại): one competent authority in one cycle.

Every self-rating, proposal, hold, mitigation, decision and re-rating the
authority handles lives in one aggregate, so the quota per peer group, the rating
order within the round and "head not above the collective" are invariants checked
in one transaction (architecture.md §4). Facts from outside the round (member
facts, decisions of other rounds of the cycle) arrive as arguments and are
recorded in the event that used them, with the rulebook id and the Vietnamese
explanation ("vì sao mức này", domain/explain.py).

A command's cost does not grow with the round (issue 14 §3): each entry and
each peer group is copy-on-write (an event replaces it, never changes it in
place), so a command's private copy of the cached round shares them instead of
deep-copying every entry; a subject's peer group is found by an index and each
group keeps its decided HTXSNV and HTTNV counts, so the quota is checked without
reading every member's level.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cycles import ReviewCycle, SubjectIndex
from domain.errors import DomainError
from domain.evaluation import (
    OPEN_HTNV_CONDITION,
    Assessment,
    Evaluation,
    SubjectFacts,
    evaluate,
)
from domain.explain import explain, level_name, rule_label
from domain.rulebooks import LEVEL_RANK, Level, parse_level, quota_cap
from domain.text import clean_text

GROUP_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
HOLD_REASONS = frozenset({"complaint", "denunciation", "disunity", "violation"})
PARTY_ORG_KINDS = frozenset(
    {
        "cell",
        "partial_committee",
        "grassroots_committee",
        "district_committee",
        "provincial_committee",
    }
)
# Leadership collectives of chính quyền, chuyên môn, đoàn thể (366 Điều 7.3).
UNIT_SECTORS = frozenset({"government", "professional", "mass_org"})
MAX_TEXT = 4000


def _text(value: str, code: str) -> str:
    text = clean_text(value)
    if not text:
        raise DomainError(code)
    if len(text) > MAX_TEXT:
        raise DomainError("rating.text_too_long", limit=MAX_TEXT)
    return text


def rating_prerequisites(
    subject: Mapping[str, Any],
    subjects: Mapping[str, Mapping[str, Any]],
    index: SubjectIndex | None = None,
) -> list[tuple[str, str]]:
    """(rule, subject key) of the ratings that must be decided first (§3.2).

    With the cycle's ``index`` only the subjects that can be prerequisites are
    read (the same answer, without a scan of every subject)."""
    needed: list[tuple[str, str]] = []
    if subject["kind"] == "individual":
        for org, role in sorted(subject.get("posts", {}).items()):
            other = subjects.get(f"o:{org}")
            if other is None or other.get("exempt"):
                continue
            if other["org_kind"] == "cell":
                continue  # a chi bộ is rated after its members, not before
            rule = (
                "collective_before_head"
                if role == "head"
                else "collective_before_members"
            )
            needed.append((rule, other["key"]))
        return needed
    if subject["org_kind"] not in PARTY_ORG_KINDS:
        if subject.get("sector") == "party":
            # Cấp ủy (ban thường vụ…) after the government, professional and
            # mass-organisation leaderships beside it (366 Điều 7.3).
            siblings = (
                subjects.values()
                if index is None or subject.get("parent_id") is None
                else [
                    subjects[k]
                    for k in index.children.get(str(subject.get("parent_id")), ())
                ]
            )
            for other in siblings:
                if (
                    not other.get("exempt")
                    and other["kind"] == "collective"
                    and other.get("parent_id") == subject.get("parent_id")
                    and other.get("sector") in UNIT_SECTORS
                ):
                    needed.append(("government_before_party_committee", other["key"]))
        return sorted(needed, key=lambda n: (n[0], n[1]))
    org = subject["org_id"]
    candidates = (
        subjects.values()
        if index is None
        else [
            subjects[k]
            for k in (*index.cell_members.get(org, ()), *index.children.get(org, ()))
        ]
    )
    for other in candidates:
        if other.get("exempt") or other["key"] == subject["key"]:
            continue
        if other["kind"] == "individual" and other.get("cell_id") == org:
            needed.append(("members_before_party_org", other["key"]))
        elif other["kind"] == "collective" and other.get("parent_id") == org:
            # Organisations, agencies and units before the party organisation
            # (Điều 12.2 (4)); other collectives below it: lower before higher.
            rule = (
                "units_before_party_org"
                if other.get("sector") in UNIT_SECTORS
                else "lower_before_higher"
            )
            needed.append((rule, other["key"]))
    return sorted(needed, key=lambda n: (n[0], n[1]))


def settle_open_questions(
    evaluation: Evaluation, level: Level, justification: str, regulation: str
) -> list[dict[str, Any]]:
    """The authority's decision settles each open question of the evaluation
    (docs/rules.md): it must say why in writing; the record names the question,
    the level decided, the justification and the regulation it was read under."""
    if not evaluation.open_questions:
        return []
    why = clean_text(justification)
    if not why:
        question = evaluation.open_questions[0]
        raise DomainError(
            "rating.open_question_justification_required",
            question=question,
            question_label=rule_label(question),
        )
    return [
        {
            "question": question,
            "level": level.value,
            "justification": why,
            "regulation": regulation,
        }
        for question in evaluation.open_questions
    ]


def consecutive_khtnv(level: Level, facts: SubjectFacts) -> dict[str, Any] | None:
    """KHTNV again after KHTNV in the previous cycle of the same period type: a
    flag for human consideration, never a consequence (domain.md §5.6)."""
    previous = facts.previous
    if level is not Level.NOT_COMPLETED or not previous:
        return None
    if previous.get("level") != Level.NOT_COMPLETED.value:
        return None
    return dict(previous)


class RatingRound(Aggregate):
    """Đánh giá, xếp loại by one competent authority in one cycle."""

    @classmethod
    def open(
        cls,
        *,
        round_id: UUID,
        cycle: ReviewCycle,
        authority_org_id: UUID,
        authority_name: str,
        opened_by: str,
    ) -> RatingRound:
        cycle.ensure_open()
        if str(authority_org_id) not in cycle.index.authorities:
            raise DomainError("rating.authority_decides_nothing")
        return cls._create(
            cls.Opened,  # type: ignore[attr-defined]
            id=round_id,
            cycle_id=cycle.id,
            authority_org_id=authority_org_id,
            authority_name=authority_name,
            rulebook_id=cycle.rulebook_id,
            year=cycle.year,
            opened_by=opened_by,
        )

    @event("Opened")
    def __init__(
        self,
        cycle_id: UUID,
        authority_org_id: UUID,
        authority_name: str,
        rulebook_id: str,
        year: int,
        opened_by: str,
    ) -> None:
        self.cycle_id = cycle_id
        self.authority_org_id = authority_org_id
        self.authority_name = authority_name
        self.rulebook_id = rulebook_id
        self.year = year
        self.entries: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        # Derived from the events, never stored: subject key -> group code, and
        # per group (decided HTXSNV, decided HTTNV).
        self.group_index: dict[str, str] = {}
        self.counts: dict[str, tuple[int, int]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> RatingRound:
        """A command's private copy in time independent of the round's size:
        the copy-on-write entries and groups are shared, not copied."""
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            copied.__dict__[name] = (
                dict(value) if name in SHARED_STATE else copy.deepcopy(value, memo)
            )
        return copied

    # -- helpers ------------------------------------------------------------------
    def _entry(self, key: str) -> dict[str, Any]:
        """The subject's entry to change: a private copy put in its place (an
        entry may be shared with the cached round and other commands' copies)."""
        old = self.entries.get(key)
        entry = (
            copy.deepcopy(old)
            if old is not None
            else {
                "self": None,
                "proposal": None,
                "hold": None,
                "mitigations": {},
                "decision": None,
                "revisions": 0,
            }
        )
        self.entries[key] = entry
        return entry

    def _set_decision(
        self, entry: dict[str, Any], key: str, decision: dict[str, Any] | None
    ) -> None:
        """Record ``decision`` in the (private) ``entry`` and keep the subject's
        group counts exact."""
        code = self.group_index.get(key)
        if code is not None:
            old = entry["decision"]["level"] if entry["decision"] else None
            new = decision["level"] if decision else None
            self.counts[code] = _counted(self.counts[code], old, new)
        entry["decision"] = decision

    def decision_of(self, key: str) -> dict[str, Any] | None:
        entry = self.entries.get(key)
        return entry["decision"] if entry else None

    def level_of(self, key: str) -> Level | None:
        decision = self.decision_of(key)
        return Level(decision["level"]) if decision else None

    def group_of(self, key: str) -> str | None:
        return self.group_index.get(key)

    def _subject(self, cycle: ReviewCycle, key: str) -> dict[str, Any]:
        if cycle.id != self.cycle_id:
            raise DomainError("rating.cycle_mismatch")
        subject = cycle.subject(key)
        if subject.get("exempt"):
            raise DomainError("rating.subject_exempt", reason=subject["exempt"])
        if subject["decides"] != str(self.authority_org_id):
            raise DomainError(
                "rating.not_competent",
                subject=subject["name"],
                decides=subject["decides"],
            )
        return subject

    def _evaluate(
        self,
        cycle: ReviewCycle,
        subject: Mapping[str, Any],
        assessment: Assessment,
        facts: SubjectFacts,
        mitigations: Mapping[str, bool] | None = None,
    ) -> Evaluation:
        return evaluate(
            cycle.rulebook,
            subject,
            assessment,
            facts,
            cycle.year,
            mitigations,
            cycle.criteria(subject["appendix"]) if cycle.rulebook.scored else None,
        )

    @staticmethod
    def _check_level(evaluation: Evaluation, level: Level) -> None:
        if (
            level is Level.COMPLETED
            and OPEN_HTNV_CONDITION in evaluation.open_questions
        ):
            # 366 Điều 11.3 (domain.md §4.3): HTNV's condition failed and the texts
            # name no level; the doubtful level is refused at every step.
            band = evaluation.band or Level.COMPLETED
            raise DomainError(
                "rating.level_open_question",
                level=level.value,
                level_label=level_name(level.value),
                band=band.value,
                band_label=level_name(band.value),
                question=OPEN_HTNV_CONDITION,
                question_label=rule_label(OPEN_HTNV_CONDITION),
            )
        if LEVEL_RANK[level] > LEVEL_RANK[evaluation.ceiling]:
            applied = [t.code for t in evaluation.triggers if t.applies]
            missed = [rule for lvl, rule in evaluation.failed if lvl is level]
            rule = (applied or missed or ["score_band"])[0]
            raise DomainError(
                "rating.level_not_allowed",
                level=level.value,
                level_label=level_name(level.value),
                ceiling=evaluation.ceiling.value,
                ceiling_label=level_name(evaluation.ceiling.value),
                rule=rule,
                rule_label=rule_label(rule),
            )

    # -- peer groups and the quota ----------------------------------------------------
    def define_peer_group(
        self,
        *,
        code: str,
        name: str,
        members: list[str],
        cycle: ReviewCycle,
        defined_by: str,
    ) -> None:
        """Nhóm có vị trí, vai trò, chức năng, nhiệm vụ tương đồng (§5.1)."""
        if not GROUP_CODE.fullmatch(code):
            raise DomainError("rating.group_code_invalid", value=code)
        if code in self.groups:
            raise DomainError("rating.group_exists", value=code)
        if not members:
            raise DomainError("rating.group_empty")
        for key in members:
            self._subject(cycle, key)
            if self.group_of(key) is not None:
                raise DomainError(
                    "rating.group_overlap", subject=cycle.subject(key)["name"]
                )
        self._group_defined(
            code=code,
            name=_text(name, "rating.group_name_required"),
            members=sorted(set(members)),
            ratio_pct=cycle.rulebook.quota_ratio_pct,
            defined_by=defined_by,
        )

    @event("PeerGroupDefined")
    def _group_defined(
        self, code: str, name: str, members: list[str], ratio_pct: int, defined_by: str
    ) -> None:
        self.groups[code] = {
            "name": name,
            "members": list(members),
            "ratio_pct": ratio_pct,
            "justification": None,
        }
        counts = (0, 0)
        for key in members:
            self.group_index[key] = code
            counts = _counted(counts, None, _level_value(self.decision_of(key)))
        self.counts[code] = counts

    def grant_quota_exception(
        self,
        *,
        code: str,
        ratio_pct: int,
        justification: str,
        cycle: ReviewCycle,
        granted_by: str,
    ) -> None:
        """Up to 25% for a unit with outstanding results (366 Điều 11)."""
        group = self.groups.get(code)
        if group is None:
            raise DomainError("rating.group_not_found", value=code)
        limit = cycle.rulebook.quota_exception_max_pct
        if limit is None:
            raise DomainError("rating.quota_exception_not_allowed")
        if not group["ratio_pct"] < ratio_pct <= limit:
            raise DomainError("rating.quota_exception_range", limit=limit)
        self._exception_granted(
            code=code,
            ratio_pct=ratio_pct,
            justification=_text(justification, "rating.justification_required"),
            granted_by=granted_by,
        )

    @event("QuotaExceptionGranted")
    def _exception_granted(
        self, code: str, ratio_pct: int, justification: str, granted_by: str
    ) -> None:
        self.groups[code] = {
            **self.groups[code],
            "ratio_pct": ratio_pct,
            "justification": justification,
        }

    def quota(self, code: str, cycle: ReviewCycle) -> dict[str, Any]:
        """The gauge of one peer group: decided HTXSNV and HTTNV, cap, ratio."""
        return self._gauge(code, self.counts[code], cycle)

    def _gauge(
        self, code: str, counts: tuple[int, int], cycle: ReviewCycle
    ) -> dict[str, Any]:
        group = self.groups[code]
        excellent, good = counts
        cap = quota_cap(good, group["ratio_pct"], cycle.rounding)
        return {
            "group": code,
            "group_name": group["name"],
            "excellent": excellent,
            "good": good,
            "ratio_pct": group["ratio_pct"],
            "rounding": cycle.rounding.value,
            "cap": cap,
            "members": len(group["members"]),
        }

    def _check_quota(
        self, key: str, level: Level, cycle: ReviewCycle
    ) -> dict[str, Any] | None:
        code = self.group_of(key)
        if code is None:
            if level is Level.EXCELLENT:
                raise DomainError("rating.peer_group_required")
            return None
        counts = _counted(
            self.counts[code], _level_value(self.decision_of(key)), level.value
        )
        gauge = self._gauge(code, counts, cycle)
        if gauge["excellent"] > gauge["cap"]:
            raise DomainError("rating.quota_exceeded", **gauge)
        return gauge

    # -- the three steps ----------------------------------------------------------
    def self_rate(
        self,
        *,
        subject_key: str,
        assessment: Assessment,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        rated_by: str,
    ) -> None:
        """Bước 1: the subject's own score (366) or level with its criteria."""
        cycle.ensure_open()
        subject = self._subject(cycle, subject_key)
        if self.decision_of(subject_key) is not None:
            raise DomainError("rating.already_decided")
        evaluation = self._evaluate(cycle, subject, assessment, facts)
        self._check_level(evaluation, assessment.level)
        self._self_rated(
            subject_key=subject_key,
            assessment=assessment.as_dict(),
            score=evaluation.score,
            ceiling=evaluation.ceiling.value,
            open_questions=list(evaluation.open_questions),
            rated_by=rated_by,
        )

    class SelfRated(Aggregate.Event):
        """v2: ``open_questions`` (the questions only the authority settles, flagged
        from this step on); events stored before it had none."""

        class_version = 2
        subject_key: str
        assessment: dict[str, Any]
        score: Any
        ceiling: str
        open_questions: list[str]
        rated_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["open_questions"] = []

    @event(SelfRated)
    def _self_rated(
        self,
        subject_key: str,
        assessment: dict[str, Any],
        score: Any,
        ceiling: str,
        open_questions: list[str],
        rated_by: str,
    ) -> None:
        entry = self._entry(subject_key)
        entry["self"] = {"assessment": assessment, "score": score, "ceiling": ceiling}
        entry["proposal"] = None

    def _assessment(self, key: str) -> Assessment:
        entry = self.entries.get(key)
        if entry is None or entry["self"] is None:
            raise DomainError("rating.self_rating_missing")
        return Assessment.from_dict(entry["self"]["assessment"])

    def propose(
        self,
        *,
        subject_key: str,
        level: str,
        note: str,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        proposed_by: str,
        proposer_org_id: UUID | None = None,
    ) -> None:
        """Bước 2: thẩm định and the proposed level. A collective whose authority
        table names a proposing body (đảng ủy bộ phận for a chi bộ trực thuộc,
        43-HD mục 3) is proposed by that body's people; ``proposer_org_id`` is
        the acting account's organisation (None: an account of no organisation)."""
        cycle.ensure_open()
        subject = self._subject(cycle, subject_key)
        body = subject.get("proposes")
        if (
            subject["kind"] == "collective"
            and body not in (None, "outside")
            and proposer_org_id is not None
            and str(proposer_org_id) != body
        ):
            raise DomainError(
                "rating.not_proposer",
                rule="not_proposer",
                rule_label=rule_label("not_proposer"),
                proposes=cycle.subjects.get(f"o:{body}", {}).get("name", body),
            )
        if self.decision_of(subject_key) is not None:
            raise DomainError("rating.already_decided")
        proposed = parse_level(level)
        evaluation = self._evaluate(
            cycle,
            subject,
            self._assessment(subject_key),
            facts,
            self.entries[subject_key]["mitigations"],
        )
        self._check_level(evaluation, proposed)
        self._proposed(
            subject_key=subject_key,
            level=proposed.value,
            note=clean_text(note),
            open_questions=list(evaluation.open_questions),
            proposed_by=proposed_by,
        )

    class RatingProposed(Aggregate.Event):
        """v2: ``open_questions`` as evaluated at the proposal (see SelfRated)."""

        class_version = 2
        subject_key: str
        level: str
        note: str
        open_questions: list[str]
        proposed_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["open_questions"] = []

    @event(RatingProposed)
    def _proposed(
        self,
        subject_key: str,
        level: str,
        note: str,
        open_questions: list[str],
        proposed_by: str,
    ) -> None:
        self._entry(subject_key)["proposal"] = {"level": level, "note": note}

    def hold(
        self,
        *,
        subject_key: str,
        reason: str,
        note: str,
        cycle: ReviewCycle,
        held_by: str,
    ) -> None:
        """A complaint, denunciation, disunity or violation: verify before deciding."""
        self._subject(cycle, subject_key)
        if reason not in HOLD_REASONS:
            raise DomainError("rating.hold_reason_unknown", reason=reason)
        if (self.entries.get(subject_key) or {}).get("hold") is not None:
            raise DomainError("rating.already_held")
        self._held(
            subject_key=subject_key,
            reason=reason,
            note=_text(note, "rating.note_required"),
            held_by=held_by,
        )

    @event("RatingHeldForVerification")
    def _held(self, subject_key: str, reason: str, note: str, held_by: str) -> None:
        self._entry(subject_key)["hold"] = {"reason": reason, "note": note}

    def release(self, *, subject_key: str, finding: str, released_by: str) -> None:
        entry = self.entries.get(subject_key)
        if entry is None or entry["hold"] is None:
            raise DomainError("rating.not_held")
        self._released(
            subject_key=subject_key,
            finding=_text(finding, "rating.note_required"),
            released_by=released_by,
        )

    @event("VerificationConcluded")
    def _released(self, subject_key: str, finding: str, released_by: str) -> None:
        self._entry(subject_key)["hold"] = None

    def decide_mitigation(
        self,
        *,
        subject_key: str,
        trigger: str,
        mitigated: bool,
        justification: str,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        decided_by: str,
    ) -> None:
        """The authority sets aside a KHTNV trigger (self-detected and remedied, or
        force majeure) with a written justification — never automatically."""
        subject = self._subject(cycle, subject_key)
        if not cycle.rulebook.mitigation_allowed:
            raise DomainError("rating.mitigation_not_allowed")
        if self.decision_of(subject_key) is not None:
            raise DomainError("rating.already_decided")
        evaluation = self._evaluate(
            cycle, subject, self._assessment(subject_key), facts
        )
        found = {t.code: t for t in evaluation.triggers}
        if trigger not in found:
            raise DomainError("rating.trigger_not_present", trigger=trigger)
        if not found[trigger].mitigable:
            raise DomainError("rating.trigger_not_mitigable", trigger=trigger)
        self._mitigation_decided(
            subject_key=subject_key,
            trigger=trigger,
            mitigated=bool(mitigated),
            justification=_text(justification, "rating.justification_required"),
            decided_by=decided_by,
        )

    @event("TriggerMitigationDecided")
    def _mitigation_decided(
        self,
        subject_key: str,
        trigger: str,
        mitigated: bool,
        justification: str,
        decided_by: str,
    ) -> None:
        self._entry(subject_key)["mitigations"][trigger] = mitigated

    def _judge(
        self,
        *,
        cycle: ReviewCycle,
        subject: Mapping[str, Any],
        level: Level,
        facts: SubjectFacts,
        justification: str,
        external: Mapping[str, str],
        check_order: bool,
    ) -> tuple[Evaluation, dict[str, Any]]:
        """Every rule of a decision; returns the evaluation and what it used."""
        key = subject["key"]
        entry = self.entries.get(key)
        if entry is not None and entry["hold"] is not None:
            raise DomainError(
                "rating.held_for_verification", reason=entry["hold"]["reason"]
            )
        assessment = self._assessment(key)
        if subject.get("temporary_cell_id") and not facts.temporary_cell_comment:
            raise DomainError("rating.temporary_cell_comment_missing")
        used: dict[str, Any] = {}

        def level_of(other: str) -> str | None:
            own = self.level_of(other)
            return own.value if own is not None else external.get(other)

        if check_order:
            rules = cycle.rulebook.order_rules
            done = []
            for rule, other in rating_prerequisites(
                subject, cycle.subjects, cycle.index
            ):
                if rule not in rules:
                    continue
                if level_of(other) is None:
                    raise DomainError(
                        "rating.prerequisite_missing",
                        rule=rule,
                        rule_label=rule_label(rule),
                        subject=cycle.subjects[other]["name"],
                    )
                done.append(cycle.subjects[other]["name"])
            used["prerequisites"] = done
        evaluation = self._evaluate(
            cycle, subject, assessment, facts, entry["mitigations"] if entry else {}
        )
        self._check_level(evaluation, level)
        used["settled"] = settle_open_questions(
            evaluation, level, justification, cycle.rulebook.regulation
        )
        if cycle.head_rule:
            used["head_rule"] = self._check_head_rule(cycle, subject, level, level_of)
        used["quota"] = self._check_quota(key, level, cycle)
        flag = consecutive_khtnv(level, facts)
        if flag:
            used["consecutive_khtnv"] = flag
        return evaluation, used

    @staticmethod
    def _check_head_rule(
        cycle: ReviewCycle, subject: Mapping[str, Any], level: Level, level_of: Any
    ) -> bool:
        checked = False
        if subject["kind"] == "individual":
            for org, role in subject.get("posts", {}).items():
                collective = level_of(f"o:{org}") if role == "head" else None
                if collective is not None:
                    checked = True
                    if LEVEL_RANK[level] > LEVEL_RANK[Level(collective)]:
                        raise DomainError(
                            "rating.head_above_collective",
                            head=level.value,
                            collective=collective,
                            collective_name=cycle.subjects[f"o:{org}"]["name"],
                        )
            return checked
        for key in cycle.index.holders.get(subject["org_id"], ()):
            other = cycle.subjects[key]
            if other.get("posts", {}).get(subject["org_id"]) != "head":
                continue
            head = level_of(other["key"])
            if head is not None:
                checked = True
                if LEVEL_RANK[Level(head)] > LEVEL_RANK[level]:
                    raise DomainError(
                        "rating.head_above_collective",
                        head=head,
                        collective=level.value,
                        collective_name=subject["name"],
                    )
        return checked

    def decide(
        self,
        *,
        subject_key: str,
        level: str,
        decision_no: str,
        decided_on: date,
        justification: str,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        external: Mapping[str, str],
        decided_by: str,
    ) -> None:
        """Bước 3: the competent authority's decision, with every rule checked."""
        cycle.ensure_open()
        subject = self._subject(cycle, subject_key)
        if self.decision_of(subject_key) is not None:
            raise DomainError("rating.already_decided")
        entry = self.entries.get(subject_key)
        if entry is None or entry["self"] is None:
            raise DomainError("rating.self_rating_missing")
        if cycle.rulebook.proposal_required and entry["proposal"] is None:
            raise DomainError("rating.proposal_missing")
        chosen = parse_level(level)
        number = _text(decision_no, "rating.decision_no_required")
        evaluation, used = self._judge(
            cycle=cycle,
            subject=subject,
            level=chosen,
            facts=facts,
            justification=justification,
            external=external,
            check_order=True,
        )
        why = clean_text(justification)
        settled = used.pop("settled")
        self._decided(
            subject_key=subject_key,
            level=chosen.value,
            decision_no=number,
            decided_on=decided_on,
            rulebook_id=self.rulebook_id,
            rules=list(evaluation.rules)
            + [
                r
                for r in ("prerequisites", "head_rule", "quota", "consecutive_khtnv")
                if used.get(r)
            ],
            evaluation=evaluation.as_dict(),
            facts=facts.as_dict(),
            checks=used,
            justification=why,
            explanation=explain(
                cycle.rulebook,
                evaluation,
                chosen,
                extra={**used, "settled": settled, "justification": why},
            ),
            settled=settled,
            decided_by=decided_by,
        )

    class RatingDecided(Aggregate.Event):
        """v2: ``settled``, the open questions this decision settled and why
        (docs/rules.md); decisions stored before it settled none."""

        class_version = 2
        subject_key: str
        level: str
        decision_no: str
        decided_on: date
        rulebook_id: str
        rules: list[str]
        evaluation: dict[str, Any]
        facts: dict[str, Any]
        checks: dict[str, Any]
        justification: str
        explanation: str
        settled: list[dict[str, Any]]
        decided_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["settled"] = []

    @event(RatingDecided)
    def _decided(
        self,
        subject_key: str,
        level: str,
        decision_no: str,
        decided_on: date,
        rulebook_id: str,
        rules: list[str],
        evaluation: dict[str, Any],
        facts: dict[str, Any],
        checks: dict[str, Any],
        justification: str,
        explanation: str,
        settled: list[dict[str, Any]],
        decided_by: str,
    ) -> None:
        self._set_decision(
            self._entry(subject_key),
            subject_key,
            {
                "level": level,
                "decision_no": decision_no,
                "decided_on": decided_on,
                "explanation": explanation,
            },
        )

    def rerate(
        self,
        *,
        subject_key: str,
        level: str,
        decision_no: str,
        decided_on: date,
        reason: str,
        chair_responsibility: bool,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        external: Mapping[str, str],
        decided_by: str,
    ) -> None:
        """Huỷ bỏ and đánh giá, xếp loại lại (Mẫu 03; 366 Điều 15.3), optionally
        ordering a review of the chair's responsibility (seed 002)."""
        subject = self._subject(cycle, subject_key)
        previous = self.decision_of(subject_key)
        if previous is None:
            raise DomainError("rating.not_decided")
        why = _text(reason, "rating.reason_required")
        number = _text(decision_no, "rating.decision_no_required")
        chosen = parse_level(level)
        entry = self._entry(subject_key)  # private: the hold is lifted for a moment
        hold = entry["hold"]
        entry["hold"] = None  # the re-rating is the outcome of the verification
        try:
            evaluation, used = self._judge(
                cycle=cycle,
                subject=subject,
                level=chosen,
                facts=facts,
                justification=why,
                external=external,
                check_order=False,
            )
        finally:
            entry["hold"] = hold
        settled = used.pop("settled")
        self._cancelled(
            subject_key=subject_key,
            previous_level=previous["level"],
            previous_decision_no=previous["decision_no"],
            reason=why,
            cancelled_by=decided_by,
        )
        self._revised(
            subject_key=subject_key,
            previous_level=previous["level"],
            level=chosen.value,
            decision_no=number,
            decided_on=decided_on,
            rulebook_id=self.rulebook_id,
            rules=[
                *evaluation.rules,
                "re_rating",
                *(["consecutive_khtnv"] if used.get("consecutive_khtnv") else []),
            ],
            evaluation=evaluation.as_dict(),
            facts=facts.as_dict(),
            checks=used,
            reason=why,
            explanation=explain(
                cycle.rulebook,
                evaluation,
                chosen,
                extra={**used, "settled": settled, "justification": why},
            ),
            settled=settled,
            decided_by=decided_by,
        )
        if chair_responsibility:
            self._chair_review_ordered(
                subject_key=subject_key, reason=why, ordered_by=decided_by
            )

    @event("RatingCancelled")
    def _cancelled(
        self,
        subject_key: str,
        previous_level: str,
        previous_decision_no: str,
        reason: str,
        cancelled_by: str,
    ) -> None:
        self._set_decision(self._entry(subject_key), subject_key, None)

    class RatingRevised(Aggregate.Event):
        """v2: ``settled``, as in :class:`RatingDecided`."""

        class_version = 2
        subject_key: str
        previous_level: str
        level: str
        decision_no: str
        decided_on: date
        rulebook_id: str
        rules: list[str]
        evaluation: dict[str, Any]
        facts: dict[str, Any]
        checks: dict[str, Any]
        reason: str
        explanation: str
        settled: list[dict[str, Any]]
        decided_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["settled"] = []

    @event(RatingRevised)
    def _revised(
        self,
        subject_key: str,
        previous_level: str,
        level: str,
        decision_no: str,
        decided_on: date,
        rulebook_id: str,
        rules: list[str],
        evaluation: dict[str, Any],
        facts: dict[str, Any],
        checks: dict[str, Any],
        reason: str,
        explanation: str,
        settled: list[dict[str, Any]],
        decided_by: str,
    ) -> None:
        entry = self._entry(subject_key)
        self._set_decision(
            entry,
            subject_key,
            {
                "level": level,
                "decision_no": decision_no,
                "decided_on": decided_on,
                "explanation": explanation,
            },
        )
        entry["hold"] = None
        entry["revisions"] += 1

    @event("ChairResponsibilityReviewOrdered")
    def _chair_review_ordered(
        self, subject_key: str, reason: str, ordered_by: str
    ) -> None:
        self._entry(subject_key)["chair_review"] = reason

    # -- redone on the higher committee's order (§5.4) --------------------------------
    def order_redo(
        self,
        *,
        subject_key: str,
        order_id: UUID,
        reason: str,
        chair_responsibility: bool,
        cycle: ReviewCycle,
        ordered_by: str,
    ) -> None:
        """The rating is to be redone (``ReReviewOrder``): the earlier decision
        stays in the history, linked to the order, and the subject goes back to
        step 1 (self-rating, appraisal, decision). Optionally the chair's
        responsibility is to be reviewed (seed 002).

        The quota holds at every moment: withdrawing an HTTNV decision that
        would leave the group's HTXSNV above its cap is refused (order the
        HTXSNV ratings redone first; withdrawing one never breaks the quota)."""
        previous = self.decision_of(subject_key)
        if previous is None:
            raise DomainError("rereview.rating_not_decided", subject=subject_key)
        code = self.group_of(subject_key)
        if code is not None:
            counts = _counted(self.counts[code], previous["level"], None)
            gauge = self._gauge(code, counts, cycle)
            if gauge["excellent"] > gauge["cap"]:
                raise DomainError("rereview.quota_would_break", **gauge)
        self._redo_ordered(
            subject_key=subject_key,
            order_id=order_id,
            previous_level=previous["level"],
            previous_decision_no=previous["decision_no"],
            reason=reason,
            ordered_by=ordered_by,
        )
        if chair_responsibility:
            self._chair_review_ordered(
                subject_key=subject_key, reason=reason, ordered_by=ordered_by
            )

    @event("RatingRedoOrdered")
    def _redo_ordered(
        self,
        subject_key: str,
        order_id: UUID,
        previous_level: str,
        previous_decision_no: str,
        reason: str,
        ordered_by: str,
    ) -> None:
        entry = self._entry(subject_key)
        superseded = [
            *entry.get("superseded", []),
            {"order_id": order_id, "decision": entry["decision"]},
        ]
        self._set_decision(entry, subject_key, None)
        self.entries[subject_key] = {
            "self": None,
            "proposal": None,
            "hold": None,
            "mitigations": {},
            "decision": None,
            "revisions": entry["revisions"],
            "superseded": superseded,
        }


# Shared between a round and its copies: replaced, never changed in place.
SHARED_STATE = frozenset({"entries", "groups", "group_index", "counts"})


def _level_value(decision: Mapping[str, Any] | None) -> str | None:
    return str(decision["level"]) if decision else None


def _counted(
    counts: tuple[int, int], old: str | None, new: str | None
) -> tuple[int, int]:
    """(HTXSNV, HTTNV) of a group after one member's level went ``old`` → ``new``."""
    excellent, good = counts
    for level, by in ((old, -1), (new, 1)):
        if level == Level.EXCELLENT.value:
            excellent += by
        elif level == Level.GOOD.value:
            good += by
    return excellent, good
