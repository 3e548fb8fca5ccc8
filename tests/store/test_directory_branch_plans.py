"""A province secretary's lists test their branch without reading it whole
(issue 14): on PostgreSQL, against the generated province, a chi bộ's member
page and an organisation's children (the top of the tree included), narrowed
to the province's branch, read a row or two of ``directory_org_ancestors``, not
every organisation below the province (what the per-row test under an ``OR``
costs: PostgreSQL hashes the whole branch at each statement, 4,402 rows at
100,000 members, to keep 25 members of one chi bộ). The answers are those of
the per-row test (``Narrowing.sql``)."""

from __future__ import annotations

from typing import Any

import pytest

from projections import search
from tests.store.explain_province import explain_plan, nodes

pytestmark = pytest.mark.postgres

ANCESTORS = "directory_org_ancestors"


def _ancestor_rows(services: Any, statement: search.Statement) -> int:
    """Rows the plan really read of the ancestor table, all loops counted."""
    plan = explain_plan(services, statement, "search", "directory")
    read = 0
    for node in nodes(plan):
        if node.get("Relation Name") != ANCESTORS:
            continue
        per_loop = int(node.get("Actual Rows", 0)) + int(
            node.get("Rows Removed by Filter", 0)
        )
        read += per_loop * int(node.get("Actual Loops", 1))
    return read


def _province_secretary(plan: Any) -> search.Narrowing:
    province = str(plan.province.org_id)
    return search.Narrowing(roots=(province,), exact=(province,))


def test_a_chi_bo_member_page_asks_for_its_place_once(province):
    services, plan, _schema = province
    assert plan.organisations > 20  # a branch worth not reading whole
    cell = str(plan.communes[0].cells[0].org_id)
    narrowing = _province_secretary(plan)
    statement = search.member_page_sql(
        cell_id=cell, narrowing=narrowing, after=None, limit=50
    )
    assert _ancestor_rows(services, statement) <= 1
    rows = search.run(services.projections, statement)
    everywhere = search.run(
        services.projections,
        search.member_page_sql(
            cell_id=cell, narrowing=search.EVERYWHERE, after=None, limit=50
        ),
    )
    assert [r["member_id"] for r in rows] == [r["member_id"] for r in everywhere]
    assert rows


def test_a_chi_bo_outside_the_branch_lists_nobody(province):
    services, plan, _schema = province
    first, other = plan.communes[0], plan.communes[-1]
    narrowing = search.Narrowing(
        roots=(str(first.org_id),), exact=(str(plan.province.org_id),)
    )
    statement = search.member_page_sql(
        cell_id=str(other.cells[0].org_id), narrowing=narrowing, after=None, limit=50
    )
    assert search.run(services.projections, statement) == []


def test_the_tree_top_and_children_ask_for_their_parent_once(province):
    services, plan, _schema = province
    narrowing = _province_secretary(plan)
    province_id = str(plan.province.org_id)
    commune = str(plan.communes[0].org_id)
    for parent in (None, province_id, commune):
        statement = search.children_page_sql(
            parent, after=None, limit=50, narrowing=narrowing
        )
        assert _ancestor_rows(services, statement) <= 1, parent
        same = search.children_page_sql(parent, after=None, limit=50)
        assert [r["org_id"] for r in search.run(services.projections, statement)] == [
            r["org_id"] for r in search.run(services.projections, same)
        ], parent
    top = search.run(
        services.projections,
        search.children_page_sql(None, after=None, limit=50, narrowing=narrowing),
    )
    assert [r["org_id"] for r in top] == [province_id]


def test_a_commune_secretary_still_sees_only_their_commune_under_the_province(
    province,
):
    services, plan, _schema = province
    commune = str(plan.communes[0].org_id)
    province_id = str(plan.province.org_id)
    narrowing = search.Narrowing(roots=(commune,), exact=(province_id,))
    theirs = search.children_page_sql(
        province_id, after=None, limit=50, narrowing=narrowing
    )
    assert [r["org_id"] for r in search.run(services.projections, theirs)] == [commune]
    top = search.children_page_sql(None, after=None, limit=50, narrowing=narrowing)
    assert [r["org_id"] for r in search.run(services.projections, top)] == [province_id]
    # another commune: its chi bộ are not the secretary's
    other = str(plan.communes[-1].org_id)
    below = search.children_page_sql(other, after=None, limit=50, narrowing=narrowing)
    assert search.run(services.projections, below) == []
