"""The rules of one rating step that read no round state: the level the
evaluation allows, the open questions a decision settles, the previous cycle's
decision and the consecutive-KHTNV flag (domain.md §4, §5.6), and the texts a
step records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from domain.errors import DomainError
from domain.evaluation import OPEN_HTNV_CONDITION, Evaluation, SubjectFacts
from domain.explain import level_name, rule_label
from domain.rulebooks import LEVEL_RANK, Level
from domain.text import clean_paragraphs, clean_text

GROUP_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
HOLD_REASONS = frozenset({"complaint", "denunciation", "disunity", "violation"})
MAX_TEXT = 4000


def required_text(value: str, code: str, *, multiline: bool = False) -> str:
    """A cleaned text a step must have (``code`` when empty), at most
    ``MAX_TEXT`` characters: one line (a name, a decision number), or in
    paragraphs (``multiline``: a note, a justification, a reason)."""
    text = clean_paragraphs(value) if multiline else clean_text(value)
    if not text:
        raise DomainError(code)
    if len(text) > MAX_TEXT:
        raise DomainError("rating.text_too_long", limit=MAX_TEXT)
    return text


def check_level(evaluation: Evaluation, level: Level) -> None:
    """Refuse a level the rules do not allow: above the ceiling, or HTNV while
    its condition failed and the texts name no level (an open question)."""
    if level is Level.COMPLETED and OPEN_HTNV_CONDITION in evaluation.open_questions:
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


def settle_open_questions(
    evaluation: Evaluation, level: Level, justification: str, regulation: str
) -> list[dict[str, Any]]:
    """The authority's decision settles each open question of the evaluation
    (docs/rules.md): it must say why in writing; the record names the question,
    the level decided, the justification and the regulation it was read under."""
    if not evaluation.open_questions:
        return []
    why = clean_paragraphs(justification)
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


def previous_periods(
    period: str, year: int, period_no: int | None
) -> list[tuple[int, int | None]] | None:
    """(year, period number) of the cycle before one of the same period type:
    last year for an annual cycle, the quarter before for a quarterly one;
    ``None`` for a term (then the latest earlier term counts)."""
    if period == "annual":
        return [(year - 1, None)]
    if period == "quarterly":
        no = period_no or 1
        return [(year, no - 1) if no > 1 else (year - 1, 4)]
    return None


def previous_decision(
    *,
    period: str,
    year: int,
    period_no: int | None,
    decided: Iterable[Mapping[str, Any]],
) -> dict[str, Any] | None:
    """The subject's decision in the previous cycle of the same period type
    (quyết định kỳ trước, domain.md §5.6), from its decided levels in other
    cycles of that type (``cycle_id``, ``year``, ``period_no``, ``level``; latest
    first). Of several cycles of that period a KHTNV one is chosen, so the
    consecutive-KHTNV flag is never missed."""
    rows = list(decided)
    wanted = previous_periods(period, year, period_no)
    if wanted is not None:
        rows = [
            r
            for r in rows
            if (int(r["year"]), r["period_no"] and int(r["period_no"])) in wanted
        ]
    else:  # a term: the latest earlier one
        rows = [r for r in rows if int(r["year"]) < year][:1]
    if not rows:
        return None
    chosen = next((r for r in rows if r["level"] == Level.NOT_COMPLETED.value), rows[0])
    return {
        "cycle_id": str(chosen["cycle_id"]),
        "year": int(chosen["year"]),
        "period": period,
        "period_no": int(chosen["period_no"]) if chosen["period_no"] else None,
        "level": str(chosen["level"]),
    }


def previous_through_predecessors(
    own: Mapping[str, Any] | None,
    predecessors: Iterable[tuple[str, Mapping[str, Any] | None]],
) -> dict[str, Any] | None:
    """The previous decision of a collective that carries on from others
    (merged or split; docs/rules.md): its own and its predecessors' (``(subject
    key, previous decision)`` each). It answers for what they all were, so a
    KHTNV one is chosen when there is one (as of several cycles of one period:
    the consecutive-KHTNV flag is never missed), else its own, else the first
    predecessor's; one taken from a predecessor names it (``predecessor``)."""
    found: list[tuple[str | None, dict[str, Any]]] = []
    if own is not None:
        found.append((None, dict(own)))
    found += [(key, dict(p)) for key, p in predecessors if p is not None]
    if not found:
        return None
    key, chosen = next(
        ((k, p) for k, p in found if p["level"] == Level.NOT_COMPLETED.value),
        found[0],
    )
    return chosen if key is None else {**chosen, "predecessor": key}


def consecutive_khtnv(level: Level, facts: SubjectFacts) -> dict[str, Any] | None:
    """KHTNV again after KHTNV in the previous cycle of the same period type: a
    flag for human consideration, never a consequence (domain.md §5.6)."""
    previous = facts.previous
    if level is not Level.NOT_COMPLETED or not previous:
        return None
    if previous.get("level") != Level.NOT_COMPLETED.value:
        return None
    return dict(previous)
