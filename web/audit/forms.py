"""Workspace forms: shape and NFC only; the services check checkpoints, lines
and scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import HiddenField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from web.forms import BaseForm, nfc


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
