"""The queries the report, its still-open list and the cycle and statistics
pages added for a province (issue 14) are answered from indexes of the subject
rows, on SQLite and PostgreSQL: each statement the report and the pages issue
on ``ratings_subjects`` is explained, and none is a scan of that table (on
PostgreSQL with sequential scans priced out, as tests/store/
test_directory_explain.py does, so a scan shows only where no index serves;
on SQLite, EXPLAIN QUERY PLAN names the index each search uses)."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.runtime import ProjectionRuntime
from services import commands as c
from services import rating_commands as rc

PASSWORD = "mat-khau-thu-ky"


def _world(services, admin) -> tuple[Any, Any, Any]:
    def found(code, name, kind, parent):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    province = found("tinh-uy", "Tỉnh ủy Thử", "provincial_committee", None)
    commune = found("xa-dong", "Đảng ủy xã Đông", "grassroots_committee", province)
    west = found("xa-tay", "Đảng ủy xã Tây", "grassroots_committee", province)
    cells = [
        found("chi-bo-a", "Chi bộ A", "cell", commune),
        found("chi-bo-b", "Chi bộ B", "cell", west),
    ]
    for n in range(6):
        services.handle(
            c.EnrolMember(
                admin.actor,
                f"Nguyễn Văn {n}",
                f"DV0000000{n}",
                date(1980, 5, 17),
                date(2005, 2, 3),
                "full",
                cells[n // 4],
            ),
            admin.signer,
        )
    services.handle(
        c.OpenAccount(
            admin.actor, "thuky", "Thư ký", ("secretary",), PASSWORD, org_id=province
        ),
        admin.signer,
    )
    secretary = services.authenticate("thuky", PASSWORD)
    assert secretary is not None
    cycle = services.handle(
        rc.OpenCycle(
            secretary.actor,
            province,
            2025,
            reference_date=date(2025, 12, 1),
            deadlines=(("member", "rating", date(2025, 12, 20)),),
        ),
        secretary.signer,
    )
    return province, commune, cycle


def _explained(services, statement: str, params: list[Any]) -> str:
    views = services.projections
    with views.read("ratings") as cursor:
        if services.ledger.sql.postgres:
            cursor.execute("SET LOCAL enable_seqscan = off")
            rows = cursor.execute("EXPLAIN " + statement, params).fetchall()
        else:
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    return "\n".join(" ".join(str(v) for v in r) for r in rows)


def test_the_report_and_the_cycle_pages_read_subjects_through_indexes(
    services, admin, monkeypatch
):
    province, commune, cycle = _world(services, admin)
    services.projections.catch_up()
    seen: list[tuple[str, list[Any]]] = []
    query = ProjectionRuntime.query

    def recording(self, name, statement, params=()):
        if name == "ratings" and "{subjects}" in statement:
            seen.append((statement, list(params)))
        return query(self, name, statement, params)

    monkeypatch.setattr(ProjectionRuntime, "query", recording)
    reports = services.reports
    for org, members in ((province, 6), (commune, 4)):  # all places, then some
        report = reports.report(org, 2025, today=date(2026, 1, 10))
        assert any(d["open_count"] for d in report["deadlines"])
        page = reports.still_open(org, 2025, "member")
        assert page["total"] == members
        reports.still_open(org, 2025, "member", after=("Nguyễn Văn 1", "m:"))
    services.ratings.subjects(cycle, kind="collective", cells=False)
    assert reports.committees(cycle)  # the statistics page's choices
    statements = {s for s, _ in seen}
    assert any("GROUP BY path" in s for s in statements)
    assert any("path IN" in s for s in statements)  # the commune's report
    assert any("revisions > 0" in s for s in statements)
    assert any("org_kind != 'cell'" in s for s in statements)
    assert any("'leadership_collective')" in s for s in statements)
    for statement, params in seen:
        plan = _explained(services, statement, params)
        if services.ledger.sql.postgres:
            assert "Seq Scan" not in plan, (statement, plan)
        else:
            assert "SCAN ratings_subjects" not in plan, (statement, plan)
            assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan, plan
