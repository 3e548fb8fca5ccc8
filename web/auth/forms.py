"""Login and re-unlock forms (shape only)."""

from __future__ import annotations

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from web.forms import BaseForm, nfc


class LoginForm(BaseForm):
    username = StringField(
        "Tên đăng nhập",
        validators=[DataRequired(), Length(max=64)],
        filters=[nfc],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Mật khẩu",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Đăng nhập")


class UnlockForm(BaseForm):
    password = PasswordField(
        "Mật khẩu",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password", "autofocus": True},
    )
    submit = SubmitField("Mở khóa để ký")
