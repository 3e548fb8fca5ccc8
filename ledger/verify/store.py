"""Plain-SQL reads of the audited store in one consistent snapshot (SQLite
``mode=ro``, PostgreSQL ``REPEATABLE READ READ ONLY``), and the column values
read back as what they should be."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from ledger.config import Settings
from ledger.verify.report import StoreUnreadableError

PAGE_ROWS = 10_000


# -- reading the store ----------------------------------------------------------------


class _Store:
    """Plain-SQL reads of one consistent snapshot, SQLite or PostgreSQL."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = settings.backend == "postgres"
        self.schema = settings.pg_schema
        self.conn: Any = self._connect(settings)
        if self.postgres:
            self.events = self.table("ledger_events")
            self.nid = "notification_id"
        else:
            self.events = "stored_events"
            self.nid = "rowid"

    def _connect(self, settings: Settings) -> Any:
        if self.postgres:
            return self._connect_postgres(settings)
        path, _, query = (settings.sqlite_path or "").partition("?")
        options = ["mode=ro"]
        if "immutable=1" in query.split("&"):
            options.append("immutable=1")
        if not Path(path).is_file():
            raise StoreUnreadableError(f"không có kho SQLite ở {path}")
        uri = f"file:{quote(path)}?{'&'.join(options)}"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            conn.text_factory = bytes
            conn.execute("BEGIN")  # one read snapshot for every page
        except sqlite3.Error as exc:
            raise StoreUnreadableError(
                f"không mở được {path} (chi tiết kỹ thuật: {exc})"
            ) from exc
        return conn

    def _connect_postgres(self, settings: Settings) -> Any:
        import psycopg

        info = {k: v for k, v in settings.pg_conninfo.items() if v}
        conninfo = psycopg.conninfo.make_conninfo(**info, connect_timeout=10)
        try:
            conn = psycopg.connect(conninfo)
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
        except psycopg.Error as exc:
            msg = f"không kết nối được PostgreSQL (chi tiết kỹ thuật: {exc})"
            raise StoreUnreadableError(msg) from exc
        return conn

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"' if self.postgres else name

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.postgres:
            statement = statement.replace("?", "%s")
        try:
            return list(self.conn.execute(statement, tuple(params)).fetchall())
        except sqlite3.Error as exc:
            raise StoreUnreadableError(
                f"không đọc được kho (chi tiết kỹ thuật: {exc})"
            ) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                msg = f"không đọc được kho (chi tiết kỹ thuật: {exc})"
                raise StoreUnreadableError(msg) from exc
            raise

    def close(self) -> None:
        with contextlib.suppress(Exception):  # ending a read-only snapshot
            self.conn.rollback() if self.postgres else self.conn.execute("ROLLBACK")
        self.conn.close()

    def count_rows(self) -> int:
        rows = self.query(f"SELECT count(*) FROM {self.events}")  # noqa: S608
        return int(rows[0][0])

    def row_pages(self, columns: str) -> Iterator[list[Any]]:
        after = -(2**63)
        statement = (
            f"SELECT {self.nid}, {columns} FROM {self.events} "  # noqa: S608
            f"WHERE {self.nid} > ? ORDER BY {self.nid} LIMIT ?"
        )
        while True:
            page = self.query(statement, (after, PAGE_ROWS))
            if not page:
                return
            yield page
            if len(page) < PAGE_ROWS:
                return
            after = page[-1][0]

    def leaf_pages(self) -> Iterator[list[Any]]:
        after = -(2**63)
        statement = (
            "SELECT idx, notification_id, leaf_hash FROM "  # noqa: S608
            f"{self.table('ledger_leaves')} WHERE idx > ? ORDER BY idx LIMIT ?"
        )
        while True:
            page = self.query(statement, (after, PAGE_ROWS))
            if not page:
                return
            yield page
            if len(page) < PAGE_ROWS:
                return
            after = page[-1][0]

    def integrator_position(self) -> int | None:
        """The notification id of the last leaf: where the integrator stands."""
        rows = self.query(
            f"SELECT notification_id FROM {self.table('ledger_leaves')} "  # noqa: S608
            "ORDER BY idx DESC LIMIT 1"
        )
        return None if not rows else _as_int(rows[0][0])

    def checkpoints(self) -> list[tuple[Any, Any, Any]]:
        return [
            (r[0], r[1], r[2])
            for r in self.query(
                f"SELECT size, root, note FROM {self.table('ledger_checkpoints')} "  # noqa: S608
                "ORDER BY size"
            )
        ]


def _as_int(value: Any) -> int | None:
    return value if type(value) is int else None


def _as_bytes(value: Any) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return None


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    raw = _as_bytes(value)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _same_stream(column: Any, stream: UUID) -> bool:
    """The originator_id column names ``stream`` (SQLite stores 32 hex digits)."""
    if column == stream.hex.encode("ascii"):
        return True
    return _as_uuid(column) == stream


def _same_text(column: Any, text: str) -> bool:
    return bool(column == text.encode("utf-8") or _as_text(column) == text)


def _as_uuid(value: Any) -> UUID | None:
    if isinstance(value, UUID):
        return value
    text = _as_text(value)
    if text is None:
        return None
    try:
        return UUID(text)
    except ValueError:
        return None


_Ref = tuple[int, int, UUID | str | None, int | None]


def _column_ref(ordinal: int, nid: int, oid: Any, ver_column: Any) -> _Ref:
    """A location from the columns alone, when the content cannot say."""
    stream = _as_uuid(oid)
    return (
        ordinal,
        nid,
        stream if stream is not None else _as_text(oid),
        _as_int(ver_column),
    )
