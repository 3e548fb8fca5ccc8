"""Đảng viên: the member list by chi bộ, detail, enrolment and transfer."""

from flask import Blueprint

bp = Blueprint("members", __name__, template_folder="templates")

from web.members import routes  # noqa: E402, F401
