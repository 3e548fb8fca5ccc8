"""Who is on temporary party activity where, by organisation (the directory's
``temporary_places``, directory v7), on SQLite and PostgreSQL: an attachment is
listed "here" at its host chi bộ and every organisation above it, and "away" at
the member's own chi bộ and every organisation above it that is not above the
host too; a move of the tree, a merger and a transfer list it again; a rebuild
equals the incremental view."""

from datetime import date

from projections.directory_temporary import (
    AWAY,
    BRANCH_ATTACHMENTS_SQL,
    HERE,
    temporary_page,
    temporary_page_sql,
)
from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from services.ids import organisation_id
from tests.service.plans import explained
from tests.service.reorganisation_world import JULY, merge
from tests.service.test_what_follows_a_reorganisation import world

__all__ = ["world"]  # the fixture


def listed(services, world, org_key, side, **page):
    rows = temporary_page(
        services.projections, str(world[org_key]), side, limit=50, **page
    )
    return [r["full_name"] for r in rows]


def lists(services, world, org_key):
    return (
        listed(services, world, org_key, HERE),
        listed(services, world, org_key, AWAY),
    )


def attach_a_at_b(world):
    world["run"](
        rc.AttachTemporaryCell(
            world["admin"].actor, world["dv-a"], world["cb-b"], date(2025, 3, 1)
        )
    )


def test_an_attachment_is_listed_up_both_branches(services, world):
    """Đảng viên a (Chi bộ a, Xã a) attached at Chi bộ b (Xã b): here at Chi bộ
    b, Xã b, the district and the province; away at Chi bộ a and Xã a only
    (the district is above both chi bộ)."""
    attach_a_at_b(world)
    a = ["Đảng viên a"]
    assert lists(services, world, "cb-b") == (a, [])
    assert lists(services, world, "xa-b") == (a, [])
    assert lists(services, world, "huyen") == (a, [])
    assert lists(services, world, "tinh") == (a, [])
    assert lists(services, world, "cb-a") == ([], a)
    assert lists(services, world, "xa-a") == ([], a)
    [row] = temporary_page(
        services.projections, str(world["xa-a"]), AWAY, after=None, limit=50
    )
    assert row["home_name"] == "Chi bộ a"
    assert row["cell_name"] == "Chi bộ b"
    assert row["since"] == "2025-03-01"
    assert row["decision_no"] is None


def test_a_move_of_the_tree_and_a_transfer_list_it_again(services, world):
    """Chi bộ b moved under Xã a: both chi bộ are Xã a's, so Xã a lists the
    member here and not away, and Xã b no longer lists them. Then Đảng viên a
    transferred to a new chi bộ of Xã b: away at Xã b, here at Xã a. A rebuild
    gives the same views."""
    run, dm, admin = world["run"], world["decision_maker"], world["admin"]
    attach_a_at_b(world)
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.MoveOrganisation(dm.actor, "7-QĐ/TU", JULY, world["cb-b"], world["xa-a"]), dm
    )
    a = ["Đảng viên a"]
    assert lists(services, world, "xa-a") == (a, [])
    assert lists(services, world, "xa-b") == ([], [])
    assert lists(services, world, "cb-a") == ([], a)
    cb_b2 = run(
        c.FoundOrganisation(admin.actor, "cb-b2", "Chi bộ b2", "cell", world["xa-b"])
    )
    run(c.TransferMember(admin.actor, world["dv-a"], cb_b2))
    assert lists(services, world, "cb-a") == ([], [])
    assert lists(services, world, "xa-b") == ([], a)
    assert lists(services, world, "xa-a") == (a, [])
    incremental = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == incremental


def test_a_merger_of_the_communes_lists_it_at_the_successor(services, world):
    """Xã a and Xã b merged into Đảng ủy xã AB: both chi bộ are now under it,
    so it lists the member here only; the ended communes list nothing of
    theirs elsewhere. A rebuild gives the same views."""
    attach_a_at_b(world)
    services.today = lambda: date(2025, 7, 10)
    merge(world)
    world["xa-ab"] = organisation_id("xa-ab")
    assert lists(services, world, "xa-ab") == (["Đảng viên a"], [])
    assert listed(services, world, "xa-a", AWAY) == []
    incremental = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == incremental


def test_the_page_is_keyset_by_name(services, world):
    """Three attached at Chi bộ b, two a page: forwards then back."""
    run, admin = world["run"], world["admin"]
    for n, name in enumerate(("Bùi Văn Cả", "Trần Thị Út")):
        member = run(
            c.EnrolMember(
                admin.actor, name, f"DV010{n}", date(1980, 1, 1), date(2010, 1, 1),
                "full", world["cb-a"],
            )
        )  # fmt: skip
        run(
            rc.AttachTemporaryCell(admin.actor, member, world["cb-b"], date(2025, 3, 1))
        )
    attach_a_at_b(world)
    rows = temporary_page(
        services.projections, str(world["cb-b"]), HERE, after=None, limit=2
    )
    assert [r["full_name"] for r in rows] == [
        "Bùi Văn Cả",
        "Đảng viên a",
        "Trần Thị Út",
    ]
    second = (rows[1]["sort_key"], rows[1]["member_id"])
    assert listed(services, world, "cb-b", HERE, after=second) == ["Trần Thị Út"]
    last = (rows[2]["sort_key"], rows[2]["member_id"])
    back = temporary_page(
        services.projections, str(world["cb-b"]), HERE, after=None, before=last,
        limit=2,
    )  # fmt: skip
    assert [r["full_name"] for r in back] == ["Đảng viên a", "Bùi Văn Cả"]  # descending


PLACES_KEY = "sqlite_autoindex_directory_temporary_places_1"


def test_a_page_is_one_range_of_the_places_key(services, world):
    """At any level and on either side, first page or from a row: a range of
    the places' primary key (no scan of a table), then the attachment, the
    member and both chi bộ by theirs. And the attachments a move of the tree
    lists again are found by the chi bộ indexes."""
    attach_a_at_b(world)
    postgres = services.ledger.sql.postgres
    middle = ("dang vien a", str(world["dv-a"]))
    for org in ("tinh", "xa-a", "cb-b"):
        for side in (HERE, AWAY):
            for page in ({}, {"after": middle}, {"before": middle}):
                statement = temporary_page_sql(str(world[org]), side, limit=50, **page)
                plan = explained(services, "directory", *statement)
                if postgres:
                    assert "Seq Scan" not in plan, plan
                    assert "Index Only Scan" in plan, plan
                    assert "directory_temporary_places_pkey" in plan, plan
                    assert ("ROW(sort_key, member_id)" in plan) == bool(page), plan
                else:  # the 51 rows of the page apart ("SCAN p"), no scan
                    scans = [
                        line
                        for line in plan.splitlines()
                        if " SCAN " in line and not line.endswith(" SCAN p")
                    ]
                    assert scans == [], plan
                    assert f"SEARCH p USING COVERING INDEX {PLACES_KEY}" in plan
                    assert ("(sort_key,member_id)" in plan) == bool(page), plan
    moved = explained(
        services, "directory", BRANCH_ATTACHMENTS_SQL, [str(world["xa-a"])] * 2
    )
    if postgres:
        assert "Seq Scan" not in moved, moved
    else:
        assert "temporary_cells_cell" in moved, moved
        assert "temporary_cells_home" in moved, moved
