"""PostgreSQL: one connection per thread held for a web request, per datastore.

Every statement of a page went through the pool (``psycopg_pool``'s ``getconn``
and ``putconn``, the library's ``get_connection`` around them): about 25 µs of
Python a statement, a dozen statements a cheap page. During a request
(:func:`begin_request` … :func:`end_request`, the web app's first and last
hooks) a datastore's first ``get_connection`` on a thread takes a connection
from the pool and keeps it in that thread's slot; the next ones are lent it.

What the pool guaranteed still holds:

- a connection is lent only while idle: a block that leaves it in a transaction
  (or raises) ends as the pool's own context ends it (commit, or rollback on an
  error) and gives it back to the pool, which checks it; the slot is emptied;
- a block nested inside another on the same thread (the slot's connection is
  lent) gets one of the pool's, as before;
- outside a request (the worker, the command line, other threads) nothing
  changes: every block goes to the pool;
- at the request's end, error or not, the slot's connection goes back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing import persistence as es
from psycopg.pq import TransactionStatus
from psycopg.types.composite import register_composite

# The library's translation of psycopg's errors (``PostgresDatastore.
# get_connection``), most specific first.
_ERRORS: tuple[tuple[type[Exception], type[Exception]], ...] = (
    (psycopg.InterfaceError, es.InterfaceError),
    (psycopg.OperationalError, es.OperationalError),
    (psycopg.DataError, es.DataError),
    (psycopg.IntegrityError, es.IntegrityError),
    (psycopg.InternalError, es.InternalError),
    (psycopg.ProgrammingError, es.ProgrammingError),
    (psycopg.NotSupportedError, es.NotSupportedError),
    (psycopg.DatabaseError, es.DatabaseError),
    (psycopg.Error, es.PersistenceError),
)


class _Slot:
    """A thread's held connection for one owner, and whether a block has it."""

    __slots__ = ("conn", "lent")

    def __init__(self) -> None:
        self.conn: Any = None
        self.lent = False


class _Request(threading.local):
    """This thread's request: None outside one, else each datastore's slot."""

    slots: dict[Any, _Slot] | None = None


_request = _Request()


def begin_request() -> None:
    """From here to :func:`end_request`, this thread holds what it takes."""
    # A scope left open (a teardown hook that raised before ours) gives back here.
    end_request()
    _request.slots = {}


def end_request() -> None:
    """Every connection this thread holds goes back to its pool."""
    slots, _request.slots = _request.slots, None
    for owner, slot in (slots or {}).items():
        conn, slot.conn = slot.conn, None
        if conn is not None and not slot.lent:
            owner.give_back(conn)


def slot_for(owner: Any) -> _Slot | None:
    """This thread's slot for ``owner`` (anything with ``give_back(conn)``,
    called at the request's end) during a request, else None."""
    slots = _request.slots
    if slots is None:
        return None
    slot = slots.get(owner)
    if slot is None:
        slot = slots[owner] = _Slot()
    return slot


def held_count() -> int:
    """How many connections this thread holds now (tests)."""
    return sum(s.conn is not None for s in (_request.slots or {}).values())


class HeldConnections:
    """Installed on a ``PostgresDatastore``: its ``get_connection`` (and so its
    ``transaction`` and ``cursor``) lends this thread's held connection during
    a request."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore
        self.pooled = datastore.get_connection  # the library's, through the pool
        datastore.get_connection = self.get_connection

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        slot = slot_for(self)
        if slot is None or slot.lent:
            with self.pooled() as conn:
                yield conn
            return
        try:
            if slot.conn is None:
                slot.conn = self._take()
            conn = slot.conn
            slot.lent = True
            try:
                yield conn
            except BaseException as exc:
                slot.conn = None
                self._end_block(conn, exc)
                raise
            if conn.info.transaction_status != TransactionStatus.IDLE:
                slot.conn = None
                self._end_block(conn, None)
        except psycopg.Error as exc:
            raise _translated(exc) from exc
        finally:
            slot.lent = False

    def _take(self) -> Any:
        """A connection from the pool, as the library's ``get_connection``
        prepares one."""
        datastore = self.datastore
        wait = datastore.pool_open_timeout is not None
        datastore.pool.open(wait, datastore.pool_open_timeout or 30.0)
        conn = datastore.pool.getconn()
        try:
            for info in datastore.psycopg_type_adapters.values():
                if not conn.adapters.types.get(info.oid):
                    register_composite(info, conn)
        except BaseException:
            datastore.pool.putconn(conn)
            raise
        return conn

    def _end_block(self, conn: Any, exc: BaseException | None) -> None:
        """As the pool's ``connection()`` ends a block: commit what is open, or
        roll back on an error (psycopg's connection context), then back to the
        pool, which checks the connection (broken ones are replaced)."""
        try:
            if exc is None:
                conn.__exit__(None, None, None)
            else:
                conn.__exit__(type(exc), exc, exc.__traceback__)
        finally:
            self.give_back(conn)

    def give_back(self, conn: Any) -> None:
        self.datastore.pool.putconn(conn)


def _translated(exc: psycopg.Error) -> Exception:
    for theirs, ours in _ERRORS:
        if isinstance(exc, theirs):
            return ours(str(exc))
    return es.PersistenceError(str(exc))  # pragma: no cover - psycopg.Error last


def hold_connections(datastore: Any) -> HeldConnections:
    """Hold ``datastore``'s connections per request (see the module)."""
    return HeldConnections(datastore)
