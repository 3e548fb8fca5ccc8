"""The directory's key queries are answered from indexes and read a bounded
number of rows (issue 14, deliverable 2): on PostgreSQL, against a generated
province (its organisation tree and 2,000 members imported through the
services), after ``ANALYZE``, ``EXPLAIN ANALYZE`` of a chi bộ's member page, the
whole member list by name, an organisation's children, the search (by the
administrator and by a commune's secretary) and a scope check's ancestor path
shows no sequential scan of a large table, and no node reading more than
``BOUND`` rows of one.

Why ``enable_seqscan = off``: at 2,000 members a table of a few thousand rows
is read whole faster than through an index, and the planner rightly does so
(a hash join over ``directory_members``, for instance); at 100,000 it would
not. With sequential scans priced out, PostgreSQL still plans one where no
index can serve the access, which is what this test must catch, and the rows
each node really read (``Actual Rows`` × loops) show the access is bounded
rather than a whole index walked."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from domain.text import fold, query_tokens
from ledger.config import settings_from_environ
from projections import (
    directory_reads,
    remediation_counters,
    remediation_tracking,
    search,
    search_lists,
)
from projections import directory_temporary as temporary
from projections.directory import ANCESTOR_PATH_SQL
from projections.directory_reads import VIEWER_SQL
from projections.remediation_counters import due
from services import commands as c
from services.app import Kiemdiem
from services.demo_province import IMPORT_COLUMNS
from services.demo_province_plan import ProvincePlan, plan_province
from services.member_import import import_members
from services.setup import initialise

pytestmark = pytest.mark.postgres

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "mat-khau-quan-tri"
MEMBERS = 2_000
LARGE = 1_000  # rows from which a table counts as large (its scan grows with it)
BOUND = 1_000  # rows one plan node may read of a large table (pages, candidates)


def _postgres_or_skip() -> None:
    try:
        with psycopg.connect(PG_ADMIN):
            return
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")


def _build(services: Kiemdiem, plan: ProvincePlan) -> None:
    """The plan's tree and members, through the services (as the generator)."""
    admin = services.authenticate("admin", ADMIN_PASSWORD)
    assert admin is not None
    province = plan.province

    def found(code: str, name: str, kind: str, parent: Any) -> None:
        services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    found(province.code, province.name, province.kind, None)
    for level in plan.levels:
        if level is not province:
            found(level.code, level.name, level.kind, province.org_id)
        found(level.btv_code, level.btv_name, "leadership_collective", level.org_id)
        for cell in level.cells:
            found(cell.code, cell.name, "cell", level.org_id)
    out = io.StringIO()
    sheet = csv.writer(out)
    sheet.writerow(IMPORT_COLUMNS)
    for cell in plan.cells:
        for m in cell.members:
            birth, admitted = m.birth.isoformat(), m.admitted.isoformat()
            sheet.writerow((m.name, m.card, birth, admitted, m.status, cell.code))
    report = import_members(
        services,
        admin.signer,
        out.getvalue().encode(),
        "province.csv",
        dry_run=False,
    )
    assert not report.errors


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Iterator[tuple[Kiemdiem, ProvincePlan, str]]:
    _postgres_or_skip()
    root = tmp_path_factory.mktemp("explain")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
        mp.setenv("KIEMDIEM_INSTANCE_DIR", str(root / "instance"))
        mp.setenv("KIEMDIEM_PROJECTIONS", "inline")
        mp.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "cum-tu-khoa-nhat-ky-thu")
        for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE"):
            mp.delenv(key, raising=False)
        settings = settings_from_environ(database_url=f"{PG_BASE}?schema={schema}")
        initialise(
            settings,
            origin="kiemdiem.test/tinh-uy",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=ADMIN_PASSWORD,
        )
        services = Kiemdiem(settings)
        try:
            plan = plan_province(MEMBERS, 7)
            _build(services, plan)
            services.projections.catch_up()
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'ANALYZE "{schema}".search_entries')
                conn.execute(f'ANALYZE "{schema}".search_tokens')
                conn.execute(f'ANALYZE "{schema}".search_counts')
                for table in ("members", "organisations", "org_ancestors"):
                    conn.execute(f'ANALYZE "{schema}".directory_{table}')
            yield services, plan, schema
        finally:
            services.close()
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _large_tables(schema: str) -> set[str]:
    with psycopg.connect(PG_ADMIN) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' "
            "AND c.reltuples >= %s",
            (schema, LARGE),
        ).fetchall()
    return {r[0] for r in rows}


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _plan(services: Kiemdiem, statement: search.Statement, *views: str) -> Any:
    sql, args = statement
    with services.projections.read(*views) as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        row = cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args).fetchone()
    assert row is not None
    plan = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    return plan[0]["Plan"]


def _problems(
    services: Kiemdiem, schema: str, statement: search.Statement, *views: str
) -> list[str]:
    """Sequential scans of large tables, and nodes reading too much of one."""
    large = _large_tables(schema)
    plan = _plan(services, statement, *(views or ("search", "directory")))
    found = []
    for node in _nodes(plan):
        relation = node.get("Relation Name", "")
        if relation not in large:
            continue
        # rows the node looked at: those it returned and those it threw away
        per_loop = sum(
            int(node.get(key, 0))
            for key in (
                "Actual Rows",
                "Rows Removed by Filter",
                "Rows Removed by Index Recheck",
            )
        )
        read = per_loop * int(node.get("Actual Loops", 1))
        if node["Node Type"] == "Seq Scan":
            found.append(f"Seq Scan on {relation}")
        elif read > BOUND:
            found.append(f"{node['Node Type']} on {relation} read {read} rows")
    return found


def test_the_province_is_large_enough_to_mean_something(province):
    _services, plan, schema = province
    large = _large_tables(schema)
    assert {"search_entries", "search_tokens", "directory_members"} <= large
    assert len(plan.members) == MEMBERS


def test_a_chi_bo_member_page_uses_indexes(province):
    services, plan, schema = province
    cell = str(plan.communes[0].cells[0].org_id)
    first = search.member_page_sql(
        cell_id=cell, narrowing=search.EVERYWHERE, after=None, limit=50
    )
    assert _problems(services, schema, first) == []
    rows = search.run(services.projections, first)
    assert 15 <= len(rows) <= 40
    # a commune secretary's narrowing, the page after the first row
    commune = str(plan.communes[0].org_id)
    narrowed = search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),))
    after = (rows[0]["sort_key"], rows[0]["member_id"])
    nxt = search.member_page_sql(
        cell_id=cell, narrowing=narrowed, after=after, limit=50
    )
    assert _problems(services, schema, nxt) == []
    assert len(search.run(services.projections, nxt)) == len(rows) - 1


def test_the_whole_member_list_by_name_uses_indexes(province):
    services, plan, schema = province
    statement = search.member_page_sql(
        cell_id=None, narrowing=search.EVERYWHERE, after=None, limit=50
    )
    assert _problems(services, schema, statement) == []
    assert len(search.run(services.projections, statement)) == 51
    # a commune secretary's whole branch, by name
    commune = str(plan.communes[-1].org_id)
    narrowed = search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),))
    branch = search.member_page_sql(
        cell_id=None, narrowing=narrowed, after=None, limit=50
    )
    assert _problems(services, schema, branch) == []
    assert len(search.run(services.projections, branch)) == 51


def test_an_organisations_children_use_indexes(province):
    services, plan, schema = province
    commune = str(plan.communes[0].org_id)
    narrowed = search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),))
    for parent in (None, str(plan.province.org_id), commune):
        for narrowing in (search.EVERYWHERE, narrowed):
            statement = search.children_page_sql(
                parent, after=None, limit=50, narrowing=narrowing
            )
            assert _problems(services, schema, statement) == [], parent
    # the commune's secretary sees, under the province, their commune only
    theirs = search.children_page_sql(
        str(plan.province.org_id), after=None, limit=50, narrowing=narrowed
    )
    assert [r["org_id"] for r in search.run(services.projections, theirs)] == [commune]
    rows = search.run(
        services.projections, search.children_page_sql(None, after=None, limit=50)
    )
    assert [r["n"] for r in rows] == [MEMBERS]  # the province, rolled up


def _queries(plan: ProvincePlan) -> dict[str, str]:
    someone = plan.members[len(plan.members) // 2]
    words = fold(someone.name).split()
    return {
        "name": fold(someone.name),
        "name_start": f"{words[0]} {words[-1][:1]}",  # "nguyen a"
        "family": words[0],  # the commonest words: the widest range
        "organisation": "chi bo",
        "card": someone.card[:5],
    }


@pytest.mark.parametrize(
    "what", ["name", "name_start", "family", "organisation", "card"]
)
def test_search_uses_indexes(province, what):
    services, plan, schema = province
    query = _queries(plan)[what]
    words = query_tokens(query)
    commune = str(plan.communes[0].org_id)
    narrowings = [
        search.EVERYWHERE,
        search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),)),
    ]
    kinds = search.KINDS
    for narrowing in narrowings:
        first = search.candidates_sql(words[0], narrowing, kinds, personal=True)
        assert _problems(services, schema, first) == [], narrowing
        pairs = [
            (r["kind"], r["entity_id"]) for r in search.run(services.projections, first)
        ]
        if pairs:
            second = search.matches_sql(pairs, words[1:], personal=True)
            assert _problems(services, schema, second) == [], narrowing
    found = search.find(
        services.projections, words, narrowing=search.EVERYWHERE, personal=True
    )
    assert found, query


def test_a_chi_bos_member_count_uses_the_index(province):
    services, plan, schema = province
    cell = str(plan.communes[0].cells[0].org_id)
    statement = ("SELECT COUNT(*) FROM {members} m WHERE m.cell_id = ?", [cell])
    assert _problems(services, schema, statement, "directory") == []


def test_a_scope_checks_ancestor_path_uses_the_index(province):
    services, plan, schema = province
    cell = str(plan.communes[0].cells[0].org_id)
    assert _problems(services, schema, (ANCESTOR_PATH_SQL, [cell]), "directory") == []


def test_the_read_gates_viewer_uses_indexes(province):
    """Every request's viewer (services.read_viewer): the account with its
    organisation and its member's chi bộ, then the ancestors of both."""
    services, plan, schema = province
    found = services.projections.query(
        "directory",
        "SELECT account_id FROM {accounts} ORDER BY member_id IS NULL LIMIT 1",
    )
    assert found
    viewer = (VIEWER_SQL, [found[0]["account_id"]])
    assert _problems(services, schema, viewer, "directory") == []
    cells = [str(c.org_id) for c in plan.communes[0].cells[:2]]
    union = (
        "SELECT DISTINCT ancestor_id FROM {org_ancestors} WHERE org_id IN (?, ?)",
        cells,
    )
    assert _problems(services, schema, union, "directory") == []


def test_a_review_venue_s_people_use_indexes(province):
    """The subject page's comment form reads the venue's people only: a chi bộ's
    members and the venue's post holders, each through its index."""
    services, plan, schema = province
    cell = str(plan.communes[0].cells[0].org_id)
    for statement in directory_reads.venue_people_sql(cell, cell, 61):
        assert _problems(services, schema, statement, "directory") == [], statement
    rows = directory_reads.venue_people(services.projections, cell, cell, 61)
    assert 15 <= len(rows) <= 40
    assert {r["cell_id"] for r in rows} == {cell}


def test_the_chi_bo_suggestions_use_indexes(province):
    """The enrolment and transfer pages' suggestions: the first chi bộ by name
    in reach, walked through the name index and bounded, for the administrator
    (the whole province) and for a commune's secretary (their branch)."""
    services, plan, schema = province
    commune = plan.communes[0]
    for narrowing in (
        search.EVERYWHERE,
        search.Narrowing(roots=(str(commune.org_id),)),
    ):
        statement = search.cells_page_sql(narrowing, 200)
        assert _problems(services, schema, statement) == [], narrowing
    assert len(plan.cells) > 50
    everywhere = search.cells_page(services.projections, search.EVERYWHERE, 50)
    assert len(everywhere) == 51  # the province has more: one more says so
    assert {r["kind"] for r in everywhere} == {"cell"}
    assert [r["sort_key"] for r in everywhere] == sorted(
        r["sort_key"] for r in everywhere
    )
    theirs = search.cells_page(
        services.projections, search.Narrowing(roots=(str(commune.org_id),)), 200
    )
    assert {r["org_id"] for r in theirs} == {str(c.org_id) for c in commune.cells}


def test_the_organisation_suggestions_use_indexes(province):
    """A list's organisation field (remediation): the first organisations of
    any kind by name in reach, bounded as the chi bộ suggestions are."""
    services, plan, schema = province
    commune = plan.communes[0]
    for narrowing in (
        search.EVERYWHERE,
        search.Narrowing(roots=(str(commune.org_id),)),
    ):
        statement = search.cells_page_sql(narrowing, 200, kind=None)
        assert _problems(services, schema, statement) == [], narrowing
    rows = search.cells_page(services.projections, search.EVERYWHERE, 50, kind=None)
    assert len(rows) == 51
    assert len({r["kind"] for r in rows}) > 1


SHORTCOMINGS = 3_000


@pytest.fixture(scope="module")
def remediation_rows(province) -> list[str]:
    """``SHORTCOMINGS`` rows of the remediation view over the province's chi bộ
    (written straight into the view's tables: the query plans are what is
    tested, the handlers have their own tests), three years, every status."""
    _services, plan, schema = province
    statuses = ["OPEN", "IN_PROGRESS", "DONE", "VERIFIED", "NOT_DONE", "RECURRED"]
    cells = [(level, cell) for level in plan.communes for cell in level.cells]
    ids = []
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for n in range(SHORTCOMINGS):
            level, cell = cells[n % len(cells)]
            path = [str(plan.province.org_id), str(level.org_id), str(cell.org_id)]
            ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"shortcoming/{n}"))
            year = 2023 + n % 3
            name = f"Đảng viên {n:05d}"
            status = statuses[n % len(statuses)]
            deadline = f"{year + 1}-0{1 + n % 9}-15"
            conn.execute(
                f'INSERT INTO "{schema}".remediation_shortcomings (shortcoming_id, '
                "plan_id, cycle_id, year, subject_key, subject_kind, subject_name, "
                "place_id, path, source, description, cause, persons, status, "
                "recorded_on, recorded_at, deadline, progress, refusals, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, 'member', %s, %s, %s, 'SUGGESTION', "
                "'x', 'SUBJECTIVE', '[]', %s, '2024-12-10', %s, %s, 0, 0, %s)",
                (
                    ident,
                    ident,
                    ident,
                    year,
                    f"m:{ident}",
                    name,
                    str(cell.org_id),
                    json.dumps(path),
                    status,
                    n,
                    deadline,
                    n,
                ),
            )
            for org in path:
                conn.execute(
                    f'INSERT INTO "{schema}".remediation_scope (shortcoming_id, '
                    "org_id, held, sort_year, subject_name, recorded_at, status, "
                    "deadline, due) VALUES (%s, %s, 1, %s, %s, %s, %s, %s, %s)",
                    (
                        ident,
                        org,
                        -year,
                        name,
                        n,
                        status,
                        deadline,
                        due(status, deadline),
                    ),
                )
            ids.append(ident)
        for table in ("shortcomings", "scope"):
            conn.execute(f'ANALYZE "{schema}".remediation_{table}')
    return ids


def test_the_remediation_list_pages_use_indexes(province, remediation_rows):
    """The tracking list of the province (every row under it), its pages after
    and before a row, and its filters: one range of ``scope_page`` each, each
    row's shortcoming by primary key, never more than a page read."""
    services, plan, schema = province
    org = str(plan.province.org_id)
    day: dict[str, Any] = {"today": "2025-03-01", "soon": "2025-03-31", "limit": 50}
    first = remediation_tracking.tracking_page_sql(org, **day)
    assert _problems(services, schema, first, "remediation") == []
    rows = remediation_tracking.tracking_page(services.projections, org, **day)
    assert len(rows) == 51
    assert [r["year"] for r in rows] == [2025] * 51  # latest year first
    middle = remediation_tracking.position(
        services.projections, org, rows[25]["shortcoming_id"]
    )
    assert middle is not None
    choices: tuple[dict[str, Any], ...] = (
        {"after": middle},
        {"before": middle},
        {"year": 2024, "after": middle},
        {"status": "OPEN"},
        {"status": "OPEN", "after": middle},
        {"urgency": "overdue", "year": 2024},
    )
    for options in choices:
        statement = remediation_tracking.tracking_page_sql(org, **day, **options)
        assert _problems(services, schema, statement, "remediation") == [], options
    nxt = remediation_tracking.tracking_page(
        services.projections, org, after=middle, **day
    )
    assert [r["shortcoming_id"] for r in nxt[:25]] == [
        r["shortcoming_id"] for r in rows[26:51]
    ]
    assert remediation_tracking.years(services.projections, org) == [2025, 2024, 2023]
    opened = remediation_tracking.tracking_page(
        services.projections, org, status="OPEN", **day
    )
    assert len(opened) == 51
    assert {r["status"] for r in opened} == {"OPEN"}


def test_the_worklist_reads_its_first_items_by_index(province, remediation_rows):
    """The worklist's and the dashboard reminders' first overdue items and
    claims awaiting verification in the province: one range of ``scope_due``
    / ``scope_held`` each, never the branch's every item (their totals are the
    counters, a primary-key range)."""
    services, plan, schema = province
    org = str(plan.province.org_id)
    overdue = remediation_counters.first_overdue_sql(org, "2025-03-01", 20)
    awaiting = remediation_counters.first_at_status_sql(org, "DONE", 20)
    for statement in (overdue, awaiting):
        assert _problems(services, schema, statement, "remediation") == []
    views = services.projections
    rows = remediation_counters.first_overdue(views, org, "2025-03-01", 20)
    assert len(rows) == 20
    assert [r["deadline"] for r in rows] == sorted(r["deadline"] for r in rows)
    assert all(r["deadline"] < "2025-03-01" for r in rows)
    done = remediation_counters.first_at_status(views, org, "DONE", 20)
    assert len(done) == 20
    assert {r["status"] for r in done} == {"DONE"}


def test_the_accounts_list_pages_use_indexes(province):
    """The administrator's accounts list: a page by username, and the page
    after a row, one range of ``accounts_username`` each (each row's key by
    ``keys_owner``). ``ACCOUNTS`` rows written straight into the view's table.
    A search is not checked here: it filters that walk by ``folded LIKE``, so
    the rows read grow with the accounts skipped (the accounts, not the
    members: a province's role holders)."""
    services, _plan, schema = province
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for n in range(ACCOUNTS):
            name = f"Nguyễn Văn {n:05d}"
            conn.execute(
                f'INSERT INTO "{schema}".directory_accounts (account_id, username, '
                "full_name, roles, org_id, member_id, disabled, folded) "
                "VALUES (%s, %s, %s, '[\"secretary\"]', NULL, NULL, 0, %s)",
                (
                    str(uuid.uuid5(uuid.NAMESPACE_URL, f"account/{n}")),
                    f"tk{n:05d}",
                    name,
                    fold(f"tk{n:05d} {name}"),
                ),
            )
        conn.execute(f'ANALYZE "{schema}".directory_accounts')
    first = directory_reads.account_page_sql([], after=None, limit=50)
    assert _problems(services, schema, first, "directory") == []
    rows = directory_reads.account_page(services.projections, [], after=None, limit=50)
    assert len(rows) == 51
    middle = (rows[25]["username"], rows[25]["account_id"])
    for statement in (
        directory_reads.account_page_sql([], after=middle, limit=50),
        directory_reads.account_page_sql([], after=None, before=middle, limit=50),
    ):
        assert _problems(services, schema, statement, "directory") == [], statement
    found = directory_reads.account_page(
        services.projections, ["van", "00042"], after=None, limit=50
    )
    assert [r["username"] for r in found] == ["tk00042"]


ACCOUNTS = 2_000


LISTED = 1_500  # cycles and votes written straight into the views' tables
CYCLE_ROW = (
    "INSERT INTO {s}.ratings_cycles (cycle_id, org_id, org_name, year, period, "
    "rulebook_id, reference_date, deadlines, options, closed, opened_at) "
    "VALUES (%s, %s, %s, 2025, 'annual', 'x', '2025-12-31', '{{}}', '{{}}', 0, 1)"
)
VOTE_ROW = (
    "INSERT INTO {s}.vote_results_votes (vote_id, org_id, code, organisation, "
    "title, vote_year, conference_date, mode, state, leaders, trustees, threshold, "
    "convened, ballots, partials, ceremony_runs, created_at, updated_at) VALUES "
    "(%s, %s, %s, %s, %s, 2025, '2025-12-10', 'A', 'x', 1, 3, 2, 9, 0, 0, 0, 1, 1)"
)
ENTRY_ROW = (
    "INSERT INTO {s}.search_entries (kind, entity_id, display, code, org_id, "
    "sort_key, folded, private) VALUES (%s, %s, %s, '', %s, %s, '', '')"
)


def _listed(schema: str, plan: ProvincePlan) -> None:
    """``LISTED`` cycles and votes of the province's chi bộ: search entries and
    rows of the cycle and vote views (the columns the lists read)."""
    cells = [str(cell.org_id) for cell in plan.cells]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for n in range(LISTED):
            org, name, title = cells[n % len(cells)], f"Chi bộ {n:05d}", f"Phiếu {n}"
            cycle, vote = (
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"{k}/{n}")) for k in "cv"
            )
            for kind, ident, shown in (("cycle", cycle, name), ("vote", vote, title)):
                row = (kind, ident, shown, org, fold(shown))
                conn.execute(ENTRY_ROW.format(s=f'"{schema}"'), row)
            conn.execute(CYCLE_ROW.format(s=f'"{schema}"'), (cycle, org, name))
            row = (vote, org, f"v{n}", name, title)
            conn.execute(VOTE_ROW.format(s=f'"{schema}"'), row)
        for table in ("search_entries", "ratings_cycles", "vote_results_votes"):
            conn.execute(f'ANALYZE "{schema}".{table}')


def test_the_cycles_and_votes_lists_and_later_pages_use_indexes(province):
    """The cycles and votes lists (``search_lists``) and the whole member list:
    the first page (the administrator's, a commune secretary's), the page after
    a row deep in the list and the page before it, each one range of an index
    by a row value comparison, the page's rows by primary key."""
    services, plan, schema = province
    _listed(schema, plan)
    commune = str(plan.communes[0].org_id)
    narrowed = search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),))
    views = services.projections
    everywhere = {"narrowing": search.EVERYWHERE}
    for kind, view, key in (
        ("cycle", "ratings", "cycle_id"),
        ("vote", "vote_results", "vote_id"),
    ):
        rows = search_lists.page(
            views, kind, **everywhere, after=None, limit=LISTED // 2
        )
        middle = (rows[-1]["sort_key"], rows[-1][key])
        for statement in (
            search_lists.page_sql(kind, **everywhere, after=None, limit=50),
            search_lists.page_sql(kind, narrowing=narrowed, after=None, limit=50),
            search_lists.page_sql(kind, **everywhere, after=middle, limit=50),
            search_lists.page_sql(
                kind, **everywhere, after=None, before=middle, limit=50
            ),
        ):
            found = _problems(services, schema, statement, "search", "directory", view)
            assert found == [], statement
        assert (
            len(
                search_lists.page(views, kind, narrowing=narrowed, after=None, limit=50)
            )
            == 51
        )
    whole = {"cell_id": None, "narrowing": search.EVERYWHERE}
    members = search.run(
        views, search.member_page_sql(**whole, after=None, limit=1_200)
    )
    deep = (members[-1]["sort_key"], members[-1]["member_id"])
    for statement in (
        search.member_page_sql(**whole, after=deep, limit=50),
        search.member_page_sql(**whole, after=None, before=deep, limit=50),
    ):
        assert _problems(services, schema, statement) == [], statement


def test_the_temporary_activity_lists_use_indexes(province):
    """Who is on temporary party activity where (directory v7): three members
    in four attached at a chi bộ of another commune, far more than a province
    has, so the tables are large (rows written straight into the view's tables
    as its handlers place them). A page of either list, at the province, a
    commune and a chi bộ, first or from a row, reads one range of
    ``temporary_places``' key and the page's rows by primary key."""
    services, plan, schema = province
    cells = [str(c.org_id) for c in plan.cells]
    host_of = {cell: cells[(n + 11) % len(cells)] for n, cell in enumerate(cells)}
    prefix = f'"{schema}".directory_'
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        members = conn.execute(
            f"SELECT member_id, cell_id, full_name FROM {prefix}members "
            "ORDER BY member_id"
        ).fetchall()
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {prefix}temporary_cells (member_id, cell_id, since, "
                "decision_no, home_cell_id, sort_key) "
                "VALUES (%s, %s, '2025-03-01', NULL, %s, %s)",
                [
                    (member, host_of[cell], cell, fold(name))
                    for n, (member, cell, name) in enumerate(members)
                    if n % 4
                ],
            )
        ancestors = f"{prefix}org_ancestors"
        not_above_host = (
            f" AND a.ancestor_id NOT IN (SELECT h.ancestor_id FROM {ancestors} h "
            "WHERE h.org_id = t.cell_id)"
        )
        for side, column, only in (
            ("here", "cell_id", ""),
            ("away", "home_cell_id", not_above_host),
        ):
            conn.execute(
                f"INSERT INTO {prefix}temporary_places "
                "(org_id, side, sort_key, member_id) "
                f"SELECT a.ancestor_id, '{side}', t.sort_key, t.member_id "
                f"FROM {prefix}temporary_cells t JOIN {ancestors} a "
                f"ON a.org_id = t.{column} WHERE true{only}"
            )
        for table in ("temporary_cells", "temporary_places"):
            conn.execute(f"ANALYZE {prefix}{table}")
    assert {"directory_temporary_cells", "directory_temporary_places"} <= (
        _large_tables(schema)
    )
    commune, cell = plan.communes[0], plan.communes[0].cells[0]
    for org in (plan.province.org_id, commune.org_id, cell.org_id):
        for side in (temporary.HERE, temporary.AWAY):
            rows = temporary.temporary_page(
                services.projections, str(org), side, limit=50
            )
            if org == plan.province.org_id and side == temporary.HERE:
                assert len(rows) == 51  # every attachment is the province's
            mid = rows[len(rows) // 2] if rows else {"sort_key": "m", "member_id": ""}
            middle = (mid["sort_key"], mid["member_id"])
            for page in ({}, {"after": middle}, {"before": middle}):
                statement = temporary.temporary_page_sql(
                    str(org), side, limit=50, **page
                )
                found = _problems(services, schema, statement, "directory")
                assert found == [], (org, side, page)
