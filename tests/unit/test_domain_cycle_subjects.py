"""A cycle's subjects in small events (issue 14 §3): opening records them in
``SubjectsAdded`` chunks, a refresh only what changed, and replaying the
events, or an earlier release's whole-list events, gives the same subjects."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import UUID

from domain import cycle_subjects as cs
from domain.cycles import ReviewCycle
from domain.rulebooks import rulebook_for_year
from domain.subjects import MemberNode, OrgNode, derive_subjects
from ledger import canonical
from tests.unit.ratings_world import ACTOR, oid
from tests.unit.refusals import refused

YEAR = 2025
PROVINCE = OrgNode(oid("big/p"), "Tỉnh ủy", "provincial_committee", None)


def province(communes: int, cells: int, per_cell: int) -> tuple[dict, list]:
    """A province of ``communes`` × ``cells`` chi bộ of ``per_cell`` members."""
    tree = {PROVINCE.org_id: PROVINCE}
    members = []
    for c in range(communes):
        commune = OrgNode(
            oid(f"big/x{c}"),
            f"Đảng ủy xã {c:03d}",
            "grassroots_committee",
            PROVINCE.org_id,
        )
        tree[commune.org_id] = commune
        for k in range(cells):
            cell = OrgNode(
                oid(f"big/x{c}/c{k}"), f"Chi bộ {c:03d}-{k:02d}", "cell", commune.org_id
            )
            tree[cell.org_id] = cell
            members += [
                MemberNode(
                    oid(f"big/x{c}/c{k}/m{i}"),
                    f"Đảng viên {c:03d}-{k:02d}-{i:02d}",
                    cell.org_id,
                    date(2010, 1, 1),
                )
                for i in range(per_cell)
            ]
    return tree, members


def rows_of(tree: dict, members: list) -> list[dict[str, Any]]:
    return derive_subjects(
        rulebook_for_year(YEAR), PROVINCE.org_id, tree, members, date(YEAR, 12, 1)
    )


def opened(rows: list[dict[str, Any]]) -> ReviewCycle:
    return ReviewCycle.open(
        cycle_id=oid("big/cycle"),
        org_id=PROVINCE.org_id,
        org_name=PROVINCE.name,
        year=YEAR,
        period="annual",
        period_no=None,
        reference_date=date(YEAR, 12, 1),
        deadlines=[],
        options={},
        subjects=rows,
        opened_by=ACTOR,
    )


def pending(cycle: ReviewCycle) -> list[Any]:
    """The cycle's new events (typed loosely: each class has its own fields)."""
    return list(cycle.collect_events())


def replayed(events: list[Any]) -> ReviewCycle:
    aggregate = None
    for e in events:
        aggregate = e.mutate(aggregate)
    assert isinstance(aggregate, ReviewCycle)
    return aggregate


def event_bytes(e: Any) -> int:
    return len(canonical.encode(e.__dict__))


def test_opening_records_the_subjects_in_chunks_under_the_size_limits():
    tree, members = province(communes=6, cells=8, per_cell=25)  # 1,200 members
    rows = rows_of(tree, members)
    cycle = opened(rows)
    events = pending(cycle)
    first, rest = events[0], events[1:]
    assert type(first).__name__ == "Opened"
    assert first.subjects == []
    assert {type(e).__name__ for e in rest} == {"SubjectsAdded"}
    assert 3 <= len(rest) <= 6  # ~1,260 rows in events of at most 500
    assert all(len(e.subjects) <= cs.MAX_SUBJECTS_PER_EVENT for e in rest)
    assert max(event_bytes(e) for e in events) < 1024 * 1024
    assert sorted(r["key"] for e in rest for r in e.subjects) == sorted(
        r["key"] for r in rows
    )
    assert dict(cycle.subject_rows) == {r["key"]: r for r in rows}
    assert replayed(events).subjects == cycle.subjects


def test_a_chi_bo_and_its_members_share_an_event():
    tree, members = province(communes=3, cells=7, per_cell=30)
    cycle = opened(rows_of(tree, members))
    where: dict[str, int] = {}
    for n, e in enumerate(pending(cycle)[1:]):
        for row in e.subjects:
            where[row["key"]] = n
    for subject in cycle.subjects.values():
        if subject.is_individual:
            assert where[subject.key] == where[f"o:{subject.cell_id}"]


def test_a_rows_size_is_bounded_above_without_encoding_it():
    tree, members = province(communes=1, cells=1, per_cell=3)
    posts = {str(o): "secretary" for o in list(tree)[:2]}
    for row in [
        *rows_of(tree, members),
        {**rows_of(tree, members)[-1], "name": "Nguyễn Thị Đẹp " * 30, "posts": posts},
    ]:
        encoded = len(canonical.encode(row))
        assert encoded <= cs.row_bytes(row) <= 2 * encoded + 800


def test_a_group_too_big_for_one_event_is_split_and_rows_are_capped_by_bytes():
    tree, members = province(communes=1, cells=1, per_cell=1_100)
    chunks = cs.in_chunks(rows_of(tree, members))
    # the province and the commune, then the chi bộ and its 1,100 members
    assert [len(c) for c in chunks] == [2, 500, 500, 101]
    wide = [
        {"key": f"m:{UUID(int=i)}", "name": "Đ" * 20_000, "path": ["x"]}
        for i in range(100)
    ]
    chunks = cs.in_chunks(wide)
    assert len(chunks) > 1
    assert all(sum(cs.row_bytes(r) for r in c) <= cs.MAX_EVENT_BYTES for c in chunks)
    assert [r["key"] for c in chunks for r in c] == [r["key"] for r in wide]


def test_a_refresh_records_only_what_changed():
    tree, members = province(communes=2, cells=3, per_cell=10)
    cycle = opened(rows_of(tree, members))
    before = pending(cycle)
    gone, moved, *_ = members
    other_cell = next(
        o for o in tree.values() if o.kind == "cell" and o.org_id != moved.cell_id
    )
    arrived = MemberNode(oid("big/new"), "Người mới", moved.cell_id, date(2010, 1, 1))
    later = [
        MemberNode(moved.member_id, moved.name, other_cell.org_id, date(2010, 1, 1)),
        *[m for m in members if m not in (gone, moved)],
        arrived,
    ]
    cycle.refresh_subjects(
        subjects=rows_of(tree, later), decided=set(), refreshed_by=ACTOR
    )
    changes = pending(cycle)
    assert {type(e).__name__ for e in changes} == {"SubjectsChanged"}
    changed = {r["key"] for e in changes for r in e.changed}
    removed = {k for e in changes for k in e.removed}
    assert changed == {f"m:{moved.member_id}", f"m:{arrived.member_id}"}
    assert removed == {f"m:{gone.member_id}"}
    assert cycle.subjects[f"m:{moved.member_id}"].cell_id == str(other_cell.org_id)
    assert f"m:{gone.member_id}" not in cycle.subjects
    assert replayed(before + changes).subjects == cycle.subjects


def test_a_decided_subject_keeps_its_row_and_nothing_new_is_refused():
    tree, members = province(communes=1, cells=2, per_cell=5)
    rows = rows_of(tree, members)
    cycle = opened(rows)
    pending(cycle)
    decided = f"m:{members[0].member_id}"  # gone from the tree, but decided
    with refused("cycle.subjects_unchanged"):
        cycle.refresh_subjects(
            subjects=rows_of(tree, members[1:]), decided={decided}, refreshed_by=ACTOR
        )
    with refused("cycle.subjects_unchanged"):
        cycle.refresh_subjects(subjects=rows, decided=set(), refreshed_by=ACTOR)
    assert pending(cycle) == []


def test_a_copy_of_the_cached_cycle_changes_without_changing_the_cache():
    tree, members = province(communes=1, cells=2, per_cell=5)
    cycle = opened(rows_of(tree, members))
    pending(cycle)
    cached = cycle.subjects
    copied = copy.deepcopy(cycle)
    assert copied.subjects is cached  # shared, not copied
    copied.refresh_subjects(
        subjects=rows_of(tree, members[1:]), decided=set(), refreshed_by=ACTOR
    )
    assert len(copied.subjects) == len(cached) - 1
    assert cycle.subjects is cached
    assert len(cycle.subjects) == len(cached)


def test_an_earlier_releases_whole_list_events_still_replace_the_subjects():
    """A first-release cycle: ``Opened`` with every subject, then a whole-list
    ``SubjectsRefreshed``; this release's refresh of it records a change."""
    tree, members = province(communes=1, cells=2, per_cell=5)
    rows = rows_of(tree, members)
    fewer = rows_of(tree, members[2:])
    cycle = ReviewCycle._create(
        ReviewCycle.Opened,  # type: ignore[attr-defined]
        id=oid("old/cycle"),
        org_id=PROVINCE.org_id,
        org_name=PROVINCE.name,
        year=YEAR,
        period="annual",
        period_no=None,
        rulebook_id=rulebook_for_year(YEAR).id,
        reference_date=date(YEAR, 12, 1),
        deadlines=[],
        options={},
        subjects=rows,
        opened_by=ACTOR,
    )
    assert set(cycle.subjects) == {r["key"] for r in rows}
    cycle._subjects_refreshed(subjects=fewer, refreshed_by=ACTOR)
    assert set(cycle.subjects) == {r["key"] for r in fewer}
    old = pending(cycle)
    cycle.refresh_subjects(subjects=rows, decided=set(), refreshed_by=ACTOR)
    new = pending(cycle)
    assert [sorted(r["key"] for r in e.changed) for e in new] == [
        sorted(r["key"] for r in rows if r not in fewer)
    ]
    assert replayed(old + new).subject_rows == {r["key"]: r for r in rows}


def test_the_log_is_built_once_and_then_only_from_the_new_entries():
    rows = [
        {
            "key": f"m:{UUID(int=i)}",
            "kind": "individual",
            "name": "A",
            "klass": "k",
            "appendix": "PL4",
        }
        for i in range(4)
    ]
    log: cs.SubjectLog = ((cs.SET, []), (cs.PUT, rows[:2]))
    built = cs.materialise(log, None)
    assert cs.materialise(log, built) is built
    longer = (*log, (cs.PUT, rows[2:]), (cs.DROP, [rows[0]["key"]]))
    grown = cs.materialise(longer, built)
    assert list(grown.subjects) == [r["key"] for r in rows[1:]]
    assert list(built.subjects) == [r["key"] for r in rows[:2]]  # never changed


def test_the_audits_state_of_a_cycle_still_names_its_subjects():
    from services.audit_values import state_of

    tree, members = province(communes=1, cells=1, per_cell=2)
    cycle = opened(rows_of(tree, members))
    state = state_of(cycle).state
    key = f"m:{members[0].member_id}"
    assert state[f"subjects.{key}.name"] == members[0].name
    assert not any(name.startswith("_") for name in state)
