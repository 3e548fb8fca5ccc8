"""Quản trị: accounts, their roles and keys."""

from flask import Blueprint

from domain import permissions
from web.identity import user

bp = Blueprint("admin", __name__, template_folder="templates")
# The domain has no separate "read accounts" action yet: whoever may open
# accounts manages them (see domain/permissions.py).
AREA_ACTION = "account.open"


@bp.before_request
def admins_only() -> None:
    permissions.require(user().roles, AREA_ACTION)


from web.admin import routes  # noqa: E402, F401
