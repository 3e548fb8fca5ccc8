"""Bỏ phiếu tín nhiệm: the booth, the counting committee's pages and the results."""

from flask import Blueprint

bp = Blueprint("votes", __name__, template_folder="templates")

from web.votes import booth, counting, results, shared  # noqa: E402, F401
