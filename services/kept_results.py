"""Figures a process keeps (giữ lại) between requests while nothing they were
computed from has changed.

The heavy pages (the report, a cycle's statistics and tallies, the day's
tree) are pure functions of the views, the day and the arguments they are
given. :meth:`KeptResults.get` runs such a function once and serves its
result again while every view it read stands unchanged:

- each view's change mark (``ProjectionRuntime.change_marks``) is read
  *before* the computation, so what it then reads is at least that new; the
  mark moves in the transaction that changes the view's rows (an event the
  view applies, a reset, a rebuild's page), never when the view merely
  advances past events it does not take (an access record moves no report);
- the views the computation read are recorded as it runs
  (:mod:`projections.read_record`: every read of a view goes through
  :mod:`projections.reading`), and the kept result is served only while the
  marks of exactly those views are what they were. A computation that took a
  view's cursor some other way (a raw read) is not kept; under ``strict``
  (the tests) it is an error;
- the key is the caller's: every argument the result depends on (ids, year,
  the day, the viewer's scope where the result depends on it). Scope checks
  stay the caller's, before asking.

A kept result is shared by the threads of the process: callers must not
change it (the pages only read it). Each kind keeps at most its own few
results, the least recently used leaving first.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from projections import read_record

log = logging.getLogger(__name__)

T = TypeVar("T")
Mark = tuple[str, int]  # ("m", change mark) or ("p", position) before one

KEPT_PER_KIND = 8  # the default: a few organisations, years and days a process serves
KEPT = {"day_tree": 4}  # a kind's own bound


class ChangeMarks(Protocol):
    def change_marks(self) -> dict[str, tuple[int | None, int]]: ...


class UncoveredRead(RuntimeError):
    """A kept computation read a view without saying which (strict mode)."""


@dataclass(frozen=True)
class _Kept:
    value: Any
    marks: Mapping[str, Mark]  # each view read, and its mark when read


# The marks read by the kept computation running in this thread, if any: a
# computation nested in it uses them (read before both, so both are at least
# that new), and tells it which views it read when served from what it kept.
_outer: ContextVar[dict[str, Mark] | None] = ContextVar("kiemdiem_kept", default=None)


class KeptResults:
    """Per-process kept results by kind and key (thread-safe, bounded)."""

    def __init__(
        self,
        projections: ChangeMarks,
        sizes: Mapping[str, int] | None = None,
        default: int = KEPT_PER_KIND,
    ) -> None:
        self.projections = projections
        self.sizes = dict(KEPT if sizes is None else sizes)
        self.default = default
        self.strict = False
        self._kept: dict[str, OrderedDict[Hashable, _Kept]] = {}
        self._lock = threading.Lock()
        self.computed: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self.not_kept: Counter[str] = Counter()

    def marks(self) -> dict[str, Mark]:
        """Every view's mark, read now (one statement on PostgreSQL)."""
        return {
            name: ("m", mark) if mark is not None else ("p", position)
            for name, (mark, position) in self.projections.change_marks().items()
        }

    def get(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, or what it gave before for ``(kind, key)`` if no
        view it read has changed since."""
        outer = _outer.get()
        if outer is not None and not outer:  # a block's marks, read at first use
            outer.update(self.marks())
        marks = outer if outer is not None else self.marks()
        with self._lock:
            results = self._kept.get(kind)
            kept = results.get(key) if results is not None else None
            if (
                results is not None
                and kept is not None
                and all(marks.get(name) == mark for name, mark in kept.marks.items())
            ):
                results.move_to_end(key)
                self.served[kind] += 1
                read_record.note(kept.marks)  # an outer computation read them
                return kept.value  # type: ignore[no-any-return]
        with self._computing(marks), read_record.recording() as record:
            value = compute()
        self.computed[kind] += 1
        uncovered = sorted(record.names - set(marks))
        if record.raw or uncovered:
            self.not_kept[kind] += 1
            message = (
                f"kept result {kind!r} not kept: read {uncovered or record.raw} "
                "without a change mark"
            )
            if self.strict:
                raise UncoveredRead(message)
            log.warning(message)
            return value
        entry = _Kept(value, {name: marks[name] for name in record.names})
        with self._lock:
            results = self._kept.setdefault(kind, OrderedDict())
            results[key] = entry
            results.move_to_end(key)
            while len(results) > self.sizes.get(kind, self.default):
                results.popitem(last=False)
        return value

    @contextmanager
    def once(self) -> Iterator[None]:
        """Every kept result asked for inside this block uses one reading of
        the marks, taken when the first is asked for (a page asking for
        several pays for one, a page asking for none for none): what is read
        after is at least that new. A kept result must not depend on what
        was read before that but through its key. Nested in a kept
        computation or another block, the outer's marks stand."""
        if _outer.get() is not None:
            yield
            return
        with self._computing({}):
            yield

    def forget(self) -> None:
        """Drop everything kept (tests; nothing needs it to stay exact)."""
        with self._lock:
            self._kept.clear()

    def sizes_kept(self) -> dict[str, int]:
        with self._lock:
            return {kind: len(results) for kind, results in self._kept.items()}

    @staticmethod
    @contextmanager
    def _computing(marks: dict[str, Mark]) -> Iterator[None]:
        token = _outer.set(marks)
        try:
            yield
        finally:
            _outer.reset(token)
