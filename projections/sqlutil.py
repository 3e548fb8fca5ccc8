"""SQL helpers for read models, in the SQLite/PostgreSQL common subset (ledger.md §9.1).

Statements are written once, with ``?`` placeholders and ``{table}`` tokens that
name the read model's own tables by their short names. :func:`render` turns a
statement into the backend's form: tokens become the quoted (on PostgreSQL,
schema-qualified) table names, and on PostgreSQL ``?`` becomes ``%s`` and a
literal ``%`` becomes ``%%``, outside quoted strings only.

Table and column names always come from code (the read model's declaration),
never from users; they are validated against :data:`IDENTIFIER` before use.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from itertools import chain
from typing import Any, Self
from uuid import UUID

from ledger import canonical
from projections.many_rows import Mode, Shape
from projections.sql_text import IDENTIFIER as IDENTIFIER
from projections.sql_text import MAX_IDENTIFIER as MAX_IDENTIFIER
from projections.sql_text import ViewDefinitionError as ViewDefinitionError
from projections.sql_text import check_columns as check_columns
from projections.sql_text import normalise_columns as normalise_columns
from projections.sql_text import quote as quote
from projections.sql_text import render as render
from projections.sql_text import to_pyformat as to_pyformat


def adapt_param(value: Any) -> Any:
    """One parameter in a form both backends store identically."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bytes:
        return value
    if kind is bool:
        return int(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return canonical.format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, Enum):
        return adapt_param(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    msg = (
        f"cannot store a {kind.__name__} in a view: views hold integers, text and "
        "bytes only (no floats; write decimals and fractions as text)"
    )
    raise TypeError(msg)


_STORED_AS_IS = frozenset({str, int, bytes, type(None)})


def adapt_params(params: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...]:
    kind = type(params)
    # (``isinstance`` of an ABC costs more than the rest for a tuple or list.)
    if kind is not tuple and kind is not list and isinstance(params, Mapping):
        msg = "view statements take positional ? parameters, not a mapping"
        raise TypeError(msg)
    # Most parameters are already text, integers or NULL (a rebuild adapts
    # every parameter of every statement): those pass without a call each,
    # looked for in C (``map``).
    if _STORED_AS_IS.issuperset(map(type, params)):
        return params if kind is tuple else tuple(params)  # type: ignore[return-value]
    return tuple(adapt_param(p) for p in params)


def as_tuple(row: Any) -> tuple[Any, ...]:
    values = tuple(row.values()) if isinstance(row, dict) else tuple(row)
    # Looked for in C (``map``): a rebuild converts every row it reads.
    if memoryview in map(type, values):
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in values)
    return values


def as_tuples(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    """:func:`as_tuple` of each row; SQLite's rows hold no ``memoryview``."""
    if not rows:
        return []
    kind = type(rows[0])
    if kind is sqlite3.Row:
        return [tuple(row) for row in rows]
    if kind is tuple and type(rows) is list:
        # PostgreSQL's rows (``tuple_row``): one look for a ``memoryview``
        # over every value, in C, rather than a call per row.
        values = chain.from_iterable(rows)
        if set(map(type, rows)) == {tuple} and memoryview not in map(type, values):
            return rows
    return [as_tuple(row) for row in rows]


# A page reads through a new cursor per statement: the placeholders of each
# statement text (pure, a character at a time) adapted once per process.
_pyformat = lru_cache(maxsize=4096)(to_pyformat)


def column_names(description: Any) -> list[str]:
    return [str(d[0]) for d in description or ()]


class ViewCursor:
    """What a handler or a page gets to run SQL on views.

    ``execute`` renders ``{table}`` tokens and ``?`` placeholders for the backend;
    rows come back as tuples (bytes for binary columns) or, from the ``*_dicts``
    methods, as dicts keyed by column name.
    """

    def __init__(
        self,
        raw: Any,
        *,
        postgres: bool,
        tables: Mapping[str, str],
        namespaces: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        # The library's SQLite cursor wraps the sqlite3 cursor without exposing
        # its description; use the sqlite3 cursor itself.
        self._raw = getattr(raw, "sqlite_cursor", raw)
        if postgres and hasattr(self._raw, "connection"):
            # Rows as tuples, as :func:`as_tuple` makes them: psycopg's dict
            # rows cost a dict (and its names) per row read, then a tuple.
            from psycopg.rows import tuple_row  # PostgreSQL only

            self._raw = self._raw.connection.cursor(row_factory=tuple_row)
        # SQLite's rows as plain tuples too, on a cursor of the same connection
        # (the same transaction): the library's ``sqlite3.Row`` cost a tuple
        # made of each row read (a report reads 16,649). SQLite never gives a
        # ``memoryview``, so its rows are handed out as they come.
        self._plain = isinstance(self._raw, sqlite3.Cursor)
        if self._plain:
            self._raw = self._raw.connection.cursor()
            self._raw.row_factory = None
        self.postgres = postgres
        self._tables = dict(tables)
        self._namespaces = {k: dict(v) for k, v in (namespaces or {}).items()}
        self._rendered: dict[str, str] = {}
        # rendered statement -> its result's column names (building them from
        # psycopg's description costs more than reading the row)
        self._names: dict[str, list[str]] = {}
        self._last = ""
        self._upserts: dict[tuple[str, tuple[str, ...], tuple[str, ...]], str] = {}

    def table(self, name: str, model: str | None = None) -> str:
        """The quoted, qualified name of a view table, for hand-built SQL."""
        token = "{" + (f"{model}.{name}" if model else name) + "}"
        return render(token, self._tables, self._namespaces, postgres=False)

    def render(self, statement: str) -> str:
        # Handlers run the same few statements for every event of a page: render
        # each once per cursor (rebuild speed, ledger.md §12).
        rendered = self._rendered.get(statement)
        if rendered is None:
            rendered = render(statement, self._tables, self._namespaces, postgres=False)
            if self.postgres:  # what render(postgres=True) does, once a process
                rendered = _pyformat(rendered)
            self._rendered[statement] = rendered
        return rendered

    def execute(
        self, statement: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> Self:
        rendered = self._last = self.render(statement)
        self._raw.execute(rendered, adapt_params(params))
        return self

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        self._raw.executemany(
            self.render(statement), [adapt_params(row) for row in rows]
        )

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._raw.fetchone()
        if self._plain:
            return row  # type: ignore[no-any-return]
        return None if row is None else as_tuple(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._plain:
            return self._raw.fetchall()  # type: ignore[no-any-return]
        return as_tuples(self._raw.fetchall())

    @property
    def columns(self) -> list[str]:
        names = self._names.get(self._last)
        if names is None:
            names = column_names(self._raw.description)
            if self._last and names:
                self._names[self._last] = names
        return names

    def fetchone_dict(self) -> dict[str, Any] | None:
        row = self.fetchone()
        return None if row is None else dict(zip(self.columns, row, strict=True))

    def fetchall_dicts(self) -> list[dict[str, Any]]:
        names = self.columns
        return [dict(zip(names, row, strict=True)) for row in self.fetchall()]

    def scalar(
        self, statement: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(statement, params).fetchone()
        return None if row is None else row[0]


class Tx(ViewCursor):
    """The handler's transaction: a :class:`ViewCursor` with write helpers.

    Everything a handler does through it commits together with the tracking
    position of the page, or not at all.

    With ``deferred`` (a rebuild's page) the rows of :meth:`upsert`,
    :meth:`insert` and :meth:`insert_ignoring` wait and are written together,
    one ``executemany`` per table and statement (pipelined on PostgreSQL), in
    the order given, just before the next statement that names their table and
    at :meth:`flush`, which the caller runs before committing: the rows then are
    those of writing each at once. A deferred row's error surfaces at the flush,
    not in its handler: the caller replays such a page without deferring.
    """

    def __init__(
        self,
        raw: Any,
        *,
        postgres: bool,
        tables: Mapping[str, str],
        namespaces: Mapping[str, Mapping[str, str]] | None = None,
        deferred: bool = False,
    ) -> None:
        super().__init__(raw, postgres=postgres, tables=tables, namespaces=namespaces)
        self.deferred = deferred
        # What a read model keeps for the end of the event (or, deferred, of
        # the page) by a name of its own: e.g. the subjects whose open items
        # the ratings view refills once then (``ReadModel.finish``).
        self.later: dict[str, Any] = {}
        # table -> statements and their rows, in the order they were given
        self._pending: dict[str, list[tuple[str, list[tuple[Any, ...]]]]] = {}
        # table -> insert_ignoring rows already given since the table was last
        # named by another statement (giving them again is a no-op)
        self._written: dict[str, set[tuple[str, tuple[Any, ...]]]] = {}
        self._named: dict[str, frozenset[str]] = {}
        self._inserts: dict[tuple[str, tuple[str, ...], bool], str] = {}
        # table -> the counting statement and each key's sum (add_counts)
        self._counts: dict[str, tuple[str, dict[tuple[Any, ...], int]]] = {}
        self._counters: dict[tuple[str, tuple[str, ...], str], str] = {}
        # deferred statement -> its shape, to write its rows many per statement
        self._shapes: dict[str, Shape] = {}
        self._numbered: Any = None  # PostgreSQL: a cursor for $n statements

    def execute(
        self, statement: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> Self:
        if self._pending or self._written or self._counts:
            self._before(statement)
        return super().execute(statement, params)

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._pending or self._written or self._counts:
            self._before(statement)
        super().executemany(statement, rows)

    def add_counts(
        self,
        table: str,
        key_columns: Sequence[str],
        column: str,
        keys: Iterable[Sequence[Any]],
    ) -> None:
        """Add one to ``column`` of each key's row (a new row holds 1): one
        ``INSERT … ON CONFLICT (key) DO UPDATE SET column = column +
        excluded.column`` per key. Deferred, a page's additions to one key are
        summed and written as one row, at the flush: the counts are those of
        adding each at once."""
        self.add_amounts(table, key_columns, column, [(*key, 1) for key in keys])

    def add_amounts(
        self,
        table: str,
        key_columns: Sequence[str],
        column: str,
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Add each row's last value to ``column`` of its key's row (the values
        before it; a new row holds the amount, 0 included): as
        :meth:`add_counts`, deferred summed per key over the page; otherwise
        in one statement per few hundred keys, each key once."""
        statement = self._count_statement(table, tuple(key_columns), column)
        if not rows:
            return
        if not self.deferred:
            sums: dict[tuple[Any, ...], int] = {}
            for row in rows:
                key = adapt_params(row[:-1])
                sums[key] = sums.get(key, 0) + int(row[-1])
            if self._pending or self._written or self._counts:
                self._before(statement)
            self._write(statement, [(*k, n) for k, n in sums.items()], every=True)
            return
        counted = self._counts.get(table)
        if counted is None or counted[0] != statement:
            if counted is not None:
                self.flush([table])
            self.render(statement)  # an unknown table fails here, in its handler
            counted = self._counts[table] = (statement, {})
        into = counted[1]
        for row in rows:
            key = adapt_params(row[:-1])
            into[key] = into.get(key, 0) + int(row[-1])

    def insert(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """``INSERT`` of ``rows`` into ``table`` (a conflict is an error)."""
        statement = self._insert_statement(table, columns, ignoring=False)
        if self.deferred:
            self._defer(table, statement, [adapt_params(row) for row in rows])
        else:
            self.executemany(statement, rows)

    def insert_ignoring(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        distinct: bool = False,
    ) -> None:
        """``INSERT … ON CONFLICT DO NOTHING`` of ``rows`` into ``table``.
        ``distinct``: no row repeats one given before in the page (e.g. its key
        holds the event's notification id): deferred, they are not looked up
        among those already given (the statement still ignores a conflict)."""
        statement = self._insert_statement(table, columns, ignoring=True)
        if not self.deferred:
            self.executemany(statement, rows)
            return
        if distinct:
            self._defer(table, statement, [adapt_params(row) for row in rows])
            return
        written = self._written.setdefault(table, set())
        fresh: list[tuple[Any, ...]] = []
        for row in rows:
            values = adapt_params(row)
            key = (statement, values)
            if key not in written:
                written.add(key)
                fresh.append(values)
        self._defer(table, statement, fresh)

    def upsert(
        self,
        table: str,
        key_columns: Sequence[str],
        values: Mapping[str, Any],
    ) -> None:
        """Insert a row, or update its non-key columns when the key exists."""
        columns = tuple(values)
        cache_key = (table, columns, tuple(key_columns))
        statement = self._upserts.get(cache_key)
        if statement is None:
            statement = self._upsert_statement(table, key_columns, values)
            self._upserts[cache_key] = statement
        row = [values[c] for c in columns]
        if self.deferred:
            if statement not in self._shapes:
                keys = [columns.index(k) for k in key_columns]
                mode: Mode = "update" if len(keys) < len(columns) else "ignore"
                self._shaped(statement, mode, keys)
            self._defer(table, statement, [adapt_params(row)])
        else:
            self.execute(statement, row)

    def flush(self, tables: Iterable[str] | None = None) -> None:
        """Write the deferred rows (of these tables, or all of them)."""
        every = (*self._pending, *self._counts) if tables is None else tables
        for table in list(dict.fromkeys(every)):
            for statement, rows in self._pending.pop(table, ()):
                self._write(statement, rows)
            self._written.pop(table, None)
            counted = self._counts.pop(table, None)
            if counted is not None:
                statement, sums = counted
                self._write(statement, [(*k, n) for k, n in sums.items()])

    def _write(
        self, statement: str, rows: Sequence[tuple[Any, ...]], *, every: bool = False
    ) -> None:
        """A deferred statement's rows: several per statement (:mod:`.many_rows`)
        on PostgreSQL, where each statement costs most; ``executemany`` (one
        prepared statement in C) on SQLite. ``every``: several per statement on
        SQLite too (rows of more than one statement each otherwise)."""
        shape = self._shapes.get(statement)
        if shape is None or len(rows) < 2 or not (self.postgres or every):
            self._raw.executemany(self.render(statement), rows)
            return
        self._write_shaped(shape, rows)

    def execute_shaped(self, shape: Shape, rows: Sequence[Sequence[Any]]) -> None:
        """Write ``rows`` now, several per statement (:mod:`.many_rows`), after
        the deferred rows of the table ``shape``'s head names."""
        if not rows:
            return
        if self._pending or self._written or self._counts:
            self._before(shape.head)
        self._write_shaped(shape, [adapt_params(row) for row in rows])

    def _write_shaped(self, shape: Shape, rows: Sequence[tuple[Any, ...]]) -> None:
        head, tail = self.render(shape.head), self.render(shape.tail)
        if not self.postgres:
            for count, params in shape.parts(rows):
                self._raw.execute(
                    head + ", ".join([shape.marks] * count) + tail, params
                )
            return
        raw = self._numbered
        if raw is None:
            import psycopg  # PostgreSQL only

            raw = self._numbered = psycopg.RawCursor(self._raw.connection)
        width = len(rows[0])
        for count, params in shape.parts(rows):
            raw.execute(head + shape.numbered(count, width) + tail, params)

    def _shaped(self, statement: str, mode: Mode, key: Sequence[int] = ()) -> str:
        self._shapes[statement] = Shape.of(statement, mode, key)
        return statement

    def _defer(self, table: str, statement: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if table not in self._pending:
            self.render(statement)  # an unknown table fails here, in its handler
            self._pending[table] = [(statement, rows)]
            return
        segments = self._pending[table]
        if segments[-1][0] == statement:
            segments[-1][1].extend(rows)
        else:
            segments.append((statement, rows))

    def _before(self, statement: str) -> None:
        """Flush the deferred rows of the tables ``statement`` names (as a
        ``{table}`` token or by its quoted name) and forget what was written
        there: the statement may read, change or delete those rows."""
        named = self._named.get(statement)
        if named is None:
            named = frozenset(
                short
                for short, full in self._tables.items()
                if f"{{{short}}}" in statement or full in statement
            )
            self._named[statement] = named
        touched = [
            t
            for t in named
            if t in self._pending or t in self._written or t in self._counts
        ]
        if touched:
            self.flush(touched)

    def _insert_statement(
        self, table: str, columns: Sequence[str], *, ignoring: bool
    ) -> str:
        key = (table, tuple(columns), ignoring)
        statement = self._inserts.get(key)
        if statement is None:
            statement = (
                f"INSERT INTO {{{table}}} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - names come from code
                f"VALUES ({', '.join('?' for _ in columns)})"
                + (" ON CONFLICT DO NOTHING" if ignoring else "")
            )
            self._shaped(statement, "ignore" if ignoring else "insert")
            self._inserts[key] = statement
        return statement

    def _count_statement(
        self, table: str, key_columns: tuple[str, ...], column: str
    ) -> str:
        key = (table, key_columns, column)
        statement = self._counters.get(key)
        if statement is None:
            names = ", ".join(quote(c) for c in (*key_columns, column))
            marks = ", ".join("?" for _ in range(len(key_columns) + 1))
            target = quote(column)
            # The alias names the stored row (PostgreSQL finds a bare name
            # ambiguous with ``excluded``); SQLite ≥ 3.24 takes it too.
            statement = (
                f"INSERT INTO {{{table}}} AS here ({names}) VALUES ({marks}) "  # noqa: S608 - names come from code
                f"ON CONFLICT ({', '.join(quote(k) for k in key_columns)}) "
                f"DO UPDATE SET {target} = here.{target} + excluded.{target}"
            )
            self._shaped(statement, "count")
            self._counters[key] = statement
        return statement

    def upsert_many(
        self,
        table: str,
        key_columns: Sequence[str],
        rows: Sequence[Mapping[str, Any]],
    ) -> None:
        """:meth:`upsert` of many rows with the same columns, in one call."""
        if not rows:
            return
        columns = tuple(rows[0])
        cache_key = (table, columns, tuple(key_columns))
        statement = self._upserts.get(cache_key)
        if statement is None:
            statement = self._upsert_statement(table, key_columns, rows[0])
            self._upserts[cache_key] = statement
        self.executemany(statement, [[row[c] for c in columns] for row in rows])

    @staticmethod
    def _upsert_statement(
        table: str, key_columns: Sequence[str], values: Mapping[str, Any]
    ) -> str:
        if not key_columns or any(k not in values for k in key_columns):
            msg = f"upsert into {table}: every key column needs a value"
            raise ValueError(msg)
        columns = list(values)
        names = ", ".join(quote(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        keys = ", ".join(quote(k) for k in key_columns)
        rest = [c for c in columns if c not in key_columns]
        if rest:
            updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in rest)
            action = f"DO UPDATE SET {updates}"
        else:
            action = "DO NOTHING"
        return (
            f"INSERT INTO {{{table}}} ({names}) VALUES ({marks}) "  # noqa: S608 - names come from code
            f"ON CONFLICT ({keys}) {action}"
        )


def dump_value(value: Any) -> Any:
    """A stored value as a canonical JSON value, for view digests."""
    if value is None or type(value) is str or type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    msg = f"a view holds a {type(value).__name__}; only integers, text and bytes dump"
    raise canonical.CanonicalEncodingError(msg)


def sort_key(values: Sequence[Any]) -> tuple[tuple[int, Any], ...]:
    """Backend-independent order: NULL, then integers, text (code points), bytes."""
    out: list[tuple[int, Any]] = []
    for v in values:
        if v is None:
            out.append((0, 0))
        elif isinstance(v, int):
            out.append((1, v))
        elif isinstance(v, str):
            out.append((2, v))
        else:
            out.append((3, bytes(v)))
    return tuple(out)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
