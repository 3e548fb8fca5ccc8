"""Tổ chức đảng: the organisation tree, its detail pages and its forms."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, template_folder="templates")

from web.organisations import reorganise, routes  # noqa: E402, F401
