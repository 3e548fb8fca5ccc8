"""The lists' key queries are answered from indexes and read a bounded number
of rows (issue 14, deliverable 2), as in ``test_directory_explain`` and on the
same generated province: the remediation list and worklist, the accounts list,
the cycles and votes lists (and the member list's later pages), who is on
temporary activity where."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest

from domain.text import fold
from projections import (
    directory_reads,
    remediation_counters,
    remediation_tracking,
    search,
    search_lists,
    split_subjects,
)
from projections import directory_temporary as temporary
from projections.ratings import subject_lists, tallies
from projections.remediation_counters import due
from services.demo_province_plan import ProvincePlan
from tests.store.explain_province import (
    PG_ADMIN,
    large_tables,
    problems,
)

pytestmark = pytest.mark.postgres


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
    assert problems(services, schema, first, "remediation") == []
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
        assert problems(services, schema, statement, "remediation") == [], options
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
        assert problems(services, schema, statement, "remediation") == []
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
    assert problems(services, schema, first, "directory") == []
    rows = directory_reads.account_page(services.projections, [], after=None, limit=50)
    assert len(rows) == 51
    middle = (rows[25]["username"], rows[25]["account_id"])
    for statement in (
        directory_reads.account_page_sql([], after=middle, limit=50),
        directory_reads.account_page_sql([], after=None, before=middle, limit=50),
    ):
        assert problems(services, schema, statement, "directory") == [], statement
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
    everywhere = search.EVERYWHERE
    for kind, view, key in (
        ("cycle", "ratings", "cycle_id"),
        ("vote", "vote_results", "vote_id"),
    ):
        rows = search_lists.page(
            views, kind, narrowing=everywhere, after=None, limit=LISTED // 2
        )
        middle = (rows[-1]["sort_key"], rows[-1][key])
        for statement in (
            search_lists.page_sql(kind, narrowing=everywhere, after=None, limit=50),
            search_lists.page_sql(kind, narrowing=narrowed, after=None, limit=50),
            search_lists.page_sql(kind, narrowing=everywhere, after=middle, limit=50),
            search_lists.page_sql(
                kind, narrowing=everywhere, after=None, before=middle, limit=50
            ),
        ):
            found = problems(services, schema, statement, "search", "directory", view)
            assert found == [], statement
        assert (
            len(
                search_lists.page(views, kind, narrowing=narrowed, after=None, limit=50)
            )
            == 51
        )
    members = search.run(
        views,
        search.member_page_sql(
            cell_id=None, narrowing=everywhere, after=None, limit=1_200
        ),
    )
    deep = (members[-1]["sort_key"], members[-1]["member_id"])
    for statement in (
        search.member_page_sql(
            cell_id=None, narrowing=everywhere, after=deep, limit=50
        ),
        search.member_page_sql(
            cell_id=None, narrowing=everywhere, after=None, before=deep, limit=50
        ),
    ):
        assert problems(services, schema, statement) == [], statement


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
        large_tables(schema)
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
                found = problems(services, schema, statement, "directory")
                assert found == [], (org, side, page)


ROUND_SUBJECTS = 3_000
TALLIED_PLACES = 2_000


def test_the_round_levels_and_a_branch_tallies_use_indexes(province):
    """The round page's peer-group gauges and the cycle page's counters
    (cycleround, issue 14): the levels of the subjects an authority decides,
    one range of ``ratings_subjects_round`` (a subject it does not decide by
    primary key), and the status and authority tallies of a branch's places,
    both facets in one statement of the tallies' key ranges, never the cycle's
    every subject or every tally of a facet. Rows written straight into the
    view's tables of the generated province."""
    services, plan, schema = province
    cycle = str(uuid.uuid4())
    # ten deciding authorities (the province's communes and more): a round is
    # a tenth of the cycle
    authorities = [str(c.org_id) for c in plan.communes][:10]
    authorities += [
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"authority/{n}"))
        for n in range(10 - len(authorities))
    ]
    mine = authorities[0]
    levels = ["excellent", "good", "fair", None]
    keys: dict[str, str | None] = {}
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        with conn.cursor() as cursor:
            rows = []
            for n in range(ROUND_SUBJECTS):
                key = f"m:{uuid.uuid5(uuid.NAMESPACE_URL, f'round-subject/{n}')}"
                decides = authorities[n % len(authorities)]
                level = levels[n % len(levels)]
                if decides == mine or n == 1:
                    keys[key] = level
                rows.append((cycle, key, f"Đảng viên {n:05d}", key[2:], decides, level))
            cursor.executemany(
                f'INSERT INTO "{schema}".ratings_subjects (cycle_id, subject_key, '
                "kind, name, klass, appendix, member_id, venues, posts, path, "
                "population, deadline_level, status, revisions, updated_at, "
                "decides, level) VALUES (%s, %s, 'individual', %s, 'member', '2B', "
                "%s, '[]', '{}', '[]', 'members', 'cell', 'decided', 0, 0, %s, %s)",
                rows,
            )
            places = [
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"place/{n}"))
                for n in range(TALLIED_PLACES)
            ]
            cursor.executemany(
                f'INSERT INTO "{schema}".ratings_tallies (cycle_id, org_id, facet, '
                "value, n) VALUES (%s, %s, %s, %s, %s)",
                [
                    (cycle, place, facet, value, 1 + n % 5)
                    for n, place in enumerate(places)
                    for facet, values in (
                        ("status", ("pending", "decided", "held")),
                        ("decides", (mine, authorities[-1])),
                    )
                    for value in values
                ],
            )
        for table in ("subjects", "tallies"):
            conn.execute(f'ANALYZE "{schema}".ratings_{table}')
    assert {"ratings_subjects", "ratings_tallies"} <= large_tables(schema)
    # the round's levels: the authority's range, the odd one by key
    statement = subject_lists.round_levels_sql(cycle, mine)
    assert problems(services, schema, statement, "ratings") == []
    found = subject_lists.subject_levels(
        services.projections, cycle, sorted(keys), decides=mine
    )
    assert found == keys
    assert len(keys) > 1
    assert "good" in keys.values()  # the one another authority decides (n = 1)
    # a branch's tallies: fifty places, both facets in one statement
    branch = places[100:150]
    facets = [tallies.STATUS, tallies.DECIDES]
    statement = tallies.tallies_by_facet_sql(cycle, branch, facets)
    assert problems(services, schema, statement, "ratings") == [], statement
    counts = tallies.tallies_by_facet(
        services.projections, uuid.UUID(cycle), branch, facets
    )
    each = sum(1 + n % 5 for n in range(100, 150))
    assert counts == {
        "status": {"decided": each, "held": each, "pending": each},
        "decides": {mine: each, authorities[-1]: each},
    }
    # what the page's tallies must not be: a facet of the whole cycle (flagged)
    whole = (
        "SELECT value, SUM(n) AS n FROM {tallies} WHERE cycle_id = ? AND facet = ? "
        "GROUP BY value",
        [cycle, "status"],
    )
    assert problems(services, schema, whole, "ratings") != []


def test_a_branch_tallies_are_summed_in_one_statement_by_indexes(province):
    """The cycle page's counters of a keeper's branch (cyclepage, issue 14):
    the tallies at the places in the branch today, summed in one statement
    joining the branch's range of ``org_descendants`` to the tallies' key
    ranges (never the places sent as parameters, never the cycle's every
    tally), equal to the sums over the listed places, a split chi bộ left out
    when asked; the split organisations in a branch by index too."""
    services, plan, schema = province
    views = services.projections
    cycle = str(uuid.uuid4())
    commune = plan.communes[0]
    real = [str(o.org_id) for o in (plan.province, *plan.levels, *plan.cells)]
    # places outside the tree (moved away, or the whole cycle's '*') count for
    # no branch; enough of them that the tallies are a large table
    other = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"far/{n}")) for n in range(400)]
    rows = [
        (cycle, place, facet, value, 1 + n % 7)
        for n, place in enumerate([*dict.fromkeys(real), *other, tallies.WHOLE])
        for facet, values in (
            ("status", ("pending", "decided")),
            ("decides", (str(commune.org_id), str(plan.province.org_id))),
        )
        for value in values
    ]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        with conn.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{schema}".ratings_tallies (cycle_id, org_id, facet, '
                "value, n) VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
        conn.execute(f'ANALYZE "{schema}".ratings_tallies')
    assert "ratings_tallies" in large_tables(schema)
    facets = [tallies.STATUS, tallies.DECIDES]
    for branch in (commune.org_id, plan.province.org_id):
        places = directory_reads.branch_org_ids(views, branch, 10**6)
        assert len(places) > 1
        statement = tallies.branch_tallies_sql(cycle, str(branch), facets)
        found = problems(services, schema, statement, "ratings", "directory")
        if branch == commune.org_id:  # a few places: a few of the cycle's rows
            assert found == [], found
        else:  # most of the cycle's places: the planner may read all its rows
            assert not [f for f in found if f.startswith("Seq Scan")], found
        listed = tallies.tallies_by_facet(views, uuid.UUID(cycle), places, facets)
        summed = tallies.branch_tallies(views, uuid.UUID(cycle), str(branch), facets)
        assert summed == listed
        assert sum(summed["status"].values()) > 0
        # a chi bộ left out (a split one, counted subject by subject)
        cell = str(commune.cells[0].org_id)
        assert cell in places
        without = [p for p in places if p != cell]
        assert tallies.branch_tallies(
            views, uuid.UUID(cycle), str(branch), facets, [cell]
        ) == tallies.tallies_by_facet(views, uuid.UUID(cycle), without, facets)
        split = (split_subjects.SPLIT_IN_BRANCH_SQL, [str(branch)])
        assert problems(services, schema, split, "directory") == []
        assert split_subjects.split_in_branch(views, str(branch)) == {}
