"""Remediation forms: shape only (required, lengths, dates) and NFC. Every rule —
the state machine, who may verify, carry-over — is the domain's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from web.catalogue.remediation import CAUSE_LABELS, SOURCE_LABELS, SUPERVISOR_LABELS
from web.forms import BaseForm, IdSelectField, MultiCheckboxField, choices, nfc

TEXT = [DataRequired(), Length(max=4000)]
OPTIONAL_TEXT = [Optional(), Length(max=4000)]


class RecordShortcomingForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "remediation.description_required": "description",
        "remediation.source_unknown": "source",
        "remediation.cause_unknown": "cause",
        "remediation.review_mismatch": "review_id",
        "remediation.recurrence_other_subject": "recurrence_of",
        "remediation.recurrence_not_earlier": "recurrence_of",
        "remediation.already_recurred": "recurrence_of",
        "remediation.collective_only": "collective_responsibility",
    }

    source = SelectField(
        "Nguồn phát hiện", choices=choices(SOURCE_LABELS.items()), validate_choice=False
    )
    description = TextAreaField("Hạn chế, khuyết điểm", validators=TEXT, filters=[nfc])
    cause = SelectField(
        "Nguyên nhân", choices=choices(CAUSE_LABELS.items()), validate_choice=False
    )
    collective_responsibility = TextAreaField(
        "Trách nhiệm của tập thể", validators=OPTIONAL_TEXT, filters=[nfc]
    )
    review_id = IdSelectField("Tại hội nghị kiểm điểm", validators=[Optional()])
    recurrence_of = IdSelectField(
        "Tái diễn hạn chế, khuyết điểm kỳ trước", validators=[Optional()]
    )
    recorded_on = DateField("Ngày ghi nhận", validators=[Optional()])
    submit = SubmitField("Ghi nhận hạn chế, khuyết điểm")


class PlanForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "remediation.shortcomings_required": "shortcoming_ids",
        "remediation.measures_required": "measures",
        "remediation.deadline_in_past": "deadline",
        "remediation.supervisor_unknown": "supervisor",
        "member.not_found": "responsible_member_id",
        "member.unmatched": "responsible_member_id",
        "member.ambiguous": "responsible_member_id",
        "org.not_found": "supervisor_org_id",
        "org.unmatched": "supervisor_org_id",
        "org.ambiguous": "supervisor_org_id",
    }

    shortcoming_ids = MultiCheckboxField("Hạn chế, khuyết điểm được khắc phục")
    measures = TextAreaField(
        "Biện pháp, lộ trình khắc phục (mỗi dòng một biện pháp)",
        validators=[DataRequired(), Length(max=20000)],
        filters=[nfc],
    )
    # Typed (a name or card number; an organisation's name or code), with the
    # suggestions of cell-search.js, read by ``FormChoices`` in the user's
    # scope: no select of every member or organisation.
    responsible_member_id = StringField(
        "Người chịu trách nhiệm thực hiện",
        validators=[DataRequired(), Length(max=300)],
        filters=[nfc],
        render_kw={"list": "dang-vien-khac-phuc", "autocomplete": "off"},
    )
    deadline = DateField("Thời hạn hoàn thành", validators=[InputRequired()])
    supervisor = SelectField(
        "Cơ quan kiểm tra, giám sát",
        choices=choices(SUPERVISOR_LABELS.items()),
        validate_choice=False,
    )
    supervisor_org_id = StringField(
        "Thuộc tổ chức",
        validators=[DataRequired(), Length(max=200)],
        filters=[nfc],
        render_kw={"list": "to-chuc-giam-sat", "autocomplete": "off"},
    )
    adopted_on = DateField("Ngày thông qua", validators=[Optional()])
    submit = SubmitField("Thông qua kế hoạch khắc phục")


class ProgressForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "remediation.text_required": "text",
        "remediation.document_hash_invalid": "document_sha256",
        "remediation.document_reference_required": "document_reference",
    }

    text = TextAreaField("Kết quả thực hiện", validators=TEXT, filters=[nfc])
    document_reference = StringField(
        "Tài liệu minh chứng (số, ký hiệu, tên)",
        validators=[Optional(), Length(max=300)],
        filters=[nfc],
    )
    document_sha256 = StringField(
        "Mã SHA-256 của tệp minh chứng", validators=[Optional()], filters=[nfc]
    )
    reported_on = DateField("Ngày báo cáo", validators=[Optional()])
    submit = SubmitField("Báo cáo tiến độ")


class ClaimForm(BaseForm):
    summary = TextAreaField("Kết quả khắc phục", validators=TEXT, filters=[nfc])
    claimed_on = DateField("Ngày báo cáo", validators=[Optional()])
    submit = SubmitField("Báo cáo đã hoàn thành khắc phục")


class VerifyForm(BaseForm):
    note = TextAreaField("Nhận xét", validators=OPTIONAL_TEXT, filters=[nfc])
    verified_on = DateField("Ngày xác nhận", validators=[Optional()])
    submit = SubmitField("Xác nhận đã khắc phục")


class RefuseForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "remediation.reason_required": "reason"
    }

    reason = TextAreaField(
        "Lý do không xác nhận", validators=[Optional(), Length(max=4000)], filters=[nfc]
    )
    refused_on = DateField("Ngày", validators=[Optional()])
    submit = SubmitField("Không xác nhận")


ORG_CHOICES_ID = "to-chuc-trong-pham-vi"


class FilterForm(BaseForm):
    """The list's filters (GET). The organisation is typed (its name or code,
    or picked from the suggestions filled by ``cell-search.js``) and read by
    ``DirectoryReads.organisation_named``, so it works without JavaScript."""

    class Meta:
        csrf = False

    error_fields: ClassVar[Mapping[str, str]] = {
        "org.unmatched": "org_id",
        "org.ambiguous": "org_id",
    }

    org_id = StringField(
        "Tổ chức",
        validators=[Optional(), Length(max=200)],
        filters=[nfc],
        render_kw={"list": ORG_CHOICES_ID, "autocomplete": "off"},
    )
    year = SelectField("Năm kiểm điểm", validate_choice=False)
    status = SelectField("Trạng thái", validate_choice=False)
    urgency = SelectField("Thời hạn", validate_choice=False)
