"""Vote forms: shape only (numbers, a message file, a reason); the services decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from web.forms import BaseForm, choices, nfc

ABANDON_REASONS = {
    "QUORUM_NOT_MET": "Không đủ 2/3 số người được triệu tập có mặt",
    "CEREMONY_FAILED": "Tạo khóa không thành công",
    "TOO_FEW_BALLOTS": "Quá ít phiếu thu về",
    "TOO_FEW_TRUSTEES": "Không đủ thành viên Ban kiểm phiếu để giải mã",
    "OTHER": "Lý do khác",
}


class ActionForm(BaseForm):
    """A button that sends one command (open, close, publish key, tally…)."""

    submit = SubmitField("Thực hiện")


class AttendanceForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "vote.present_invalid": "present",
        "vote.quorum_not_met": "present",
    }

    present = IntegerField(
        "Số người có mặt", validators=[InputRequired(), NumberRange(min=0)]
    )
    submit = SubmitField("Ghi nhận số người có mặt")


class MessageForm(BaseForm):
    """A message written by ``kiemdiem votes trustee …`` (JSON), pasted or uploaded."""

    message = TextAreaField(
        "Nội dung tệp thông điệp", validators=[DataRequired(), Length(max=4_000_000)]
    )
    submit = SubmitField("Ký và gửi thông điệp")


class AbandonForm(BaseForm):
    reason = SelectField(
        "Lý do",
        choices=choices(ABANDON_REASONS.items()),
        validators=[DataRequired()],
        validate_choice=False,
        filters=[nfc],
    )
    submit = SubmitField("Hủy cuộc bỏ phiếu")
