"""Đăng nhập, đăng xuất, and unlocking the signing key again."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from web.auth import routes  # noqa: E402, F401
