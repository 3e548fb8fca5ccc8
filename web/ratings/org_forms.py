"""Forms for the facts about organisations the rating rules read (366 Điều 11,
Điều 7.3; 124): shape only (required, numbers, dates) and NFC; every rule is the
domain's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from web.catalogue.ratings import (
    CASE_LABELS,
    CONCLUSION_LABELS,
    ORG_DISCIPLINE_LABELS,
    SECTOR_LABELS,
    TARGET_LABELS,
)
from web.forms import BaseForm, IdSelectField, MultiCheckboxField, choices, nfc
from web.ratings.forms import REFERENCE

COUNT = [InputRequired(), NumberRange(min=0, max=100000)]


class SectorForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "org.sector_unknown": "sector",
        "org.sector_unchanged": "sector",
        "org.sector_fixed": "sector",
    }
    sector = SelectField(
        "Khối", choices=choices(SECTOR_LABELS.items()), validators=[DataRequired()]
    )
    submit = SubmitField("Ghi nhận khối của tập thể")


class ConclusionForm(BaseForm):
    kind = SelectField(
        "Nội dung kết luận",
        choices=choices(CONCLUSION_LABELS.items()),
        validators=[DataRequired()],
    )
    concluded_on = DateField("Ngày kết luận", validators=[InputRequired()])
    reference = StringField("Số văn bản kết luận", validators=REFERENCE, filters=[nfc])
    submit = SubmitField("Ghi nhận kết luận về tập thể")


class TaskResultsForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "org.task_counts_invalid": "tasks_completed",
        "org.year_invalid": "year",
        "org.targets_do_not_apply": "targets_apply",
    }
    year = IntegerField(
        "Năm", validators=[InputRequired(), NumberRange(min=2000, max=2100)]
    )
    tasks_planned = IntegerField(
        "Số chỉ tiêu, nhiệm vụ theo kế hoạch", validators=COUNT
    )
    tasks_completed = IntegerField("Số đã hoàn thành", validators=COUNT)
    targets_apply = BooleanField("Áp dụng 5 chỉ tiêu kinh tế - xã hội cơ bản")
    targets_failed = MultiCheckboxField(
        "Chỉ tiêu kinh tế - xã hội không đạt",
        choices=choices(TARGET_LABELS.items()),
        validators=[Optional()],
    )
    reference = StringField(
        "Văn bản căn cứ (báo cáo tổng kết)", validators=REFERENCE, filters=[nfc]
    )
    submit = SubmitField("Ghi nhận kết quả thực hiện nhiệm vụ")


class CaseForm(BaseForm):
    kind = SelectField(
        "Loại vụ việc",
        choices=choices(CASE_LABELS.items()),
        validators=[DataRequired()],
    )
    disciplined_on = DateField("Ngày xử lý kỷ luật", validators=[InputRequired()])
    member_id = IdSelectField("Đảng viên liên quan (nếu có)", validators=[Optional()])
    reference = StringField(
        "Số quyết định kỷ luật", validators=REFERENCE, filters=[nfc]
    )
    submit = SubmitField("Ghi nhận vụ việc tham nhũng, lãng phí, tiêu cực")


class OrgDisciplineForm(BaseForm):
    level = SelectField(
        "Hình thức kỷ luật",
        choices=choices(ORG_DISCIPLINE_LABELS.items()),
        validators=[DataRequired()],
    )
    decided_on = DateField("Ngày quyết định", validators=[InputRequired()])
    reference = StringField(
        "Số quyết định kỷ luật", validators=REFERENCE, filters=[nfc]
    )
    submit = SubmitField("Ghi nhận kỷ luật tổ chức")
