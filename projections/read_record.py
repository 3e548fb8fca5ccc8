"""Which views a computation read: a record kept while it runs.

Every read of a view goes through :mod:`projections.reading` (``read``,
``reading``, ``one_statement``), which notes the views it opens in the
thread's record, if one is being kept (:func:`recording`). A cursor taken
from a view's storage without going through it (``View.snapshot`` or
``View.statement`` called directly) is noted as a raw read: a record with
one cannot say what was read, and a result computed under it must not be
kept (``services.kept_results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class ReadRecord:
    """The views read (by name), and any read that did not say which."""

    names: set[str] = field(default_factory=set)
    raw: list[str] = field(default_factory=list)


_record: ContextVar[ReadRecord | None] = ContextVar("kiemdiem_reads", default=None)
_inside: ContextVar[bool] = ContextVar("kiemdiem_read_noted", default=False)


@contextmanager
def recording() -> Iterator[ReadRecord]:
    """Keep a record of the views read in this thread until the block ends
    (nested: the inner block's reads are the outer's too)."""
    outer = _record.get()
    record = ReadRecord()
    token = _record.set(record)
    try:
        yield record
    finally:
        _record.reset(token)
        if outer is not None:
            outer.names |= record.names
            outer.raw += record.raw


def note(names: Iterable[str]) -> None:
    """These views are read (:mod:`projections.reading`)."""
    record = _record.get()
    if record is not None:
        record.names.update(names)


@contextmanager
def noted(names: Iterable[str]) -> Iterator[None]:
    """Around taking a cursor on these views (:mod:`projections.reading`):
    they are noted, and the storage's cursor taken inside is not a raw read."""
    note(names)
    token = _inside.set(True)
    try:
        yield
    finally:
        _inside.reset(token)


def raw_read(view: object) -> None:
    """A view's storage hands out a cursor (``View.snapshot``/``statement``)."""
    record = _record.get()
    if record is not None and not _inside.get():
        record.raw.append(type(view).__name__)
