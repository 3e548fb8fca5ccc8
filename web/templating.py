"""Jinja filters and globals: Vietnamese labels and dates, the signed-in user."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from flask import Flask
from flask_login import current_user

from domain import permissions
from domain.accounts import MIN_PASSWORD_LENGTH
from web.catalogue import (
    alert_label,
    kind_label,
    message_for,
    role_label,
    status_label,
)
from web.catalogue.ratings import RULEBOOK_LABELS
from web.catalogue.search import PAGER_TEXT
from web.reads import reads


def vn_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy, as dates are written in Vietnam."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


ISO_DATE_IN_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def vn_dates_in(value: Any) -> str:
    """A text with every ISO date in it written dd/mm/yyyy (evidence lists that
    name a decision and its date, for instance)."""
    return ISO_DATE_IN_TEXT.sub(r"\3/\2/\1", str(value or ""))


# Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def vn_time(value: object) -> str:
    """A moment (signed ``ts``, ISO text or datetime, UTC when naive) as people here
    write it: HH:MM dd/mm/yyyy in Vietnam time."""
    moment: datetime
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    elif isinstance(value, datetime):
        moment = value
    else:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def explanation_text(text: str, name: str) -> str:
    """A value of a decision's "why" as a person reads it: the rulebook by the texts'
    names, dates as dd/mm/yyyy."""
    if name in ("rulebook_id", "rulebook"):
        return RULEBOOK_LABELS.get(text, text)
    if name.endswith("_on") or name.endswith("_date"):
        return vn_date(text)
    return text


def short_id(value: Any, length: int = 16) -> str:
    text = str(value or "")
    return text if len(text) <= length else text[:length] + "…"


def fingerprint(value: Any, groups: int = 4) -> str:
    """Dấu vân tay ngắn: the first 16 hex digits of a long hash, in groups of four
    (``2617 0c05 48a5 094d``), for a person to compare; the full hash goes in a
    technical fold."""
    text = str(value or "")
    head = text[: 4 * groups]
    spaced = " ".join(head[k : k + 4] for k in range(0, len(head), 4))
    return spaced + ("…" if len(text) > len(head) else "")


def may(action: str) -> bool:
    """Whether to show a button (``domain.permissions.may_offer``: an account
    whose office ended is not offered its keeper's acts); the services decide
    when it is pressed."""
    if not current_user.is_authenticated:
        return False
    return permissions.may_offer(reads().viewer, action)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        kind_label=kind_label,
        alert_label=alert_label,
        role_label=role_label,
        status_label=status_label,
        vn_date=vn_date,
        vn_dates_in=vn_dates_in,
        vn_time=vn_time,
        explanation_text=explanation_text,
        short_id=short_id,
        fingerprint=fingerprint,
    )
    app.jinja_env.globals.update(
        may=may,
        message_for=message_for,
        min_password=MIN_PASSWORD_LENGTH,
        pager_text=PAGER_TEXT,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def warm_templates(app: Flask) -> int:
    """Compile every page template of ``app`` now, not at its first request: a
    gunicorn worker calls it as it starts (``web.wsgi``), so no request of a
    fresh worker pays for compiling a template. With ``auto_reload`` off (not
    debug) a template stays compiled for the life of the process. How many were
    compiled."""
    env = app.jinja_env
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)
