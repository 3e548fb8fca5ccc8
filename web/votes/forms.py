"""Vote forms: shape only (numbers, a message file, a reason); the services decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from web.catalogue import Translations
from web.forms import BaseForm, IdSelectField, MultiCheckboxField, choices, nfc

MODES = {
    "A": "A — tại hội nghị, phiếu in có mã (mặc định)",
    "B": "B — từ xa, bằng tài khoản của đảng viên",
}
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


class _RowForm(Form):  # type: ignore[misc]
    """A nested row (no CSRF of its own), with the Vietnamese built-in messages."""

    class Meta:
        def get_translations(self, form: Any) -> Translations:
            return Translations()


class LeaderRowForm(_RowForm):
    """One person voted on; a row with no member chosen is left out."""

    # Typed (a name or card number, or a suggestion of cell-search.js), read by
    # ``FormChoices.member_named``: no select of every member.
    member_id = StringField(
        "Người được lấy phiếu",
        validators=[Optional(), Length(max=300)],
        filters=[nfc],
        render_kw={"list": "dang-vien-lay-phieu", "autocomplete": "off"},
    )
    post = StringField("Chức vụ", validators=[Length(max=200)], filters=[nfc])
    appointed_or_elected_on = DateField(
        "Ngày được bầu, bổ nhiệm vào chức vụ", validators=[Optional()]
    )
    pending_retirement_notice = BooleanField(
        "Đã có thông báo nghỉ công tác chờ nghỉ hưu"
    )


LEADER_ROWS = 5
"""Rows shown at first; "Thêm dòng" adds as many again."""


class CreateVoteForm(BaseForm):
    """The manifest (votes.md §11 ``VoteElectionCreated``): shape only. The list
    rules of 96-QĐ/TW, the committee's size and the threshold are the domain's."""

    error_fields: ClassVar[Mapping[str, str]] = {
        "org.not_found": "org_id",
        "org.dissolved": "org_id",
        "org.unmatched": "org_id",
        "org.ambiguous": "org_id",
        "vote.code_invalid": "code",
        "vote.code_taken": "code",
        "vote.title_required": "title",
        "vote.mode_unknown": "mode",
        "vote.remote_mode_disabled": "mode",
        "vote.convened_invalid": "convened",
        "vote.slip_count_too_small": "slip_count",
        "vote.trustees_count": "trustees",
        "vote.trustee_duplicate": "trustees",
        "vote.trustee_not_counting": "trustees",
        "vote.trustee_without_key": "trustees",
        "account.not_found": "trustees",
        "account.disabled": "trustees",
        "account.username_unmatched": "other_trustees",
        "vote.threshold_invalid": "threshold",
        "vote.chair_not_trustee": "chair_id",
        "vote.min_ballots_invalid": "min_ballots",
    }

    org_id = StringField(
        "Tổ chức đảng tiến hành lấy phiếu",
        validators=[DataRequired(), Length(max=200)],
        filters=[nfc],
        render_kw={"list": "to-chuc-lay-phieu", "autocomplete": "off"},
    )
    code = StringField(
        "Mã cuộc bỏ phiếu",
        validators=[DataRequired(), Length(max=64)],
        filters=[nfc],
    )
    title = StringField(
        "Tên cuộc bỏ phiếu", validators=[DataRequired(), Length(max=300)], filters=[nfc]
    )
    vote_year = IntegerField(
        "Năm lấy phiếu", validators=[InputRequired(), NumberRange(min=2000, max=2100)]
    )
    conference_date = DateField("Ngày hội nghị", validators=[InputRequired()])
    convened = IntegerField(
        "Số người được triệu tập", validators=[InputRequired(), NumberRange(min=0)]
    )
    slip_count = IntegerField(
        "Số phiếu in ra", validators=[Optional(), NumberRange(min=0)]
    )
    mode = SelectField(
        "Hình thức bỏ phiếu",
        choices=choices(MODES.items()),
        validators=[DataRequired()],
        validate_choice=False,
    )
    leaders = FieldList(FormField(LeaderRowForm), min_entries=LEADER_ROWS)
    trustees = MultiCheckboxField("Thành viên Ban kiểm phiếu")
    # Beyond the first accounts listed above (a bounded read): typed usernames.
    other_trustees = TextAreaField(
        "Thành viên Ban kiểm phiếu khác (tên đăng nhập, mỗi dòng một người)",
        validators=[Optional(), Length(max=2000)],
        filters=[nfc],
    )
    chair_id = IdSelectField("Trưởng Ban kiểm phiếu", validators=[Optional()])
    threshold = IntegerField(
        "Số thành viên cần để giải mã (t)", validators=[Optional(), NumberRange(min=0)]
    )
    min_ballots = IntegerField(
        "Số phiếu tối thiểu để giải mã",
        default=2,
        validators=[InputRequired(), NumberRange(min=0)],
    )
    more = SubmitField("Thêm dòng")
    submit = SubmitField("Tạo cuộc bỏ phiếu")

    def validate_leaders(self, field: Any) -> None:
        """A chosen member needs the date (a shape: the command cannot be built
        without it); whether it excludes them is the domain's rule."""
        for row in field:
            if (
                row.member_id.data is not None
                and row.appointed_or_elected_on.data is None
            ):
                row.appointed_or_elected_on.errors = [
                    *row.appointed_or_elected_on.errors,
                    "Vui lòng nhập ngày được bầu, bổ nhiệm.",
                ]
                raise ValidationError(
                    "Vui lòng nhập đủ thông tin người được lấy phiếu."
                )
