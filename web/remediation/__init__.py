"""Khắc phục hạn chế, khuyết điểm: shortcomings, plans, progress, verification."""

from flask import Blueprint

bp = Blueprint("remediation", __name__, template_folder="templates")

from web.remediation import routes  # noqa: E402, F401
