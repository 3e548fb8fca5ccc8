"""Kết quả (96-QĐ/TW): a vote's results page and the tally sheet's exports
(XLSX, PDF)."""

from __future__ import annotations

from uuid import UUID

from flask import (
    abort,
    render_template,
    send_file,
)

from web.votes import bp, exports
from web.votes.shared import (
    found_vote,
    vote_reads,
)


# ---------------------------------------------------------------------------
# Results (96-QĐ/TW) and exports of the tally sheet
# ---------------------------------------------------------------------------
@bp.get("/<uuid:vote_id>/results")
def results(vote_id: UUID):
    row = found_vote(vote_id)
    rows = vote_reads().results(vote_id)
    return render_template("votes/results.html", row=row, results=rows)


@bp.get("/<uuid:vote_id>/results.<fmt>")
def results_export(vote_id: UUID, fmt: str):
    row = found_vote(vote_id)
    rows = vote_reads().results(vote_id)
    if not rows:
        abort(404)
    if fmt == "xlsx":
        data, mimetype = exports.tally_xlsx(row, rows), exports.XLSX
    elif fmt == "pdf":
        data, mimetype = exports.tally_pdf(row, rows), "application/pdf"
    else:
        abort(404)
    return send_file(
        exports.stream(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"bien-ban-kiem-phieu-{row.code or vote_id}.{fmt}",
    )
