"""Opening and refreshing a cycle through the bus records its subjects in small
events (issue 14 §3), on SQLite and PostgreSQL: given a district → OpenCycle →
``Opened`` and ``SubjectsAdded`` chunks; members move → RefreshSubjects → only
``SubjectsChanged``; the views follow, and a rebuild equals them."""

import itertools
from datetime import date

import pytest

from domain import cycle_subjects
from projections import subject_events
from projections.ratings.statistics import level_counts
from services import commands as c
from services import rating_commands as rc

PASSWORD = "mat-khau-thu-ky"
CARDS = itertools.count(1)
CHUNK = 8  # subjects per event here, so that a small district needs several


@pytest.fixture
def district(services, admin, monkeypatch):
    monkeypatch.setattr(cycle_subjects, "MAX_SUBJECTS_PER_EVENT", CHUNK)

    def found(code, name, kind, parent=None):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    w = {}
    w["province"] = found("tinh", "Tỉnh ủy", "provincial_committee")
    w["district"] = found("huyen", "Huyện ủy Đông", "district_committee", w["province"])
    w["other"] = found("huyen-2", "Huyện ủy Tây", "district_committee", w["province"])
    w["away"] = found("cb-tay", "Chi bộ Tây", "cell", w["other"])
    w["cells"] = []
    w["members"] = []
    for x in range(2):
        commune = found(
            f"xa-{x}", f"Đảng ủy xã {x}", "grassroots_committee", w["district"]
        )
        for k in range(3):
            cell = found(f"cb-{x}-{k}", f"Chi bộ {x}-{k}", "cell", commune)
            w["cells"].append(cell)
            for i in range(4):
                w["members"].append(
                    enrol(services, admin, f"Đảng viên {x}{k}{i}", cell)
                )
    services.handle(
        c.OpenAccount(
            admin.actor,
            "thuky",
            "thuky",
            ("secretary",),
            PASSWORD,
            org_id=w["province"],
        ),
        admin.signer,
    )
    w["sec"] = services.authenticate("thuky", PASSWORD)
    return w


def enrol(services, admin, name, cell):
    n = next(CARDS)
    return services.handle(
        c.EnrolMember(
            admin.actor,
            name,
            f"DV{n:05d}",
            date(1980, 1, 1),
            date(2010, 1, 1),
            "full",
            cell,
        ),
        admin.signer,
    )


def subject_rows(services, cycle):
    return {r["subject_key"]: r for r in services.ratings.subjects(cycle)}


def test_a_cycle_opens_in_chunks_and_a_refresh_records_only_the_changes(
    services, admin, district, new_events, refused
):
    sec = district["sec"]
    opened: list = []
    topics = new_events(
        lambda: opened.append(
            services.handle(
                rc.OpenCycle(sec.actor, district["district"], 2025), sec.signer
            )
        )
    )
    cycle = opened[0]
    # 1 district + 2 communes + 6 chi bộ + 24 members = 33 subjects, ≤ 8 per event
    assert topics[0] == "ReviewCycle.Opened"
    assert set(topics[1:]) == {"ReviewCycle.SubjectsAdded"}
    assert len(topics) - 1 >= 33 // CHUNK
    rows = subject_rows(services, cycle)
    assert len(rows) == 33
    assert set(rows) == set(services.ratings.cycle(cycle).subjects)
    members = {
        (r["population"], r["bucket"]): r["n"]
        for r in level_counts(services.projections, cycle, district["district"])
    }
    assert members[("members", "pending")] == 24

    gone, moved = district["members"][0], district["members"][5]
    services.handle(c.TransferMember(admin.actor, gone, district["away"]), admin.signer)
    services.handle(
        c.TransferMember(admin.actor, moved, district["cells"][-1]), admin.signer
    )
    arrived = enrol(services, admin, "Người mới", district["cells"][0])
    topics = new_events(
        lambda: services.handle(rc.RefreshSubjects(sec.actor, cycle), sec.signer)
    )
    assert set(topics) == {"ReviewCycle.SubjectsChanged"}
    rows = subject_rows(services, cycle)
    assert f"m:{gone}" not in rows
    assert rows[f"m:{arrived}"]["cell_id"] == str(district["cells"][0])
    assert rows[f"m:{moved}"]["cell_id"] == str(district["cells"][-1])
    assert len(rows) == 33
    counts = {
        (r["population"], r["bucket"]): r["n"]
        for r in level_counts(services.projections, cycle, district["cells"][-1])
    }
    assert counts[("members", "pending")] == 5  # its four and the one who moved in

    refused(
        "cycle.subjects_unchanged",
        lambda: services.handle(rc.RefreshSubjects(sec.actor, cycle), sec.signer),
    )
    # the member's file holds the chunk that added them and the one that moved them
    kinds = [
        r.kind
        for r in subject_events.page_of(services.projections, moved)
        if r.stream == cycle
    ]
    assert kinds == ["SubjectsAdded", "SubjectsChanged"]

    incremental = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == incremental
    fresh = services.ratings.cycle(cycle)  # replayed, not the cached one
    assert set(fresh.subjects) == set(rows)
