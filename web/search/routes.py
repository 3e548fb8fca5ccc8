"""The search page (``/tim-kiem/``): one box, results by kind, each linking to
its page (or, from the audit workspace, to its history)."""

from __future__ import annotations

from flask import render_template, request

from web.catalogue.search import SEARCH_KIND_LABELS, SEARCH_TEXT
from web.reads import directory
from web.search import bp

MAX_QUERY = 200  # characters of a query that are read


def query_kinds() -> tuple[str, tuple[str, ...]]:
    """The query text and the kinds asked for (``loai``), from the request."""
    text = request.args.get("q", "")[:MAX_QUERY]
    kind = request.args.get("loai", "").strip()
    kinds = (kind,) if kind in SEARCH_KIND_LABELS else tuple(SEARCH_KIND_LABELS)
    return text, kinds


@bp.get("/")
def index():
    text, kinds = query_kinds()
    result = directory().search(text, kinds) if text.strip() else None
    return render_template(
        "search/index.html",
        query=text,
        kind=kinds[0] if len(kinds) == 1 else "",
        result=result,
        audit=request.args.get("noi") == "kiem-tra",
        labels=SEARCH_KIND_LABELS,
        texts=SEARCH_TEXT,
    )
