"""Tìm kiếm: members, organisations, review cycles and votes by name, card number
or code, without diacritics, in the viewer's scope."""

from flask import Blueprint

bp = Blueprint("search", __name__, template_folder="templates")

from web.search import routes  # noqa: E402, F401
