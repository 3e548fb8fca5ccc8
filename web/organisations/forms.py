"""Organisation forms: shape and NFC only; the services apply the tree's rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from web.catalogue import KIND_LABELS
from web.forms import BaseForm, IdSelectField, choices, nfc


class FoundOrganisationForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "org.code_invalid": "code",
        "org.code_taken": "code",
        "org.name_required": "name",
        "org.name_too_long": "name",
        "org.kind_unknown": "kind",
        "org.parent_not_allowed": "parent_id",
        "org.parent_not_found": "parent_id",
        "org.parent_dissolved": "parent_id",
    }

    code = StringField(
        "Mã tổ chức", validators=[DataRequired(), Length(max=64)], filters=[nfc]
    )
    name = StringField(
        "Tên tổ chức", validators=[DataRequired(), Length(max=200)], filters=[nfc]
    )
    kind = SelectField(
        "Loại tổ chức",
        choices=choices(KIND_LABELS.items()),
        validators=[DataRequired()],
        validate_choice=False,
    )
    parent_id = IdSelectField("Trực thuộc")
    submit = SubmitField("Thành lập")


class RenameOrganisationForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "org.name_required": "name",
        "org.name_too_long": "name",
        "org.name_unchanged": "name",
    }

    name = StringField(
        "Tên mới", validators=[DataRequired(), Length(max=200)], filters=[nfc]
    )
    submit = SubmitField("Đổi tên")


class DissolveOrganisationForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {"org.reason_required": "reason"}

    reason = TextAreaField(
        "Lý do giải thể", validators=[DataRequired(), Length(max=1000)], filters=[nfc]
    )
    submit = SubmitField("Giải thể")
