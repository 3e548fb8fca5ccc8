"""JSON reads of the confidence votes (issue 4), on the API blueprint: the list,
one vote with its leaders, and the published 96-QĐ/TW results.

Reads come from the ``vote_results`` projection and the vote's manifest, like the
pages; fractions are exact (``{"num", "den"}`` over ballots returned) beside the
display string, which is never used for decisions (votes.md §9.2).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from flask import jsonify

from services.vote_rows import LeaderResultRow, VoteRow
from votes.results import display_percent
from web.api import bp
from web.reads import found_or_404, reads


def _vote(row: VoteRow) -> dict[str, Any]:
    data = asdict(row)
    data["vote_id"] = str(row.vote_id)
    data["org_id"] = str(row.org_id) if row.org_id else None
    return data


def _fraction(text: str) -> dict[str, Any]:
    num, den = (int(x) for x in text.split("/"))
    return {"num": num, "den": den, "display": display_percent(num, den)}


def _result(row: LeaderResultRow) -> dict[str, Any]:
    return {
        "leader_index": row.leader_index,
        "member_id": str(row.member_id) if row.member_id else None,
        "name": row.name,
        "post": row.post,
        "issued": row.issued,
        "returned": row.returned,
        "valid": row.valid,
        "invalid": row.invalid,
        "high": row.high,
        "normal": row.normal,
        "low": row.low,
        "pct_high": _fraction(row.pct_high),
        "pct_normal": _fraction(row.pct_normal),
        "pct_low": _fraction(row.pct_low),
        "band": row.band,
    }


def _row(vote_id: UUID) -> VoteRow:
    found: VoteRow = found_or_404(reads().votes.vote_row(vote_id), "vote.not_found")
    return found


@bp.get("/votes")
def list_votes():
    return jsonify({"votes": [_vote(r) for r in reads().votes.votes()]})


@bp.get("/votes/<uuid:vote_id>")
def get_vote(vote_id: UUID):
    row = _row(vote_id)
    manifest = reads().votes.vote(vote_id).manifest
    leaders = [
        {"index": leader["index"], "name": leader["name"], "post": leader["post"]}
        for leader in manifest["leaders"]
    ]
    return jsonify(
        {
            "vote": _vote(row),
            "leaders": leaders,
            "booth_sha256": manifest["booth_sha256"],
        }
    )


@bp.get("/votes/<uuid:vote_id>/results")
def get_vote_results(vote_id: UUID):
    row = _row(vote_id)
    results = [_result(r) for r in reads().votes.results(vote_id)]
    return jsonify(
        {
            "vote_id": str(row.vote_id),
            "state": row.state,
            "published": bool(results),
            "results": results,
        }
    )
