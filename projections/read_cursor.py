"""The cursor a page reads views through (:mod:`projections.reading`): a
:class:`ViewCursor` whose column names on PostgreSQL come straight from the
result's field names, one C call each, instead of psycopg's ``description``
(a ``Column`` object per column per statement: 65 µs for a 37-column row, more
than reading it). Names are kept per process by the field names' bytes, so a
result always gets the names it was sent with (a table changed meanwhile has
other field names, hence another key)."""

from __future__ import annotations

import threading
from typing import Any

from projections.sqlutil import ViewCursor

# Distinct column lists kept: each statement's, a few hundred in all.
NAMES_KEPT = 4096
_names: dict[tuple[bytes, ...], tuple[str, ...]] = {}
_guard = threading.Lock()


def result_names(result: Any) -> list[str]:
    """The column names of a psycopg ``PGresult``, as ``description`` gives them."""
    fields = tuple(map(result.fname, range(result.nfields)))
    found = _names.get(fields)
    if found is None:
        found = tuple(name.decode("utf-8") for name in fields)
        with _guard:
            if len(_names) >= NAMES_KEPT:
                _names.clear()
            _names[fields] = found
    return list(found)


class ReadCursor(ViewCursor):
    """A read's cursor: column names from the PostgreSQL result's field names."""

    @property
    def columns(self) -> list[str]:
        result = getattr(self._raw, "pgresult", None)
        if result is None or not result.nfields:  # SQLite, or no result
            return super().columns
        return result_names(result)
