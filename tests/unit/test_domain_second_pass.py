"""Issue 12 items 1–4 at the domain level (no I/O): the open HTNV case (366
Điều 11.3), the old unit's charge (366 Điều 11.4), the vote list from the
record (96-QĐ/TW Điều 3) and "Hoàn thành tốt nhiệm vụ trở lên" (domain.md §8)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.evaluation import (
    OPEN_HTNV_CONDITION,
    DisciplineFact,
    SubjectFacts,
    charged_here,
    collective_charges,
    evaluate,
)
from domain.ratings import settle_open_questions
from domain.rulebooks import Level, rulebook_for_year
from domain.statistics import display_percent, good_or_better
from domain.vote_lists import leader_appointment, recorded_appointment
from tests.unit.ratings_world import (
    ACTOR,
    BOARD,
    BTV,
    CELL,
    DISTRICT,
    GRASSROOTS,
    NO_FACTS,
    as_subject,
    cycle,
    member,
    mkey,
    open_round,
    scored,
)

BOOK_366 = rulebook_for_year(2025)
NON_LEADER = as_subject({"kind": "individual", "appendix": "PL4", "org_id": None})


# -- 1. the open HTNV case ----------------------------------------------------------
@pytest.mark.parametrize("score", ["50", "60", "69.99", "80"])
def test_htnv_condition_failed_leaves_an_open_question_and_refuses_htnv(score):
    """30% behind schedule: HTNV's condition (≤ 20%) fails in any band ≥ HTNV."""
    assessment = scored(score, Level.NOT_COMPLETED, total=10, late=3)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.ceiling is Level.NOT_COMPLETED
    assert result.open_questions == (OPEN_HTNV_CONDITION,)
    assert (Level.COMPLETED, "completed_late") in result.failed


def test_twenty_percent_behind_is_still_htnv_and_nothing_is_open():
    assessment = scored("60", Level.NOT_COMPLETED, total=10, late=2)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.ceiling is Level.COMPLETED
    assert result.open_questions == ()


def test_a_khtnv_trigger_settles_the_level_and_closes_the_question():
    discipline = DisciplineFact("kl-1", "reprimand", True, date(2025, 5, 1), None)
    assessment = scored("60", Level.NOT_COMPLETED, total=10, late=3)
    result = evaluate(
        BOOK_366,
        NON_LEADER,
        assessment,
        SubjectFacts(disciplines=(discipline,)),
        2025,
    )
    assert result.ceiling is Level.NOT_COMPLETED
    assert result.open_questions == ()


def test_below_the_htnv_band_is_khtnv_by_the_score_not_an_open_question():
    assessment = scored("49", Level.NOT_COMPLETED, total=10, late=3)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.open_questions == ()


def test_legacy_regimes_have_no_band_hence_no_open_question():
    from tests.unit.ratings_world import legacy

    assessment = legacy(Level.NOT_COMPLETED)
    book = rulebook_for_year(2021)
    subject = as_subject({"kind": "individual", "appendix": "PL4", "org_id": None})
    assert evaluate(book, subject, assessment, NO_FACTS, 2021).open_questions == ()


def test_every_step_refuses_htnv_and_the_decision_records_the_settlement():
    m = member("Chậm tiến độ")
    c = cycle(2025, [m])
    r = open_round(c, GRASSROOTS)
    key = mkey(m)
    late = scored("60", Level.COMPLETED, total=10, late=3)
    with pytest.raises(DomainError) as info:
        r.self_rate(
            subject_key=key, assessment=late, cycle=c, facts=NO_FACTS, rated_by=ACTOR
        )
    assert info.value.code == "rating.level_open_question"
    assert info.value.details["band"] == "HTNV"
    honest = scored("60", Level.NOT_COMPLETED, total=10, late=3)
    r.self_rate(
        subject_key=key, assessment=honest, cycle=c, facts=NO_FACTS, rated_by=ACTOR
    )
    recorded: Any = r.collect_events()
    assert recorded[-1].open_questions == [OPEN_HTNV_CONDITION]
    with pytest.raises(DomainError) as info:
        r.propose(
            subject_key=key,
            level="HTNV",
            note="",
            cycle=c,
            facts=NO_FACTS,
            proposed_by=ACTOR,
        )
    assert info.value.code == "rating.level_open_question"
    r.propose(
        subject_key=key,
        level="KHTNV",
        note="",
        cycle=c,
        facts=NO_FACTS,
        proposed_by=ACTOR,
    )
    decide: dict[str, Any] = {
        "subject_key": key,
        "decision_no": "1",
        "decided_on": date(2025, 12, 20),
        "cycle": c,
        "facts": NO_FACTS,
        "external": {},
        "decided_by": ACTOR,
    }
    with pytest.raises(DomainError) as info:
        r.decide(level="KHTNV", justification=" ", **decide)
    assert info.value.code == "rating.open_question_justification_required"
    r.decide(level="KHTNV", justification="Không có lý do khách quan", **decide)
    decided: Any = r.collect_events()[-1]
    assert decided.settled == [
        {
            "question": OPEN_HTNV_CONDITION,
            "level": "KHTNV",
            "justification": "Không có lý do khách quan",
            "regulation": "366-QĐ/TW",
        }
    ]
    assert "quy định chưa xác định mức" in decided.explanation


def test_nothing_open_settles_nothing():
    assessment = scored("80", Level.GOOD, total=10)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert settle_open_questions(result, Level.GOOD, "", "366-QĐ/TW") == []


def test_upcasters_give_old_events_the_new_fields():
    from domain.ratings import RatingRound

    for cls, name in (
        (RatingRound.SelfRated, "open_questions"),
        (RatingRound.RatingProposed, "open_questions"),
        (RatingRound.RatingDecided, "settled"),
        (RatingRound.RatingRevised, "settled"),
    ):
        assert cls.class_version >= 2
        state: dict[str, object] = {"subject_key": "m:x"}
        cls.upcast_v1_v2(state)
        assert state == {"subject_key": "m:x", name: []}


def test_upcasters_v3_give_old_events_the_succession_fields():
    """Issue 12 (across a change): a proposal names its appraising body and a
    revision the succession it relied on; older events had neither (None)."""
    from domain.ratings import RatingRound

    for cls, name in (
        (RatingRound.RatingProposed, "proposing_body"),
        (RatingRound.RatingRevised, "succession"),
    ):
        assert cls.class_version == 3
        state: dict[str, object] = {"subject_key": "m:x"}
        cls.upcast_v1_v2(state)
        cls.upcast_v2_v3(state)
        assert state["subject_key"] == "m:x"
        assert state[name] is None


# -- 2. the old unit ----------------------------------------------------------------
def at(org: UUID | None, ident: str = "kl-1") -> DisciplineFact:
    return DisciplineFact(ident, "reprimand", True, date(2025, 10, 1), org)


def test_conduct_counts_where_it_occurred():
    old, new = BOARD.org_id, BTV.org_id
    assert charged_here(at(old), old)
    assert not charged_here(at(old), new)
    assert charged_here(at(None), new)


def test_a_former_post_holder_charges_only_the_unit_of_the_conduct():
    old, new = BOARD.org_id, BTV.org_id
    records = (at(old, "a"), at(new, "b"), at(None, "c"))
    assert [
        r.discipline_id for r in collective_charges(old, records, holds_post=False)
    ] == ["a"]
    assert [
        r.discipline_id for r in collective_charges(new, records, holds_post=True)
    ] == ["b", "c"]


def _collective(org):
    return as_subject(
        {"kind": "collective", "appendix": "PL1", "org_id": str(org.org_id)}
    )


def test_the_old_collective_is_khtnv_and_the_new_one_may_be_excellent():
    facts = SubjectFacts(member_disciplines=(at(BOARD.org_id),))
    excellent = scored("95", Level.NOT_COMPLETED, total=10, exceeded=4, collective=True)
    old = evaluate(BOOK_366, _collective(BOARD), excellent, facts, 2025)
    assert old.ceiling is Level.NOT_COMPLETED
    assert [t.code for t in old.triggers] == ["member_discipline"]
    new = evaluate(BOOK_366, _collective(BTV), excellent, facts, 2025)
    assert new.ceiling is Level.EXCELLENT
    assert new.failed == ()


def test_conduct_at_the_new_unit_still_blocks_its_excellence():
    facts = SubjectFacts(member_disciplines=(at(None),))
    excellent = scored("95", Level.NOT_COMPLETED, total=10, exceeded=4, collective=True)
    new = evaluate(BOOK_366, _collective(BTV), excellent, facts, 2025)
    assert new.ceiling is Level.NOT_COMPLETED  # the trigger: conduct at this unit
    light = DisciplineFact("kl-2", "reprimand", False, date(2025, 3, 1), None)
    not_duty = SubjectFacts(member_disciplines=(light,))
    new = evaluate(BOOK_366, _collective(BTV), excellent, not_duty, 2025)
    assert (Level.EXCELLENT, "excellent_no_discipline") in new.failed


# -- 3. the vote list from the record -----------------------------------------------
POSTS = {
    str(BOARD.org_id): {"role": "head", "since": date(2021, 3, 1)},
    str(CELL.org_id): {"role": "member", "since": date(2026, 3, 15)},
}


def test_the_record_prefers_posts_in_the_voting_organisation():
    in_district = {str(BOARD.org_id), str(DISTRICT.org_id)}
    assert recorded_appointment(
        POSTS, in_district.__contains__, date(2026, 12, 10)
    ) == date(2021, 3, 1)
    assert recorded_appointment(POSTS, lambda _o: True, date(2026, 12, 10)) == date(
        2026, 3, 15
    )
    assert recorded_appointment(POSTS, lambda _o: False, date(2026, 1, 1)) == date(
        2021, 3, 1
    )  # the post taken after the conference is not yet held
    assert recorded_appointment({}, lambda _o: True, date(2026, 12, 10)) is None


def check(typed: date, recorded: date | None):
    return leader_appointment(
        index=0, name="A", typed=typed, recorded=recorded, vote_year=2026
    )


def test_a_post_recorded_in_the_vote_year_is_refused_whatever_was_typed():
    with pytest.raises(DomainError) as info:
        check(date(2021, 3, 1), date(2026, 3, 15))
    assert info.value.code == "vote.leader_appointed_this_year"
    assert info.value.details["source"] == "record"


def test_a_typed_date_that_disagrees_with_the_record_is_refused():
    with pytest.raises(DomainError) as info:
        check(date(2020, 1, 1), date(2021, 3, 1))
    assert info.value.code == "vote.leader_appointment_mismatch"
    assert info.value.details["recorded"] == "01/03/2021"
    assert check(date(2021, 3, 1), date(2021, 3, 1)).source == "record"
    assert check(date(2020, 1, 1), None).source == "typed"


# -- 4. "Hoàn thành tốt nhiệm vụ trở lên" -------------------------------------------
def test_good_or_better_is_exact_and_rounded_only_for_display():
    share = good_or_better({"HTXSNV": 1, "HTTNV": 5, "HTNV": 1, "pending": 9})
    assert (share.n, share.rated) == (6, 7)
    assert share.fraction == Fraction(6, 7)
    assert share.percent_exact == Fraction(600, 7)
    assert share.percent == "85,71%"  # not 14,29% + 71,43% = 85,72%
    assert share.as_dict()["percent_exact"] == "600/7"
    assert good_or_better({"exempt:x": 3}).as_dict() == {
        "n": 0,
        "fraction": None,
        "percent_exact": None,
        "percent": None,
    }


def test_seed_001_figures_print_with_a_comma_decimal():
    assert display_percent(859, 1000) == "85,90%"
    assert display_percent(8938, 10000) == "89,38%"
    assert display_percent(1, 3) == "33,33%"
    assert display_percent(2, 3) == "66,67%"
    with pytest.raises(ValueError, match="positive whole"):
        display_percent(1, 0)


@given(
    st.integers(0, 400), st.integers(0, 400), st.integers(0, 400), st.integers(0, 400)
)
def test_good_or_better_is_the_exact_sum_of_the_two_levels(xs, t, htnv, k):
    counts = {"HTXSNV": xs, "HTTNV": t, "HTNV": htnv, "KHTNV": k}
    share = good_or_better(counts)
    rated = xs + t + htnv + k
    assert share.rated == rated
    if rated:
        assert share.fraction == Fraction(xs, rated) + Fraction(t, rated)
        assert share.percent is not None
        assert share.percent_exact is not None
        whole, cents = share.percent.rstrip("%").split(",")
        shown = Fraction(int(whole) * 100 + int(cents), 100)
        assert abs(shown - share.percent_exact) <= Fraction(1, 200)
