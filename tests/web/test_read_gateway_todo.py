"""The to-do reads (services/read_gateway_todo.py) in two districts: each role
sees the steps waiting in its own branch, never the other district's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import DomainError
from services import commands as c
from services import rating_commands as rc
from services.read_gateway import ReadGateway
from services.read_gateway_todo import TodoReads
from tests.conftest import ACCOUNTS

PASSWORD = "mat-khau-thu-nghiem"
WEST_MEMBER = "Lê Thị Tây"
EAST_MEMBER = ACCOUNTS["member"][1]


@pytest.fixture
def two(kiemdiem, world) -> dict[str, Any]:
    """A second district with a chi bộ and a member; a 2025 cycle over the
    province; the western member reviewed, self-rated and proposed."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])

    def run(signer: Any, command: Any) -> Any:
        return kiemdiem.handle(command, signer)

    west = run(
        admin.signer,
        c.FoundOrganisation(
            admin.actor,
            "huyen-uy-tay",
            "Huyện ủy Tây",
            "district_committee",
            world.orgs["province"],
        ),
    )
    cell = run(
        admin.signer,
        c.FoundOrganisation(admin.actor, "chi-bo-tay", "Chi bộ Tây", "cell", west),
    )
    member = run(
        admin.signer,
        c.EnrolMember(
            admin.actor,
            WEST_MEMBER,
            "DV00000777",
            date(1985, 1, 2),
            date(2010, 3, 4),
            "full",
            cell,
        ),
    )
    accounts = {}
    for username, role, org in (
        ("thuky-tinh", "secretary", world.orgs["province"]),
        ("thuky-tay", "secretary", west),
        ("captuy-tay", "decision_maker", west),
    ):
        run(
            admin.signer,
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORD, org_id=org
            ),
        )
        accounts[username] = kiemdiem.authenticate(username, PASSWORD)
    province_sec = accounts["thuky-tinh"]
    cycle = run(
        province_sec.signer,
        rc.OpenCycle(
            province_sec.actor,
            world.orgs["province"],
            2025,
            deadlines=(("member", "rating", date(2025, 12, 20)),),
            reference_date=date(2025, 12, 1),
        ),
    )
    sec, dm = accounts["thuky-tay"], accounts["captuy-tay"]
    key = f"m:{member}"
    round_id = run(dm.signer, rc.OpenRound(dm.actor, cycle, cell))
    cell_review = run(sec.signer, rc.OpenReview(sec.actor, cycle, f"o:{cell}", cell))
    run(
        sec.signer,
        rc.CirculateReport(sec.actor, cell_review, "Báo cáo", date(2025, 12, 1)),
    )
    run(
        sec.signer,
        rc.HoldMeeting(sec.actor, cell_review, date(2025, 12, 5), 5, "Biên bản", "Ừ"),
    )
    review = run(sec.signer, rc.OpenReview(sec.actor, cycle, key, cell))
    run(
        sec.signer,
        rc.SubmitSelfReview(
            sec.actor,
            review,
            "2B",
            {"strengths": "Tốt.", "shortcomings": "Chậm.", "measures": "Sửa."},
        ),
    )
    run(
        sec.signer,
        rc.HoldMeeting(sec.actor, review, date(2025, 12, 5), 5, "Biên bản", "Ừ"),
    )
    points = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
    run(
        sec.signer,
        rc.SelfRate(sec.actor, round_id, key, "HTTNV", 10, 10, points=points),
    )
    run(sec.signer, rc.ProposeRating(sec.actor, round_id, key, "HTTNV"))
    ids = {
        "thuky": world.accounts["secretary"],
        "captuy": world.accounts["decision_maker"],
        "dangvien": world.accounts["member"],
        "ubkt": world.accounts["inspector"],
        **{name: s.account_id for name, s in accounts.items()},
    }
    return {"cycle": cycle, "key": key, "round": round_id, "ids": ids}


def lists(kiemdiem, two, username: str) -> TodoReads:
    return TodoReads(ReadGateway.for_account(kiemdiem, two["ids"][username]))


def names(groups, code: str) -> set[str]:
    return {i.name for g in groups if g.code == code for i in g.items}


@pytest.mark.parametrize("small_branch", [2000, 0], ids=["by-key", "by-status"])
def test_a_secretary_sees_the_steps_of_their_own_district_only(
    kiemdiem, two, monkeypatch, small_branch
):
    """A district in a province's cycle: read by its subjects' keys, or (a
    branch too large for that) by status with the ancestor path as filter."""
    monkeypatch.setattr("services.read_gateway_todo.SMALL_BRANCH", small_branch)
    east = lists(kiemdiem, two, "thuky").groups()
    assert EAST_MEMBER in names(east, "status.pending")
    everything = {i.name for g in east for i in g.items}
    assert WEST_MEMBER not in everything
    (pending,) = [g for g in east if g.code == "status.pending"]
    east_item = next(i for i in pending.items if i.name == EAST_MEMBER)
    assert (east_item.step, east_item.role) == ("open_review", "secretary")
    west = lists(kiemdiem, two, "thuky-tay").groups()
    assert EAST_MEMBER not in {i.name for g in west for i in g.items}
    assert "Huyện ủy Đông Hà" not in {i.name for g in west for i in g.items}


def test_the_decision_maker_sees_the_proposal_of_their_district(kiemdiem, two):
    west = lists(kiemdiem, two, "captuy-tay").groups()
    (proposed,) = [g for g in west if g.code == "status.proposed"]
    (item,) = proposed.items
    assert (item.name, item.step, item.role) == (
        WEST_MEMBER,
        "decision",
        "decision_maker",
    )
    assert item.round_id == str(two["round"])
    assert item.deadline == "2025-12-20"
    east = lists(kiemdiem, two, "captuy").groups()
    assert not [g for g in east if g.code == "status.proposed"]


def test_the_province_secretary_counts_both_districts(kiemdiem, two):
    groups = lists(kiemdiem, two, "thuky-tinh").groups()
    (pending,) = [g for g in groups if g.code == "status.pending"]
    # the tỉnh ủy, two huyện ủy, three chi bộ, a collective, the eastern member
    assert pending.count >= 7
    assert len(pending.items) <= 5


def test_the_member_sees_their_own_next_step_only(kiemdiem, two):
    groups = lists(kiemdiem, two, "dangvien").groups()
    assert names(groups, "own") == {EAST_MEMBER}
    assert WEST_MEMBER not in {i.name for g in groups for i in g.items}


def test_who_acts_next_on_a_subject_is_read_within_scope(kiemdiem, two):
    item = lists(kiemdiem, two, "thuky-tay").subject_step(two["cycle"], two["key"])
    assert item is not None
    assert item.step == "decision"
    with pytest.raises(DomainError) as refused:
        lists(kiemdiem, two, "thuky").subject_step(two["cycle"], two["key"])
    assert refused.value.code == "auth.out_of_scope"


def _cosign(kiemdiem, session, size: int) -> str:
    import time

    from ledger import note
    from ledger.trustroot import log_verifiers

    stored = kiemdiem.integrator.checkpoint(size)
    name = kiemdiem.audit.cosigner_name(session.actor)
    body = note.open_note(stored.note, list(log_verifiers(kiemdiem.trust_root))).text
    return note.cosign(body, name, session.signer.private_key, int(time.time()))


def test_the_inspector_sees_files_changed_since_their_last_cosignature(
    kiemdiem, world, two
):
    from services import audit_commands as ac

    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    province = world.orgs["province"]
    account = kiemdiem.handle(
        c.OpenAccount(
            admin.actor,
            "ubkt-tinh",
            "ubkt-tinh",
            ("inspector",),
            PASSWORD,
            org_id=province,
        ),
        admin.signer,
    )
    inspector = kiemdiem.authenticate("ubkt-tinh", PASSWORD)
    two["ids"]["ubkt-tinh"] = account

    def changed(username: str) -> Any:
        groups = lists(kiemdiem, two, username).groups()
        return next((g for g in groups if g.code == "changed"), None)

    before = changed("ubkt-tinh")
    assert before.extra["cosigned_size"] is None
    assert WEST_MEMBER in {i.name for i in before.items}
    east = changed("ubkt")
    assert east is None or WEST_MEMBER not in {i.name for i in east.items}

    stored = kiemdiem.issue_checkpoint()
    line = _cosign(kiemdiem, inspector, stored.size)
    kiemdiem.handle(
        ac.CosignCheckpoint(inspector.actor, stored.size, line), inspector.signer
    )
    assert changed("ubkt-tinh") is None  # everything is covered, nothing to cosign

    dm = kiemdiem.authenticate("captuy-tay", PASSWORD)
    kiemdiem.handle(
        rc.HoldRating(dm.actor, two["round"], two["key"], "complaint", "Có đơn."),
        dm.signer,
    )
    after = changed("ubkt-tinh")
    assert [i.name for i in after.items] == [WEST_MEMBER]
    assert after.extra["cosigned_size"] == stored.size


def test_a_dashboard_hit_reads_as_much_for_many_subjects_as_for_few(
    kiemdiem, world, two, monkeypatch
):
    """The queries of a to-do list do not grow with the subjects of a cycle:
    the first items and a capped count, never one read per subject."""
    queries: list[str] = []
    real = kiemdiem.projections.query

    def counting(name: str, statement: str, params: Any = ()) -> Any:
        queries.append(statement)
        return real(name, statement, params)

    def hit() -> int:
        queries.clear()
        gate = ReadGateway.for_account(kiemdiem, two["ids"]["thuky-tinh"])
        with monkeypatch.context() as m:
            m.setattr(kiemdiem.projections, "query", counting)
            TodoReads(gate).groups()
        return len(queries)

    few = hit()
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    for n in range(12):
        kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                f"Đảng Viên Thêm {n}",
                f"DV0009{n:04d}",
                date(1980, 1, 1),
                date(2005, 1, 1),
                "full",
                world.orgs["cell_b"],
            ),
            admin.signer,
        )
    sec = kiemdiem.authenticate("thuky-tinh", PASSWORD)
    kiemdiem.handle(rc.RefreshSubjects(sec.actor, two["cycle"]), sec.signer)
    (pending,) = [
        g
        for g in lists(kiemdiem, two, "thuky-tinh").groups()
        if g.code == "status.pending"
    ]
    assert pending.count >= 19
    assert hit() <= few  # the same five items shown; twelve more subjects read none
