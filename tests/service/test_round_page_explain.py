"""A rating round's page reads its subjects a keyset page at a time through the
``subjects_round`` index (issue 14), on SQLite and PostgreSQL: the first page,
the page after a subject, the page before one, the cursor's position and the
peer-group form's look-up by keys are each explained, and none scans
``ratings_subjects`` or sorts the authority's subjects (as
tests/service/test_report_explain.py checks the report's queries)."""

from __future__ import annotations

from typing import Any

from projections.ratings import round_pages
from projections.runtime import ProjectionRuntime
from tests.service.test_report_explain import _explained, _world


def test_the_round_page_reads_a_page_through_the_round_index(
    services, admin, monkeypatch
):
    _province, commune, cycle = _world(services, admin)
    services.projections.catch_up()
    views = services.projections
    keys = [
        r["subject_key"]
        for r in views.query(
            "ratings",
            "SELECT subject_key, decides FROM {subjects} WHERE cycle_id = ?",
            [str(cycle)],
        )
        if r["decides"] == str(commune)
    ]
    assert keys, "the commune decides some subjects"
    seen: list[tuple[str, list[Any]]] = []
    query = ProjectionRuntime.query

    def recording(self, name, statement, params=()):
        if name == "ratings" and "{subjects}" in statement:
            seen.append((statement, list(params)))
        return query(self, name, statement, params)

    monkeypatch.setattr(ProjectionRuntime, "query", recording)
    first = round_pages.round_subject_page(views, str(cycle), str(commune), limit=2)
    assert first
    at = round_pages.subject_position(views, str(cycle), first[-1]["subject_key"])
    assert at is not None
    after = round_pages.round_subject_page(
        views, str(cycle), str(commune), after=at, limit=2
    )
    back = round_pages.round_subject_page(
        views, str(cycle), str(commune), before=at, limit=2
    )
    assert [r["subject_key"] for r in back] == [r["subject_key"] for r in first][:-1]
    assert not {r["subject_key"] for r in after} & {r["subject_key"] for r in first}
    round_pages.round_subjects_by_keys(views, str(cycle), str(commune), keys)
    assert len(seen) == 5
    for statement, params in seen:
        plan = _explained(services, statement, params)
        if services.ledger.sql.postgres:
            assert "Seq Scan" not in plan, (statement, plan)
            assert "Sort" not in plan or "IN (" in statement, (statement, plan)
        else:
            assert "SCAN ratings_subjects" not in plan, (statement, plan)
            assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan, plan
            if "ORDER BY name" in statement and "IN (" not in statement:
                assert "ratings_subjects_round" in plan, plan
                assert "TEMP B-TREE" not in plan, plan
