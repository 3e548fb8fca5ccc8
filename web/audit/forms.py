"""Workspace forms: shape and NFC only; the services check checkpoints, lines
and scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import ClassVar

from wtforms import HiddenField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from domain.errors import DomainError
from web.forms import BaseForm, nfc

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving


def moment_from_text(text: str | None, *, end_of_day: bool = True) -> datetime | None:
    """A date (``YYYY-MM-DD``) or a moment (``YYYY-MM-DDTHH:MM``) in Vietnam time;
    a bare date means the end of that day."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if "T" in text:
            return datetime.fromisoformat(text).replace(tzinfo=VIETNAM)
        day = date.fromisoformat(text)
    except ValueError:
        raise DomainError("audit.date_invalid", value=text) from None
    at = time.max if end_of_day else time.min
    return datetime.combine(day, at, tzinfo=VIETNAM)


class CosignForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "audit.cosignature_invalid": "line",
        "audit.already_cosigned": "line",
        "audit.checkpoint_not_found": "size",
    }

    size = IntegerField("Kích thước", validators=[DataRequired(), NumberRange(min=1)])
    line = TextAreaField(
        "Dòng đồng ký (kết quả của lệnh kiemdiem cosign)",
        validators=[DataRequired(), Length(max=1000)],
        filters=[nfc],
    )
    submit = SubmitField("Ghi nhận đồng ký")


class CompareForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {"audit.checkpoint_invalid": "note"}

    note = TextAreaField(
        "Checkpoint bạn đang giữ (dán toàn văn)",
        validators=[DataRequired(), Length(max=20000)],
    )
    submit = SubmitField("Đối chiếu")


class VerifyForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {}

    confirm = HiddenField(default="1")
    submit = SubmitField("Kiểm tra toàn bộ sổ cái")


class IssueCheckpointForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {}

    submit = SubmitField("Tạo checkpoint")


MAX_CURSOR_DIGITS = 18  # a notification id fits a BIGINT


def keyset_after(raw: str | None) -> int:
    """The ``after`` of a history page (a notification id); anything else is the
    first page."""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_CURSOR_DIGITS:
        return int(text)
    return 0
