"""Reports on either tree (issue 12): the five-year history, then the 2025
reorganisation (the commune directly under the province from 1/7/2025, then a
chi bộ merged into another). The report rolls up by the tree at the report
date (by default), or by the tree of another day; the province's figures
are the same either way (a moved member is never counted twice, nor lost)."""

import uuid
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainError
from domain.permissions import Viewer
from domain.reorganisation import path_as_of
from ledger.config import settings_from_environ
from projections.directory import ancestor_path
from projections.directory_history import successors_as_of, tree_as_of
from projections.ratings import statistics as stats_view
from services import reorganisation_commands as ro
from services.app import Kiemdiem
from services.demo_history import (
    CELL_1,
    CELL_2,
    COMMUNE,
    DISTRICT,
    PROVINCE,
    generate_history,
)
from services.ids import organisation_id
from services.read_gateway import ReadGateway
from services.report_placer import TreePlacer
from services.reports import (
    POPULATIONS,
    ReportService,
    by_population,
    sums_of_rows,
    tally,
    tally_populations,
)
from services.reports_counted import counted_entries, counted_sums, counted_totals
from services.setup import initialise
from tests.history_store import ADMIN_PASSWORD
from tests.service.conftest import PG_BASE, _drop_schema, postgres_available

JULY = date(2025, 7, 1)
TODAY = date(2025, 12, 31)


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def moved(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("either-tree")
    environ = {"KIEMDIEM_INSTANCE_DIR": str(tmp / "instance")}
    schema = None
    url = f"sqlite:///{tmp}/kiemdiem.db"
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        environ["KIEMDIEM_PROJECTIONS"] = "inline"
        url = f"{PG_BASE}?schema={schema}"
    settings = settings_from_environ(environ, url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
        initialise(
            settings,
            origin="kiemdiem.test/tinh-uy",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=ADMIN_PASSWORD,
            demo=True,
        )
        app = Kiemdiem(settings)
        admin = app.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        generate_history(app, admin.signer)
        org = {
            code: organisation_id(code)
            for code in (PROVINCE, DISTRICT, COMMUNE, CELL_1, CELL_2)
        }
        before = {
            code: app.reports.report(org[code], 2025, today=TODAY)
            for code in (PROVINCE, DISTRICT)
        }
        app.today = lambda: TODAY
        app.handle(
            ro.MoveOrganisation(
                admin.actor, "99-QĐ/TU", JULY, org[COMMUNE], org[PROVINCE]
            ),
            admin.signer,
        )
        app.handle(
            ro.MergeOrganisations(
                admin.actor, "100-QĐ/TU", date(2025, 8, 1),
                absorbed_ids=(org[CELL_1],), successor_id=org[CELL_2],
            ),
            admin.signer,
        )  # fmt: skip
    yield app, org, before
    app.close()
    if schema is not None:
        _drop_schema(schema)


def members(report):
    pop = report["populations"]["members"]
    return pop["rated"] + pop["pending"] + sum(pop["exempt"].values())


def test_the_default_is_the_tree_at_the_report_date(moved):
    """Issue 12: rolled up by the tree as at the report date unless another day
    is asked for; the commune left the district on 1/7/2025, so at the report
    date (31/12/2025) the district no longer counts it, the province still
    counts everyone once."""
    app, org, before = moved
    for code in (PROVINCE, DISTRICT):
        now = app.reports.report(org[code], 2025, today=TODAY)
        on_day = app.reports.report(org[code], 2025, today=TODAY, tree_on=TODAY)
        assert now["populations"] == on_day["populations"]
        assert now["children"] == on_day["children"]
        assert now["tree_on"] == TODAY.isoformat()
        assert now["tree_is_report_date"] is True
    province = app.reports.report(org[PROVINCE], 2025, today=TODAY)
    assert province["populations"] == before[PROVINCE]["populations"]
    # At the report date the commune's only chi bộ has been merged (1/8/2025)
    # into a chi bộ of the district: its members count there, not under the
    # commune; on 1/7 they counted under the commune, outside the district.
    district = app.reports.report(org[DISTRICT], 2025, today=TODAY)
    commune = app.reports.report(org[COMMUNE], 2025, today=TODAY)
    july = {
        code: app.reports.report(org[code], 2025, today=TODAY, tree_on=JULY)
        for code in (DISTRICT, COMMUNE)
    }
    assert members(commune) == 0 < members(july[COMMUNE])
    assert members(district) == members(july[DISTRICT]) + members(july[COMMUNE])


def test_the_commune_left_the_district_on_the_first_of_july(moved):
    app, org, before = moved
    june = app.reports.report(
        org[DISTRICT], 2025, today=TODAY, tree_on=date(2025, 6, 30)
    )
    assert june["populations"] == before[DISTRICT]["populations"]
    assert june["tree_is_report_date"] is False
    july = app.reports.report(org[DISTRICT], 2025, today=TODAY, tree_on=JULY)
    commune = app.reports.report(org[COMMUNE], 2025, today=TODAY, tree_on=JULY)
    assert members(commune) > 0
    assert members(july) == members(before[DISTRICT]) - members(commune)
    assert july["tree_on"] == "2025-07-01"
    assert str(org[COMMUNE]) not in {c["org_id"] for c in july["children"]}


def test_the_province_counts_everyone_once_on_either_tree(moved):
    app, org, before = moved
    for day in (date(2025, 6, 30), JULY, date(2025, 8, 1), TODAY):
        report = app.reports.report(org[PROVINCE], 2025, today=TODAY, tree_on=day)
        assert report["populations"] == before[PROVINCE]["populations"], day


def test_the_merged_chi_bo_members_count_under_the_successor(moved):
    app, org, _ = moved
    after = app.reports.report(
        org[DISTRICT], 2025, today=TODAY, tree_on=date(2025, 8, 1)
    )
    cell_2 = {c["org_id"]: c for c in after["children"]}[str(org[CELL_2])]
    cell_1_then = app.reports.report(org[CELL_1], 2025, today=TODAY)
    cell_2_then = app.reports.report(org[CELL_2], 2025, today=TODAY)
    rated = cell_2["members"]["rated"] + cell_2["members"]["pending"]
    assert rated >= members(cell_1_then) + members(cell_2_then) - sum(
        cell_2_then["populations"]["members"]["exempt"].values()
    ) - sum(cell_1_then["populations"]["members"]["exempt"].values())


DAYS = (date(2025, 6, 30), JULY, date(2025, 8, 1), TODAY)


def test_summed_counters_agree_with_the_counter_entries(moved):
    """Counts by level from the counters summed by population and bucket (the
    statistics page, the charts) equal those of the counter entries one by one
    (the report), on every tree and at every level of it."""
    app, org, _ = moved
    cycles = [c["cycle_id"] for c in app.reports.annual_cycles(2025)]
    assert len(cycles) == 1
    for day in DAYS:
        place = app.reports._placer(day)
        for code in (PROVINCE, DISTRICT, COMMUNE, CELL_2):
            entries = counted_entries(app.projections, cycles, str(org[code]), place)
            summed = counted_totals(app.projections, cycles, str(org[code]), place)
            assert summed == by_population(entries), (code, day)
            stats = app.reports.cycle_statistics(UUID(cycles[0]), org[code], day)
            assert stats == tally_populations(by_population(entries)), (code, day)
            assert stats == {
                pop: tally(e for e in entries if e["population"] == pop)
                for pop in POPULATIONS
            }


def test_each_child_counts_the_members_and_leaders_under_it(moved):
    """The chart per organisation below: each child's members and leaders, as
    its own report on the same tree counts them."""
    app, org, _ = moved
    for day in DAYS:
        report = app.reports.report(org[DISTRICT], 2025, today=TODAY, tree_on=day)
        assert report["children"]
        for child in report["children"]:
            own = app.reports.report(
                UUID(child["org_id"]), 2025, today=TODAY, tree_on=day
            )["populations"]
            people = (own["members"], own["leaders"])
            assert child["members"]["rated"] == sum(p["rated"] for p in people)
            assert child["members"]["pending"] == sum(p["pending"] for p in people)
            for level, share in child["members"]["levels"].items():
                assert share["n"] == sum(p["levels"][level]["n"] for p in people)


def test_the_charts_across_years_agree_with_each_year_report(moved):
    app, org, _ = moved
    for code in (PROVINCE, DISTRICT):
        charts = app.reports.histories(org[code], POPULATIONS, JULY)
        for pop in POPULATIONS:
            for entry in charts[pop]:
                year = entry.pop("year")
                report = app.reports.report(org[code], year, today=TODAY, tree_on=JULY)
                assert entry == report["populations"][pop], (code, year, pop)


def test_the_placer_puts_each_organisation_where_the_domain_walk_does(moved):
    """Paths worked out from the parent's (each organisation once) are those
    of ``path_as_of`` walking up from each one, the ended ones followed to
    their successor."""
    app, org, _ = moved
    for day in DAYS:
        tree = tree_as_of(app.projections, day)
        parents = {o: row["parent_id"] for o, row in tree.items()}
        successors = successors_as_of(app.projections, day)
        place = TreePlacer(app.projections, day)
        ids = sorted({*tree, *org.values()}, key=str, reverse=True)
        for one in ids:
            walked = path_as_of(one, parents, successors)
            assert place([str(one)]) == [str(o) for o in reversed(walked)], day
        assert len(ids) > 5


def test_each_deadline_counts_the_subjects_the_rows_count(moved):
    """The subjects of each deadline level (the exempt apart), from the
    counter entries summed once, as the subject rows count them."""
    app, org, _ = moved
    cycles = app.reports.annual_cycles(2025)
    for code in (PROVINCE, DISTRICT):
        for day in DAYS:
            report = app.reports.report(org[code], 2025, today=TODAY, tree_on=day)
            rows = app.reports.subjects(org[code], 2025, day)
            counted = [
                (d["level"], d["milestone"], d["subjects"]) for d in report["deadlines"]
            ]
            by_rows = [
                (d["level"], d["milestone"], d["subjects"])
                for d in ReportService.deadlines(cycles, rows, TODAY)
            ]
            assert counted == by_rows, (code, day)
            assert any(n for _, _, n in counted)


CODES = (PROVINCE, DISTRICT, COMMUNE, CELL_1, CELL_2)


def test_the_report_page_reads_what_the_report_and_its_charts_read(moved):
    """The report page's figures (one reading of the day's tree for the report
    and its charts, the report's year not read again) are the report's and
    the charts' each read on its own, on every tree and at every level."""
    app, org, _ = moved
    for code in CODES:
        for day in (None, *DAYS):
            report, charts = app.reports.report_page(org[code], 2025, POPULATIONS, day)
            assert report == app.reports.report(org[code], 2025, tree_on=day)
            alone = app.reports.histories(org[code], POPULATIONS, day or TODAY)
            assert charts == alone, (code, day)
            assert any(e["year"] == 2025 for e in charts["members"])


def test_the_counters_summed_in_one_pass_are_the_entries_and_the_rows(moved):
    """The report's sums from the counters read as tuples (``counted_sums``)
    equal those of the counter entries one by one and of the subject rows, by
    population, class, organisation below and deadline level, on every tree
    and level."""
    app, org, _ = moved
    cycles = [c["cycle_id"] for c in app.reports.annual_cycles(2025)]
    counted = 0
    for day in DAYS:
        tree, place = app.reports._day_tree(day)
        for code in CODES:
            below = [str(o) for o, _ in app.reports._below(org[code], day, tree)]
            here = str(org[code])
            fast = counted_sums(app.projections, cycles, here, place, below)
            entries = counted_entries(app.projections, cycles, here, place)
            for slow in (
                sums_of_rows(entries, below),
                sums_of_rows(app.reports.subjects(org[code], 2025, day), below),
            ):
                assert vars(fast) == vars(slow), (code, day)
            assert vars(fast) == summed_apart(entries, below), (code, day)
            counted += sum(sum(b.values()) for b in fast.under.values())
            assert fast.populations or code in (COMMUNE, CELL_1)
    assert counted > 0


def test_the_statistics_committees_are_the_collectives_the_page_listed(moved):
    """The narrowed read of a statistics page's committees lists, for every
    viewer, what the cycle's collective subjects without the chi bộ and the
    leadership collectives listed."""
    app, org, _ = moved
    cycles = [UUID(c["cycle_id"]) for c in app.reports.annual_cycles(None)]
    viewers = [Viewer(frozenset({"admin"}))] + [
        Viewer(frozenset({role}), org[code], lineage=frozenset(path(app, org[code])))
        for role in ("secretary", "decision_maker", "inspector")
        for code in (PROVINCE, DISTRICT, COMMUNE)
    ]
    listed = 0
    for viewer in viewers:
        gate = ReadGateway(app, viewer)
        for cycle in cycles:
            try:
                old = [
                    (s["org_id"], s["name"])
                    for s in gate.subjects(cycle, kind="collective", cells=False)
                    if s["org_kind"] != "leadership_collective"
                ]
            except DomainError as refused:
                with pytest.raises(type(refused)):
                    gate.statistics_committees(cycle)
                continue
            new = [(s["org_id"], s["name"]) for s in gate.statistics_committees(cycle)]
            assert new == old, (viewer, cycle)
            listed += len(new)
    assert listed > len(viewers)


def path(app, org_id):
    return ancestor_path(app.projections, org_id)


def test_a_kept_tree_is_read_again_once_the_directory_moves_on(moved, monkeypatch):
    """The day's tree and its placer are kept while the directory view's
    change mark stays; once it moves on (a reorganisation), they are read
    again, and the figures are those of a service that never kept one."""
    from services import report_placer
    from services import reports as module

    app, org, _ = moved
    app.kept.forget()
    service = ReportService(app)
    reads = []

    def day_tree(views, day):
        reads.append(day)
        return report_placer.day_tree(views, day)

    monkeypatch.setattr(module, "day_tree", day_tree)
    first = service.report(org[DISTRICT], 2025, today=TODAY, tree_on=JULY)
    assert service.report(org[DISTRICT], 2025, today=TODAY, tree_on=JULY) == first
    assert reads == [JULY]
    marks = app.projections.change_marks()
    moved_on = {**marks, "directory": ((marks["directory"][0] or 0) + 1, 0)}
    monkeypatch.setattr(app.projections, "change_marks", lambda: moved_on)
    assert service.report(org[DISTRICT], 2025, today=TODAY, tree_on=JULY) == first
    assert reads == [JULY, JULY]
    app.kept.forget()
    assert first == ReportService(app).report(
        org[DISTRICT], 2025, today=TODAY, tree_on=JULY
    )


def summed_apart(entries, below):
    """What ``Sums`` holds, each way summed on its own from counter entries."""
    found: dict[str, Any] = {"cycles": set(), "populations": {}, "klasses": {}}
    found["deadlines"] = {}
    found["under"] = {child: {} for child in below}

    def add(into, key, n):
        into[key] = into.get(key, 0) + n

    for e in entries:
        found["cycles"].add(e["cycle_id"])
        add(found["populations"].setdefault(e["population"], {}), e["bucket"], e["n"])
        if e["population"] == "party_orgs":
            add(found["klasses"].setdefault(e["klass"], {}), e["bucket"], e["n"])
        if e["population"] in ("members", "leaders"):
            for child in below:
                if child in e["path"]:
                    add(found["under"][child], e["bucket"], e["n"])
        if not e["bucket"].startswith("exempt:"):
            add(found["deadlines"], (e["cycle_id"], e["deadline_level"]), e["n"])
    return found


@pytest.mark.parametrize("through", [True, False])
def test_the_counters_read_either_way_are_the_same(moved, monkeypatch, through):
    """The ``placed`` counters read straight through the table (SQLite's plan
    when the cycles hold most of them) or by the key's index: the same rows and
    sums as the entries, for one cycle and for those of five years."""
    app, _, _ = moved
    cycles = [
        c["cycle_id"]
        for year in range(2021, 2026)
        for c in app.reports.annual_cycles(year)
    ]
    views = app.projections
    before = {
        "rows": sorted(stats_view.placed_rows(views, cycles)),
        "totals": sorted(stats_view.placed_totals(views, cycles)),
        "sums": sorted_sums(stats_view.placed_sums(views, cycles)),
        "one": sorted(stats_view.placed_rows(views, cycles[:1])),
    }
    monkeypatch.setattr(stats_view, "_most_counters", lambda *_: through)
    assert before == {
        "rows": sorted(stats_view.placed_rows(views, cycles)),
        "totals": sorted(stats_view.placed_totals(views, cycles)),
        "sums": sorted_sums(stats_view.placed_sums(views, cycles)),
        "one": sorted(stats_view.placed_rows(views, cycles[:1])),
    }
    entries = [e for e in stats_view.placed_counts(views, cycles) if e["n"]]
    assert len(before["rows"]) == len(entries) > 0
    assert len(cycles) > 1


def sorted_sums(found):
    orgs, sums = found
    return sorted(orgs), sorted(sums)
