"""JSON API under /api/v1 (session-authenticated), described by OpenAPI 3.1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from web.api import (  # noqa: E402, F401
    audit,
    rating_facts,
    rating_steps,
    ratings,
    remediation,
    reorganisation,
    reports,
    routes,
    search,
    votes,
)
