"""What the vote pages share: the reads (scope-checked by the gateway), the one
way they send a command, the rows they look up, and the template filters that
name phases and bands in Vietnamese (their words are in web/catalogue/votes.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.read_gateway_more import VoteReads
from services.votes import VoteService
from votes.results import display_percent
from web.catalogue.votes import BAND_CONSEQUENCES, BAND_LABELS, PHASE_LABELS
from web.dispatch import submit
from web.forms import BaseForm
from web.identity import services
from web.reads import found_or_404, reads
from web.votes import bp


def vote_reads() -> VoteReads:
    """The vote reads of the signed-in user (scope-checked by the gateway)."""
    return reads().votes


def vote_service() -> VoteService:
    """The vote service, for commands only."""
    return services().votes


def send(command: Any, form: BaseForm) -> Any | None:
    """``web.dispatch.submit``: the command bus, refusals on the form."""
    return submit(command, form)


def found_vote(vote_id: UUID):
    """Phiên lấy phiếu: the vote's row, or its 404 page."""
    return found_or_404(vote_reads().vote_row(vote_id), "vote.not_found")


def found_public_vote(vote_id: UUID):
    """The vote as the booth's public bulletin shows it (no account scope)."""
    return found_or_404(vote_reads().booth_row(vote_id), "vote.not_found")


@bp.app_template_filter("phase_label")
def phase_label(value: str) -> str:
    return PHASE_LABELS.get(value, value)


@bp.app_template_filter("band_label")
def band_label(value: str | None) -> str:
    return BAND_LABELS.get(value or "", value or "")


@bp.app_template_filter("band_consequence")
def band_consequence(value: str | None) -> str:
    return BAND_CONSEQUENCES.get(value or "", "")


@bp.app_template_filter("percent")
def percent(fraction: str | None) -> str:
    """``count/returned`` shown to two decimals (display only, §9.2)."""
    if not fraction:
        return ""
    num, den = (int(x) for x in fraction.split("/"))
    return display_percent(num, den)
