"""The combined-conference option (43-HD mục 2.4; domain.md §3.1 case 2.4) set on
an open cycle: only when the collective's members are the committee's members,
only before their reviews are opened; the venues follow."""

from __future__ import annotations

from domain.rulebooks import rulebook_for_year
from domain.subjects import derive_subjects
from tests.unit.ratings_world import (
    ACTOR,
    BOARD,
    BTV,
    CELL,
    DISTRICT,
    OFFICE_CELL,
    TREE,
    cycle,
    member,
    mkey,
)
from tests.unit.refusals import refused

SECRETARY = member(
    "Bí thư",
    cell=OFFICE_CELL,
    posts={str(BTV.org_id): "head", str(DISTRICT.org_id): "head"},
)
DEPUTY = member(
    "Phó Bí thư",
    cell=OFFICE_CELL,
    posts={str(BTV.org_id): "deputy", str(DISTRICT.org_id): "deputy"},
)
OUTSIDER = member(
    "Ủy viên Ban Tổ chức", cell=OFFICE_CELL, posts={str(BOARD.org_id): "member"}
)
PEOPLE = [SECRETARY, DEPUTY, OUTSIDER]


def derived(combined):
    book = rulebook_for_year(2025)
    return derive_subjects(
        book,
        DISTRICT.org_id,
        TREE,
        PEOPLE,
        cycle(2025, PEOPLE).reference_date,
        combined=combined,
    )


def test_the_collective_and_its_members_move_to_the_committee_conference():
    c = cycle(2025, PEOPLE)
    btv, district = str(BTV.org_id), str(DISTRICT.org_id)
    venues = c.subject(mkey(SECRETARY)).venues
    assert venues[0] == str(OFFICE_CELL.org_id)
    assert set(venues) == {str(OFFICE_CELL.org_id), btv, district}
    c.set_combined(
        collective_id=btv,
        committee_id=district,
        subjects=derived({btv: district}),
        reviews_opened=set(),
        set_by=ACTOR,
    )
    assert c.options["combined"] == {btv: district}
    assert c.subject(f"o:{btv}").venues == (district,)
    assert c.subject(mkey(SECRETARY)).venues == (str(OFFICE_CELL.org_id), district)
    (event,) = [
        e for e in c.collect_events() if type(e).__name__ == "CombinedConferenceSet"
    ]
    assert getattr(event, "committee_id") == district  # noqa: B009 - an event attribute
    # and back to its own level
    c.set_combined(
        collective_id=btv,
        committee_id=None,
        subjects=derived({}),
        reviews_opened=set(),
        set_by=ACTOR,
    )
    assert c.options["combined"] == {}
    assert c.subject(f"o:{btv}").venues == (btv,)


def test_refusals():
    c = cycle(2025, PEOPLE)
    btv, board, district = str(BTV.org_id), str(BOARD.org_id), str(DISTRICT.org_id)
    args = {"subjects": derived({}), "reviews_opened": set(), "set_by": ACTOR}
    with refused("cycle.combined_not_same_people"):
        c.set_combined(collective_id=board, committee_id=district, **args)
    with refused("cycle.combined_invalid"):
        c.set_combined(collective_id=district, committee_id=district, **args)
    with refused("cycle.combined_invalid"):
        c.set_combined(collective_id=btv, committee_id=str(CELL.org_id), **args)
    with refused("cycle.combined_unchanged"):
        c.set_combined(collective_id=btv, committee_id=None, **args)
    with refused("cycle.combined_reviews_opened"):
        c.set_combined(
            collective_id=btv,
            committee_id=district,
            subjects=derived({btv: district}),
            reviews_opened={mkey(SECRETARY)},
            set_by=ACTOR,
        )
    c.close(closed_by=ACTOR)
    with refused("cycle.closed"):
        c.set_combined(collective_id=btv, committee_id=district, **args)
