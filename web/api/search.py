"""``GET /api/v1/search``: the search page's search as JSON (same scope)."""

from __future__ import annotations

from flask import jsonify, request

from domain.permissions import Read
from web.api import bp
from web.catalogue.search import SEARCH_KIND_LABELS, SEARCH_TEXT
from web.ratings.shared import COMMITTEES
from web.reads import directory
from web.search.routes import query_kinds

# ``pham_vi``: only the organisations a page's field may take (its scope):
# those read with a rule, or those a command may target.
WITHIN = {"khac-phuc": Read.REMEDIATION}
ACTING = {
    "mo-ky": ("cycle.open", COMMITTEES),
    "lay-phieu": ("vote.create", None),
}


@bp.get("/search")
def search():
    text, kinds = query_kinds()
    scope = request.args.get("pham_vi", "")
    action, org_kinds = ACTING.get(scope, (None, None))
    result = directory().search(text, kinds, WITHIN.get(scope), action, org_kinds)
    return jsonify(
        {
            "query": text,
            "too_short": result.too_short,
            "message": SEARCH_TEXT["too_short"] if result.too_short else None,
            "results": [
                {
                    "kind": hit.kind,
                    "kind_label": SEARCH_KIND_LABELS[hit.kind],
                    "id": str(hit.entity_id),
                    "name": hit.name,
                    "code": hit.code or None,
                    "org_id": str(hit.org_id) if hit.org_id else None,
                }
                for hit in result.hits
            ],
        }
    )
