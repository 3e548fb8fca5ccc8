"""The views belong to the app role (PostgreSQL, ledger.md §10.3).

``kiemdiem init`` runs as the database owner and opens the views, so their tables
are first created by the owner. The web app and the worker run as the insert-only
app role, which must write them, and drop and re-create them on a rebuild or a
version change. Views are not evidence (they are rebuilt from the log), so
``kiemdiem db grant`` hands their tables to the app role; the ledger's evidence
tables stay the owner's, with the triggers the app role cannot disable.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from projections.sqlutil import IDENTIFIER, quote

if TYPE_CHECKING:
    from ledger.sql import Sql

META_TABLE = "kiemdiem_views"


def view_tables(sql: Sql) -> list[str]:
    """Every table of the recorded views: their own, their tracking, the meta."""
    schema = sql.settings.pg_schema
    with sql.read() as cur:
        found = cur.execute(
            "SELECT to_regclass(?)", (f"{quote(schema)}.{quote(META_TABLE)}",)
        ).fetchone()
        if found is None or found[0] is None:
            return []
        meta = sql.table(META_TABLE)
        rows = cur.execute(f"SELECT name, tables FROM {meta}").fetchall()  # noqa: S608 - name from code
    tables = {META_TABLE}
    for name, recorded in rows:
        tables.add(f"{name}_tracking")
        tables.update(json.loads(recorded))
    return sorted(t for t in tables if IDENTIFIER.match(t))


def hand_over_views(sql: Sql, role: str) -> list[str]:
    """Make ``role`` the owner of every view table it does not own yet; returns
    the tables handed over. Run by the owner (``kiemdiem db grant``)."""
    if not sql.postgres:
        raise ValueError("roles exist on PostgreSQL only")
    if not IDENTIFIER.match(role.lower()) or role != role.lower():
        raise ValueError(f"role name {role!r} is not a plain lowercase identifier")
    tables = view_tables(sql)
    if not tables:
        return []
    schema = sql.settings.pg_schema
    with sql.tx(commit=True) as cur:
        owned = {
            str(r[0])
            for r in cur.execute(
                "SELECT tablename FROM pg_catalog.pg_tables "
                "WHERE schemaname = ? AND tableowner = ?",
                (schema, role),
            ).fetchall()
        }
        existing = {
            str(r[0])
            for r in cur.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ?",
                (schema,),
            ).fetchall()
        }
        handed = [t for t in tables if t in existing and t not in owned]
        for table in handed:
            cur.execute(f"ALTER TABLE {sql.table(table)} OWNER TO {quote(role)}")
    return handed
