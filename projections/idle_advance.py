"""The worker's round for the views that take none of the new events.

A view whose topics the round's notifications do not include shows the same
whether or not it reads them: it only needs its tracked position moved to the
round's end. Locking it, reading its status and its position and writing the
position is four statements a view (eight views: some 30 statements a
recorded command, for one view's work). Here every such view is advanced by a
conditional ``UPDATE`` of its tracking row instead, all of them in one
statement on PostgreSQL (one a view file on SQLite), without the view's lock:

- only from the position the round read (``notification_id >= checked``): the
  round found nothing the view takes between there and the end, so the
  position never passes an event the view takes (another writer that went
  further meanwhile is kept: the row's value is re-checked after its lock);
- only a view recorded ``ready``: a failed view stays where it stopped and a
  rebuilding one is left to its rebuild (a reset deletes the row, so an
  ``UPDATE`` never brings back a forgotten position);
- never the change mark (``Ledger:changed``): the view's rows did not change.

On PostgreSQL a row another writer holds is skipped (``FOR UPDATE SKIP
LOCKED``), never waited for: the statement runs in the transaction of the views
that take the events, after their advisory locks, and waiting there for a row
of a writer that waits for one of those locks would deadlock.

A view not advanced (no row yet, held, moved or reset meanwhile) is named by
what is returned, and the caller takes the careful way for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from projections.sqlutil import as_tuple
from projections.view_state import ViewState
from projections.view_storage import META_TABLE, UPSTREAM, PostgresView


def advance_postgres(
    c: Any, states: Sequence[ViewState], checked: Mapping[str, int], stop: int
) -> set[str]:
    """In one statement on ``c``: each view of ``states`` advanced from
    ``checked[name]`` (or further) to ``stop``; returns the names advanced."""
    if not states:
        return set()
    parts: list[str] = []
    params: list[Any] = []
    for index, state in enumerate(states):
        view = cast(PostgresView, state.view)
        tracking = view.qualify(view.tracking_table_name)
        meta = view.qualify(META_TABLE)
        parts.append(
            f"a{index} AS (UPDATE {tracking} SET notification_id = %s "  # noqa: S608 - names from code
            f"WHERE ctid = (SELECT ctid FROM {tracking} "
            "WHERE application_name = %s AND notification_id >= %s "
            "AND notification_id < %s "
            f"AND EXISTS (SELECT 1 FROM {meta} WHERE name = %s AND status = 'ready') "
            "FOR UPDATE SKIP LOCKED) "
            "RETURNING %s::text AS name)"
        )
        params += [stop, UPSTREAM, checked[state.name], stop, state.name, state.name]
    union = " UNION ALL ".join(
        f"SELECT name FROM a{i}"  # noqa: S608 - names from code
        for i in range(len(states))
    )
    c.execute(f"WITH {', '.join(parts)} {union}", params)
    return {str(as_tuple(row)[0]) for row in c.fetchall()}


ADVANCE_SQLITE = (
    "UPDATE tracking SET notification_id = ? WHERE application_name = ? "  # noqa: S608 - names from code
    "AND notification_id >= ? AND notification_id < ? "
    f"AND EXISTS (SELECT 1 FROM {META_TABLE} WHERE name = ? AND status = 'ready') "
    "RETURNING 1"
)


def advance_sqlite(state: ViewState, checked: int, stop: int) -> bool:
    """The view's file, in one statement of its own transaction: advanced from
    ``checked`` (or further) to ``stop``; whether it was."""
    with state.view.transaction(commit=True) as c:
        c.execute(ADVANCE_SQLITE, (stop, UPSTREAM, checked, stop, state.name))
        return c.fetchone() is not None
