"""Trang chủ: who is signed in, the latest checkpoint, integrity alerts."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="templates")

from web.dashboard import routes  # noqa: E402, F401
