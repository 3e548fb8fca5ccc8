"""Kiểm điểm, đánh giá, xếp loại: cycles, reviews, rating steps and decisions."""

from flask import Blueprint

bp = Blueprint("ratings", __name__, template_folder="templates")

from web.ratings import (  # noqa: E402, F401
    criteria,
    cycles,
    decisions,
    members,
    org_facts,
    reviews,
    rounds,
    shared,
    subjects,
)
