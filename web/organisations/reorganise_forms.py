"""Forms of "Sắp xếp, tổ chức lại": one per operation, drawn together on the
page of the common parent (each with its own prefix). Shape and NFC only; the
services apply every rule (decision, scope, the tree)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from web.catalogue import KIND_LABELS
from web.forms import BaseForm, IdSelectField, MultiCheckboxField, choices, nfc

PEER_GROUPS = (
    ("yes", "Chuyển theo tổ chức kế tục"),
    ("no", "Không chuyển (tổ chức kế tục xác định lại)"),
)


def peer_groups_field() -> SelectField:
    """Whether the open rounds' peer groups follow (default: they do)."""
    return SelectField(
        "Nhóm tương đồng trong các đợt xếp loại đang mở",
        choices=choices(PEER_GROUPS),
        default="yes",
    )


DECISION_FIELDS: Mapping[str, str] = {
    "org.decision_required": "decision_no",
    "org.decision_too_long": "decision_no",
    "org.effective_too_far": "effective_on",
    "org.effective_before_last_change": "effective_on",
}


class DecisionForm(BaseForm):
    """Số quyết định and ngày hiệu lực, on every operation."""

    class Meta:
        csrf = False  # the page's own token (web.security) protects every POST

    decision_no = StringField(
        "Số quyết định", validators=[DataRequired(), Length(max=100)], filters=[nfc]
    )
    effective_on = DateField("Ngày hiệu lực", validators=[InputRequired()])


class RenameForm(DecisionForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **DECISION_FIELDS,
        "org.name_required": "name",
        "org.name_too_long": "name",
        "org.name_unchanged": "name",
    }
    target = IdSelectField("Tổ chức", validators=[InputRequired()])
    name = StringField(
        "Tên mới", validators=[DataRequired(), Length(max=200)], filters=[nfc]
    )
    submit = SubmitField("Đổi tên")


class MoveForm(DecisionForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **DECISION_FIELDS,
        "org.parent_unchanged": "parent_id",
        "org.parent_not_allowed": "parent_id",
        "org.parent_dissolved": "parent_id",
        "org.move_cycle": "parent_id",
    }
    target = IdSelectField("Tổ chức", validators=[InputRequired()])
    parent_id = IdSelectField("Chuyển về trực thuộc", validators=[InputRequired()])
    submit = SubmitField("Chuyển trực thuộc")


class KindForm(DecisionForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **DECISION_FIELDS,
        "org.kind_unchanged": "kind",
        "org.kind_unknown": "kind",
        "org.kind_change_not_allowed": "kind",
        "org.child_kind_not_allowed": "kind",
        "org.parent_not_allowed": "parent_id",
    }
    target = IdSelectField("Tổ chức", validators=[InputRequired()])
    kind = SelectField(
        "Loại hình mới",
        choices=choices(KIND_LABELS.items()),
        validators=[DataRequired()],
        validate_choice=False,
    )
    parent_id = IdSelectField("Trực thuộc (để trống: giữ nguyên)")
    submit = SubmitField("Đổi loại hình")


class MergeForm(DecisionForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **DECISION_FIELDS,
        "org.merge_needs_one": "absorbed",
        "org.merge_kind_mismatch": "absorbed",
        "org.merge_into_self": "successor_id",
        "org.merge_into_descendant": "successor_id",
        "org.successor_dissolved": "successor_id",
        "org.code_taken": "new_code",
        "org.code_invalid": "new_code",
    }
    absorbed = MultiCheckboxField("Các tổ chức hợp nhất", coerce=str)
    successor_id = IdSelectField("Vào tổ chức kế tục có sẵn")
    new_code = StringField(
        "hoặc thành lập tổ chức mới — mã",
        validators=[Optional(), Length(max=64)],
        filters=[nfc],
    )
    new_name = StringField(
        "Tên tổ chức mới", validators=[Optional(), Length(max=200)], filters=[nfc]
    )
    new_kind = SelectField(
        "Loại hình tổ chức mới",
        choices=choices(KIND_LABELS.items()),
        validate_choice=False,
    )
    new_parent_id = IdSelectField("Tổ chức mới trực thuộc")
    peer_groups = peer_groups_field()
    submit = SubmitField("Hợp nhất")


class SplitForm(DecisionForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **DECISION_FIELDS,
        "org.split_needs_two": "successors",
        "org.split_unplaced": "placements",
        "org.successor_not_listed": "placements",
        "org.member_not_in_cell": "placements",
        "org.successor_not_a_cell": "placements",
        "org.split_plans_unplaced": "plans_to",
    }
    target = IdSelectField("Tổ chức chia tách", validators=[InputRequired()])
    successors = MultiCheckboxField("Các tổ chức kế tục", coerce=str)
    placements = TextAreaField(
        "Phân bổ (mỗi dòng: số thẻ đảng viên, kể cả đảng viên sinh hoạt tạm thời "
        "tại chi bộ, hoặc mã tổ chức trực thuộc = mã tổ chức kế tục)",
        validators=[Optional(), Length(max=20000)],
        filters=[nfc],
    )
    plans_to = IdSelectField(
        "Tổ chức kế tục tiếp nhận kế hoạch khắc phục còn mở của tổ chức chia tách"
    )
    peer_groups = peer_groups_field()
    submit = SubmitField("Chia tách")


class DissolveForm(DecisionForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        **DECISION_FIELDS,
        "org.reason_required": "reason",
        "org.not_empty": "target",
    }
    target = IdSelectField("Tổ chức", validators=[InputRequired()])
    reason = TextAreaField(
        "Lý do giải thể", validators=[DataRequired(), Length(max=1000)], filters=[nfc]
    )
    submit = SubmitField("Giải thể")


OPERATION_FORMS: dict[str, type[DecisionForm]] = {
    "rename": RenameForm,
    "move": MoveForm,
    "kind": KindForm,
    "merge": MergeForm,
    "split": SplitForm,
    "dissolve": DissolveForm,
}
