"""Báo cáo kết quả, khen thưởng: reports upward, their exports, commendations."""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")

from web.reports import routes  # noqa: E402, F401
