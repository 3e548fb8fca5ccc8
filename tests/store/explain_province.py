"""A generated province on PostgreSQL for the EXPLAIN tests (issue 14,
deliverable 2): the tree and 2,000 members imported through the services, and
the check that a plan reads no large table whole. The why of ``enable_seqscan
= off`` is in ``test_directory_explain``."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.config import settings_from_environ
from projections import (
    search,
)
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


def postgres_or_skip() -> None:
    try:
        with psycopg.connect(PG_ADMIN):
            return
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")


def build_province(services: Kiemdiem, plan: ProvincePlan) -> None:
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


@contextmanager
def generated_province(
    root: Path, database_url: str, members: int, seed: int
) -> Iterator[tuple[Kiemdiem, ProvincePlan]]:
    """A store at ``database_url`` holding a generated province's tree and
    members, imported through the services, its views caught up."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
        mp.setenv("KIEMDIEM_INSTANCE_DIR", str(root / "instance"))
        mp.setenv("KIEMDIEM_PROJECTIONS", "inline")
        mp.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "cum-tu-khoa-nhat-ky-thu")
        for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE"):
            mp.delenv(key, raising=False)
        settings = settings_from_environ(database_url=database_url)
        initialise(
            settings,
            origin="kiemdiem.test/tinh-uy",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=ADMIN_PASSWORD,
        )
        services = Kiemdiem(settings)
        try:
            plan = plan_province(members, seed)
            build_province(services, plan)
            services.projections.catch_up()
            yield services, plan
        finally:
            services.close()


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def province_on(
    backend: str, root: Path, members: int, seed: int
) -> Iterator[tuple[Kiemdiem, ProvincePlan]]:
    """``generated_province`` on SQLite (a file under ``root``) or on PostgreSQL
    (a schema of its own, dropped afterwards; skipped when PostgreSQL is down)."""
    if backend == "sqlite":
        with generated_province(root, f"sqlite:///{root}/k.db", members, seed) as built:
            yield built
        return
    postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        url = f"{PG_BASE}?schema={schema}"
        with generated_province(root, url, members, seed) as built:
            yield built
    finally:
        drop_schema(schema)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Iterator[tuple[Kiemdiem, ProvincePlan, str]]:
    postgres_or_skip()
    root = tmp_path_factory.mktemp("explain")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{PG_BASE}?schema={schema}"
    try:
        with generated_province(root, url, MEMBERS, 7) as (services, plan):
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'ANALYZE "{schema}".search_entries')
                conn.execute(f'ANALYZE "{schema}".search_tokens')
                conn.execute(f'ANALYZE "{schema}".search_counts')
                for table in ("members", "organisations", "org_ancestors"):
                    conn.execute(f'ANALYZE "{schema}".directory_{table}')
            yield services, plan, schema
    finally:
        drop_schema(schema)


def large_tables(schema: str) -> set[str]:
    with psycopg.connect(PG_ADMIN) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' "
            "AND c.reltuples >= %s",
            (schema, LARGE),
        ).fetchall()
    return {r[0] for r in rows}


def nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def explain_plan(
    services: Kiemdiem,
    statement: search.Statement,
    *views: str,
    off: Sequence[str] = ("seqscan",),
) -> Any:
    """The plan as run, with the ``off`` plan kinds priced out (``enable_*``)."""
    sql, args = statement
    with services.projections.read(*views) as cursor:
        for kind in off:
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        row = cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args).fetchone()
    assert row is not None
    plan = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    return plan[0]["Plan"]


def problems(
    services: Kiemdiem,
    schema: str,
    statement: search.Statement,
    *views: str,
    off: Sequence[str] = ("seqscan",),
) -> list[str]:
    """Sequential scans of large tables, and nodes reading too much of one."""
    large = large_tables(schema)
    plan = explain_plan(
        services, statement, *(views or ("search", "directory")), off=off
    )
    found = []
    for node in nodes(plan):
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
