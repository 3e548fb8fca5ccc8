"""Criteria refined by a province or unit (366 Điều 10) through the service, on
SQLite and PostgreSQL: recorded as a signed event, used by the cycles of the
organisation's subtree opened from its year on (nearest organisation, latest
year), refusals store nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.cycles import ReviewCycle
from domain.errors import DomainError
from services import commands as c
from services import rating_commands as rc
from services.rating_ids import criteria_id

ITEMS = (
    ("1.1", "general", 15, "Bản lĩnh chính trị"),
    ("1.2", "general", 15, "Đạo đức, lối sống"),
    ("2.1", "task", 50, "Kết quả nhiệm vụ chuyên môn"),
    ("2.2", "task", 20, "Nhiệm vụ đột xuất"),
)


@pytest.fixture
def tree(services, admin):
    def found(code, name, kind, parent=None):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy", "district_committee", province)
    other = found("huyen-2", "Huyện ủy Tây", "district_committee", province)
    cell = found("chi-bo", "Chi bộ", "cell", district)
    services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV0001",
            date(1980, 1, 1),
            date(2010, 1, 1),
            "full",
            cell,
        ),
        admin.signer,
    )
    found("chi-bo-2", "Chi bộ Tây", "cell", other)
    services.handle(
        c.OpenAccount(
            admin.actor,
            "thuky",
            "Thư ký",
            ("secretary",),
            "mat-khau-thu-ky",
            org_id=province,
        ),
        admin.signer,
    )
    sec = services.authenticate("thuky", "mat-khau-thu-ky")
    return {"province": province, "district": district, "other": other, "sec": sec}


def define(services, admin, org, year=2026, items=ITEMS, appendix="PL4"):
    return services.handle(
        rc.DefineCriteria(admin.actor, org, appendix, year, items), admin.signer
    )


def open_cycle(services, session, org, year):
    ident = services.handle(
        rc.OpenCycle(session.actor, org, year, reference_date=date(year, 12, 1)),
        session.signer,
    )
    return services.uow.get(ReviewCycle, ident, "cycle.not_found")


def test_cycles_of_the_subtree_use_the_refined_set_from_its_year(services, admin, tree):
    sec = tree["sec"]
    ident = define(services, admin, tree["province"])
    assert ident == criteria_id(tree["province"], "PL4", 2026)
    (row,) = services.ratings.criteria_refinements()
    assert row["from_year"] == 2026
    assert [i["code"] for i in row["items"]] == ["1.1", "1.2", "2.1", "2.2"]
    before = open_cycle(services, sec, tree["district"], 2025)
    assert [x.code for x in before.criteria("PL4").criteria][:1] != ["1.1"]
    later = open_cycle(services, sec, tree["district"], 2026)
    assert [x.code for x in later.criteria("PL4").criteria] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
    ]
    assert later.options["criteria"]["PL4"][2]["max_points"] == 50
    # PL3 is not refined: the 366 frame
    assert later.criteria("PL3") == later.rulebook.criteria_for(
        later.criteria("PL3").appendix
    )
    # a district's own set wins over the province's for its subtree only
    own = (("a", "general", 30, "Chung"), ("b", "task", 70, "Nhiệm vụ"))
    define(services, admin, tree["district"], 2027, own)
    nearest = open_cycle(services, sec, tree["district"], 2027)
    assert [x.code for x in nearest.criteria("PL4").criteria] == ["a", "b"]
    elsewhere = open_cycle(services, sec, tree["other"], 2027)
    assert next(x.code for x in elsewhere.criteria("PL4").criteria) == "1.1"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"year": 2024}, "criteria.not_scored"),
        ({"items": ITEMS[:3]}, "criteria.frame"),
        ({"appendix": "PL7"}, "criteria.appendix_unknown"),
    ],
)
def test_refusals_store_nothing(services, admin, tree, change, code):
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as info:
        define(services, admin, tree["province"], **change)
    assert info.value.code == code
    assert services.ledger.max_notification_id() == before
    assert services.ratings.criteria_refinements() == []


def test_once_per_organisation_appendix_and_year(services, admin, tree):
    define(services, admin, tree["province"])
    with pytest.raises(DomainError) as info:
        define(services, admin, tree["province"])
    assert info.value.code == "criteria.exists"
