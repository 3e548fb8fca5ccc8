"""The ledger's own tables beside the library's events table (ledger.md §6, §4.4).

``ledger_leaves``, ``ledger_checkpoints`` and ``ledger_alerts`` are evidence and are
append-only; on PostgreSQL owner-owned triggers refuse UPDATE, DELETE and TRUNCATE
on them and on the events table (§10.3). ``ledger_key_vault`` and
``account_credentials`` are mutable and are not evidence: tampering with them can
deny service but cannot forge anything, because public keys live in the log.
"""

from __future__ import annotations

from ledger.sql import Sql

_TABLES = {
    "ledger_leaves": (
        "idx {int} PRIMARY KEY, notification_id {int} NOT NULL UNIQUE, "
        "leaf_hash {blob} NOT NULL"
    ),
    "ledger_checkpoints": (
        "size {int} PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL, "
        "issued_at TEXT NOT NULL"
    ),
    "ledger_alerts": (
        "notification_id {int} NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, "
        "at TEXT NOT NULL, PRIMARY KEY (notification_id, kind)"
    ),
    "ledger_key_vault": (
        "user_id TEXT NOT NULL, key_id TEXT NOT NULL, wrapped TEXT NOT NULL, "
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
        "PRIMARY KEY (user_id, key_id)"
    ),
    "account_credentials": (
        "user_id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, "
        "password_hash TEXT NOT NULL, updated_at TEXT NOT NULL"
    ),
}
APPEND_ONLY = ("ledger_events", "ledger_leaves", "ledger_checkpoints", "ledger_alerts")


def create_tables(sql: Sql) -> None:
    """Create the ledger tables if missing (idempotent)."""
    types = (
        {"int": "BIGINT", "blob": "BYTEA"}
        if sql.postgres
        else {"int": "INTEGER", "blob": "BLOB"}
    )
    with sql.tx(commit=True) as cur:
        for name, columns in _TABLES.items():
            table = sql.table(name)
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ({columns.format(**types)})"
            )
        if sql.postgres:
            _install_append_only_triggers(sql, cur)
            _install_version_trigger_postgres(sql, cur)
        else:
            cur.execute(SQLITE_VERSION_TRIGGER)


VERSION_REFUSED = "ledger event version is not the previous one plus one"
# The store refuses, at insert, an event whose stream version is not the stream's
# last version plus one (1 for a new stream): a replayed or skipped version is
# refused before it is stored, not only found later by `verify` (§5). With the
# primary key (stream, version) this keeps every stream dense. The library's
# IntegrityError mapping makes a refusal a RecordConflictError, like a fork.
SQLITE_VERSION_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS stored_events_next_version "  # noqa: S608
    "BEFORE INSERT ON stored_events WHEN NEW.originator_version <> "
    "COALESCE((SELECT MAX(originator_version) FROM stored_events "
    "WHERE originator_id = NEW.originator_id), 0) + 1 "
    f"BEGIN SELECT RAISE(ABORT, '{VERSION_REFUSED}'); END"
)


def _install_append_only_triggers(sql: Sql, cur: object) -> None:
    schema = sql.settings.pg_schema
    function = f'"{schema}".kiemdiem_append_only'
    execute = cur.execute  # type: ignore[attr-defined]
    execute(
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'ledger rows are append-only'; END $$"
    )
    for name in APPEND_ONLY:
        table = sql.table(name)
        for trigger, timing in (
            ("append_only_rows", "BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW"),
            ("append_only_truncate", "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT"),
        ):
            execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            execute(
                f"CREATE TRIGGER {trigger} {timing.format(t=table)} "
                f"EXECUTE FUNCTION {function}()"
            )


def _install_version_trigger_postgres(sql: Sql, cur: object) -> None:
    schema = sql.settings.pg_schema
    function = f'"{schema}".kiemdiem_next_version'
    table = sql.table("ledger_events")
    execute = cur.execute  # type: ignore[attr-defined]
    execute(
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "  # noqa: S608
        "LANGUAGE plpgsql AS $$ DECLARE last bigint; BEGIN "
        f"SELECT MAX(originator_version) INTO last FROM {table} "
        "WHERE originator_id = NEW.originator_id; "
        "IF NEW.originator_version <> COALESCE(last, 0) + 1 THEN "
        f"RAISE EXCEPTION '{VERSION_REFUSED}' USING ERRCODE = 'check_violation'; "
        "END IF; RETURN NEW; END $$"
    )
    execute(f"DROP TRIGGER IF EXISTS next_version ON {table}")
    execute(
        f"CREATE TRIGGER next_version BEFORE INSERT ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()"
    )


def grant_roles(sql: Sql, *, app_role: str, audit_role: str | None = None) -> None:
    """PostgreSQL roles (§10.3): the app inserts and reads evidence but cannot
    rewrite it; the audit role only reads.

    The app role gets UPDATE on the events table only because the library's
    ``LOCK TABLE … IN EXCLUSIVE MODE`` requires it; the owner-owned triggers
    refuse every UPDATE, DELETE and TRUNCATE, and a non-owner cannot disable them.
    """
    if not sql.postgres:
        raise ValueError("roles exist on PostgreSQL only")
    for role in (app_role, audit_role):
        if role is not None and not role.replace("_", "").isalnum():
            raise ValueError(f"role name {role!r} is not a plain identifier")
    schema = f'"{sql.settings.pg_schema}"'
    evidence = ("ledger_leaves", "ledger_checkpoints", "ledger_alerts")
    with sql.tx(commit=True) as cur:
        cur.execute(f'GRANT USAGE, CREATE ON SCHEMA {schema} TO "{app_role}"')
        cur.execute(
            f"GRANT SELECT, INSERT, UPDATE ON {sql.table('ledger_events')} "
            f'TO "{app_role}"'
        )
        for name in evidence:
            cur.execute(f'GRANT SELECT, INSERT ON {sql.table(name)} TO "{app_role}"')
        for name in ("ledger_key_vault", "account_credentials"):
            cur.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {sql.table(name)} "
                f'TO "{app_role}"'
            )
        cur.execute(
            f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO "{app_role}"'
        )
        cur.execute(
            f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO "{app_role}"'
        )
        if audit_role is not None:
            cur.execute(f'GRANT USAGE ON SCHEMA {schema} TO "{audit_role}"')
            cur.execute(
                f'GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO "{audit_role}"'
            )
