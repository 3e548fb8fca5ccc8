"""The views' change marks on SQLite read in one statement on the kept
connection with every view's file attached (``projections.reading
.change_marks``), not in a transaction per view file: the same marks."""

from __future__ import annotations

from typing import Any

import pytest


def test_the_marks_are_read_without_a_transaction_per_view(kiemdiem: Any, monkeypatch):
    runtime = kiemdiem.projections
    states = list(runtime.views.states.values())
    if runtime.views.shared is not None:  # pragma: no cover - PostgreSQL
        pytest.skip("PostgreSQL reads them in one statement already")
    each = {}
    for state in states:
        with state.view.transaction(commit=False) as c:
            each[state.name] = state.view.change_marks(c)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a transaction per view file")

    for state in states:
        monkeypatch.setattr(state.view, "transaction", refused)
    assert runtime.change_marks() == each
    assert len(each) > 1
