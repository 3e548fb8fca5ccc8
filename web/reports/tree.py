"""Which tree a report or a statistics page rolls up by (issue 12): the
``?tree_on=YYYY-MM-DD`` argument, shared by the report pages and the cycle's
statistics page."""

from __future__ import annotations

from datetime import date

from flask import abort, make_response, request

from web.errors import refusal


def tree_on_arg() -> date | None:
    """``?tree_on=YYYY-MM-DD``: roll up by the tree as it was that day; none:
    by the tree at the report date (today). A malformed day is refused with the
    form's message (422), never a 500."""
    raw = request.args.get("tree_on", "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(make_response(refusal("form.invalid")))
