"""Ủy ban kiểm tra: history, state as of a date, proofs, checkpoints and
cosigning, verification of the whole store (issue 5)."""

from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates")

from web.audit import routes  # noqa: E402, F401
