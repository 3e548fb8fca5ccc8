"""A chi bộ's member page and an organisation's children, narrowed to a viewer,
on SQLite and PostgreSQL: exactly the rows whose place is in the viewer's
branches or among its exact organisations (and the viewer's own member row),
checked against the ancestor table read whole and decided here in Python, for
the whole tree, a province's, a commune's and a chi bộ's secretary, a member
and a viewer with no place at all (issue 14: the lists ask for their place once,
``Narrowing.sql_at``, ``branch_at_sql`` and ``probe_sql``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from projections import search
from services.app import Kiemdiem
from services.demo_province_plan import ProvincePlan
from tests.store.explain_province import province_on

MEMBERS = 300
ALL = 1_000  # a page larger than any list here: every row on one page


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def province(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Kiemdiem, ProvincePlan]]:
    root = tmp_path_factory.mktemp("lists-narrowed")
    with province_on(request.param, root, MEMBERS, 5) as built:
        yield built


def _tree(services: Kiemdiem) -> tuple[dict[str, set[str]], dict[str | None, set[str]]]:
    """Each organisation's ancestors (itself included) and each parent's children."""
    runtime = services.projections
    above: dict[str, set[str]] = {}
    for row in runtime.query("directory", "SELECT * FROM {org_ancestors}", []):
        above.setdefault(str(row["org_id"]), set()).add(str(row["ancestor_id"]))
    below: dict[str | None, set[str]] = {}
    for row in runtime.query("directory", "SELECT * FROM {organisations}", []):
        parent = None if row["parent_id"] is None else str(row["parent_id"])
        below.setdefault(parent, set()).add(str(row["org_id"]))
    return above, below


def _placed(org: str, narrowing: search.Narrowing, above: dict[str, set[str]]) -> bool:
    if narrowing.roots is None:
        return True
    return bool(above.get(org, set()) & set(narrowing.roots)) or org in narrowing.exact


def _narrowings(plan: ProvincePlan) -> dict[str, search.Narrowing]:
    province = str(plan.province.org_id)
    commune = str(plan.communes[0].org_id)
    cell = plan.communes[0].cells[0]
    return {
        "everywhere": search.EVERYWHERE,
        "province": search.Narrowing(roots=(province,), exact=(province,)),
        "commune": search.Narrowing(roots=(commune,), exact=(province,)),
        "cell": search.Narrowing(roots=(str(cell.org_id),), exact=(province, commune)),
        "member": search.Narrowing(
            roots=(), exact=(province, commune), own=str(cell.members[0].member_id)
        ),
        "nowhere": search.Narrowing(roots=()),
    }


def _cells(plan: ProvincePlan) -> list[Any]:
    return [
        plan.communes[0].cells[0],
        plan.communes[-1].cells[-1],
        *plan.province.cells,
    ]


def test_a_chi_bo_member_page_keeps_exactly_the_rows_in_the_narrowing(province):
    services, plan = province
    above, _below = _tree(services)
    for name, narrowing in _narrowings(plan).items():
        for cell in _cells(plan):
            rows = search.run(
                services.projections,
                search.member_page_sql(
                    cell_id=str(cell.org_id), narrowing=narrowing, after=None, limit=ALL
                ),
            )
            everyone = {str(m.member_id) for m in cell.members}
            expected = (
                everyone
                if _placed(str(cell.org_id), narrowing, above)
                else everyone & {narrowing.own}
            )
            assert {str(r["member_id"]) for r in rows} == expected, (name, cell.code)


def test_an_organisations_children_are_exactly_those_in_the_narrowing(province):
    services, plan = province
    above, below = _tree(services)
    parents = [
        None,
        str(plan.province.org_id),
        str(plan.communes[0].org_id),
        str(plan.communes[-1].org_id),
        str(plan.communes[0].cells[0].org_id),
    ]
    for name, narrowing in _narrowings(plan).items():
        for parent in parents:
            rows = search.run(
                services.projections,
                search.children_page_sql(
                    parent, after=None, limit=ALL, narrowing=narrowing
                ),
            )
            expected = {
                c for c in below.get(parent, set()) if _placed(c, narrowing, above)
            }
            assert {str(r["org_id"]) for r in rows} == expected, (name, parent)
            keys = [(r["sort_key"], str(r["org_id"])) for r in rows]
            assert keys == sorted(keys), (name, parent)
