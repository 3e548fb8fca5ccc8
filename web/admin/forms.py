"""Account forms: shape only. Username syntax, the password policy and who may
hold which role are the services' to judge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from web.catalogue import ROLE_LABELS
from web.forms import BaseForm, IdSelectField, MultiCheckboxField, choices, nfc

PASSWORD_ERRORS = ("account.password_too_short", "account.password_whitespace")
ROLE_ERRORS = {
    "account.role_required": "roles",
    "account.role_unknown": "roles",
}


def _roles_field(label: str) -> MultiCheckboxField:
    return MultiCheckboxField(label, choices=choices(ROLE_LABELS.items()))


class OpenAccountForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "account.username_invalid": "username",
        "account.username_taken": "username",
        "account.name_required": "full_name",
        **ROLE_ERRORS,
        **dict.fromkeys(PASSWORD_ERRORS, "password"),
        "org.not_found": "org_id",
        "member.not_found": "member_id",
    }

    username = StringField(
        "Tên đăng nhập", validators=[DataRequired(), Length(max=64)], filters=[nfc]
    )
    full_name = StringField(
        "Họ và tên", validators=[DataRequired(), Length(max=120)], filters=[nfc]
    )
    roles = _roles_field("Vai trò")
    password = PasswordField(
        "Mật khẩu ban đầu",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu",
        validators=[DataRequired(), EqualTo("password")],
        render_kw={"autocomplete": "new-password"},
    )
    org_id = IdSelectField("Đơn vị công tác")
    member_id = IdSelectField("Là đảng viên")
    submit = SubmitField("Tạo tài khoản")


class ChangeRolesForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **ROLE_ERRORS,
        "account.roles_unchanged": "roles",
        "account.cannot_drop_own_admin": "roles",
    }

    roles = _roles_field("Vai trò")
    submit = SubmitField("Lưu vai trò")


class DisableAccountForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {"account.reason_required": "reason"}

    reason = TextAreaField(
        "Lý do khóa", validators=[DataRequired(), Length(max=1000)], filters=[nfc]
    )
    submit = SubmitField("Khóa tài khoản")


class ResetPasswordForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = dict.fromkeys(
        PASSWORD_ERRORS, "new_password"
    )

    new_password = PasswordField(
        "Mật khẩu mới",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[DataRequired(), EqualTo("new_password")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Đặt lại mật khẩu")
