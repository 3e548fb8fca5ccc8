"""Member forms: shape (required, lengths, real dates) and NFC only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from web.catalogue import STATUS_LABELS
from web.forms import BaseForm, IdSelectField, choices, nfc

CELL_ERRORS = {
    "member.cell_unmatched": "cell_id",
    "member.cell_ambiguous": "cell_id",
    "member.not_a_cell": "cell_id",
    "member.same_cell": "cell_id",
    "org.not_found": "cell_id",
    "org.dissolved": "cell_id",
}


CELL_CHOICES_ID = "chi-bo-trong-pham-vi"


def cell_field(label: str) -> StringField:
    """The chi bộ, typed (its name or code) with the chi bộ of the user's reach
    suggested (a datalist, filled as one types by ``cell-search.js``); read by
    ``DirectoryReads.cell_named``, so it works without JavaScript too."""
    return StringField(
        label,
        validators=[InputRequired(), Length(max=200)],
        filters=[nfc],
        render_kw={"list": CELL_CHOICES_ID, "autocomplete": "off"},
    )


class EnrolMemberForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "member.name_required": "full_name",
        "member.name_too_long": "full_name",
        "member.card_invalid": "party_card_no",
        "member.card_taken": "party_card_no",
        "member.admission_in_future": "admission_date",
        "member.birth_after_admission": "birth_date",
        "member.status_unknown": "status",
        **CELL_ERRORS,
    }

    full_name = StringField(
        "Họ và tên", validators=[DataRequired(), Length(max=120)], filters=[nfc]
    )
    party_card_no = StringField(
        "Số thẻ đảng viên", validators=[DataRequired(), Length(max=32)], filters=[nfc]
    )
    birth_date = DateField("Ngày sinh", validators=[InputRequired()])
    admission_date = DateField("Ngày vào Đảng", validators=[InputRequired()])
    status = SelectField(
        "Tình trạng",
        choices=choices(STATUS_LABELS.items()),
        validators=[DataRequired()],
        validate_choice=False,
    )
    cell_id = IdSelectField("Chi bộ sinh hoạt", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận đảng viên")


class TransferMemberForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = CELL_ERRORS

    cell_id = IdSelectField("Chuyển đến chi bộ", validators=[InputRequired()])
    submit = SubmitField("Chuyển sinh hoạt")


# The pages' forms: the chi bộ typed (the JSON API takes its id, as above).
class EnrolMemberPageForm(EnrolMemberForm):
    cell_id = cell_field("Chi bộ sinh hoạt")


class TransferMemberPageForm(TransferMemberForm):
    cell_id = cell_field("Chuyển đến chi bộ")
