"""Rating forms: shape only (required, numbers, dates) and NFC. Every rule —
levels allowed, quota, order, authority — is the domain's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from web.catalogue.ratings import (
    DEADLINE_LEVELS,
    HOLD_REASONS,
    LEVEL_LABELS,
    MILESTONES,
    REPORT_SECTION_LABELS,
    REREVIEW_SCOPES,
    TRIGGER_LABELS,
)
from web.forms import BaseForm, IdSelectField, MultiCheckboxField, choices, nfc

LEVELS = choices(LEVEL_LABELS.items())
COUNT = [InputRequired(), NumberRange(min=0, max=100000)]


class OpenCycleForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "cycle.exists": "year",
        "cycle.year_invalid": "year",
        "cycle.no_regime": "year",
        "cycle.reference_date_invalid": "reference_date",
        "org.not_found": "org_id",
        "org.unmatched": "org_id",
        "org.ambiguous": "org_id",
    }

    # Typed (a name or code, or a suggestion of cell-search.js), read by
    # ``FormChoices.organisation_acting_named``: no select of every organisation.
    org_id = StringField(
        "Tổ chức đảng",
        validators=[DataRequired(), Length(max=200)],
        filters=[nfc],
        render_kw={"list": "to-chuc-mo-ky", "autocomplete": "off"},
    )
    year = IntegerField("Năm kiểm điểm", validators=[InputRequired()])
    reference_date = DateField(
        "Ngày tính đủ 6 tháng tuổi đảng", validators=[Optional()]
    )
    submit = SubmitField("Mở kỳ kiểm điểm")


class OpenRoundForm(BaseForm):
    authority_org_id = IdSelectField("Cấp có thẩm quyền", validators=[InputRequired()])
    submit = SubmitField("Mở đợt xếp loại")


class OpenReviewForm(BaseForm):
    venue_id = IdSelectField("Nơi kiểm điểm", validators=[InputRequired()])
    submit = SubmitField("Mở kiểm điểm")


def _report_section(key: str, required: bool = False) -> TextAreaField:
    first = DataRequired() if required else Optional()
    return TextAreaField(
        REPORT_SECTION_LABELS[key],
        validators=[first, Length(max=20000)],
        filters=[nfc],
    )


class ReportForm(BaseForm):
    """Mẫu 01: the report's sections I–V in the template's order."""

    error_fields: ClassVar[Mapping[str, str]] = {"review.section_missing": "results"}

    results = _report_section("results", required=True)
    shortcomings = _report_section("shortcomings")
    remediation = _report_section("remediation")
    suggestions = _report_section("suggestions")
    measures = _report_section("measures")
    circulated_on = DateField(
        "Ngày gửi người dự hội nghị", validators=[InputRequired()]
    )
    submit = SubmitField("Ghi nhận đã gửi dự thảo")


class SelfReviewForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {"review.section_missing": "strengths"}

    strengths = TextAreaField("I. Ưu điểm, kết quả đạt được", filters=[nfc])
    shortcomings = TextAreaField(
        "II. Hạn chế, khuyết điểm và nguyên nhân", filters=[nfc]
    )
    remediation = TextAreaField(
        "III. Kết quả khắc phục hạn chế, khuyết điểm kỳ trước", filters=[nfc]
    )
    suggestions = TextAreaField(
        "IV. Giải trình các vấn đề được gợi ý kiểm điểm", filters=[nfc]
    )
    responsibility = TextAreaField(
        "V. Làm rõ trách nhiệm đối với hạn chế, khuyết điểm của tập thể", filters=[nfc]
    )
    measures = TextAreaField("VI. Phương hướng, biện pháp khắc phục", filters=[nfc])
    submit = SubmitField("Nộp bản kiểm điểm")


class MeetingForm(BaseForm):
    held_on = DateField("Ngày họp", validators=[InputRequired()])
    attendees = IntegerField("Số người dự", validators=COUNT)
    minutes = TextAreaField(
        "Biên bản hội nghị",
        validators=[DataRequired(), Length(max=20000)],
        filters=[nfc],
    )
    conclusion = TextAreaField(
        "Kết luận", validators=[DataRequired(), Length(max=20000)], filters=[nfc]
    )
    submit = SubmitField("Ghi nhận hội nghị kiểm điểm")


class SelfRatingForm(BaseForm):
    level = SelectField("Tự xếp loại", choices=LEVELS, validators=[DataRequired()])
    tasks_total = IntegerField("Số nhiệm vụ được giao", validators=COUNT)
    tasks_on_time = IntegerField(
        "Hoàn thành đúng tiến độ, bảo đảm chất lượng", validators=COUNT
    )
    tasks_exceeded = IntegerField("Trong đó vượt mức", validators=COUNT, default=0)
    tasks_late = IntegerField(
        "Hoàn thành nhưng chậm tiến độ", validators=COUNT, default=0
    )
    tasks_not_done = IntegerField("Không hoàn thành", validators=COUNT, default=0)
    met = MultiCheckboxField("Tiêu chí đạt được")
    submit = SubmitField("Ghi nhận tự đánh giá, xếp loại")


class ProposalForm(BaseForm):
    level = SelectField("Mức đề xuất", choices=LEVELS, validators=[DataRequired()])
    note = TextAreaField(
        "Ý kiến thẩm định", validators=[Length(max=4000)], filters=[nfc]
    )
    submit = SubmitField("Ghi nhận thẩm định, đề xuất")


class DecisionForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "rating.decision_no_required": "decision_no",
        "rating.justification_required": "justification",
    }

    level = SelectField("Mức xếp loại", choices=LEVELS, validators=[DataRequired()])
    decision_no = StringField(
        "Số quyết định", validators=[DataRequired(), Length(max=100)], filters=[nfc]
    )
    decided_on = DateField("Ngày quyết định", validators=[InputRequired()])
    justification = TextAreaField(
        "Giải trình (nếu có)", validators=[Length(max=4000)], filters=[nfc]
    )
    submit = SubmitField("Quyết định xếp loại")


class HoldForm(BaseForm):
    reason = SelectField(
        "Lý do", choices=choices(HOLD_REASONS.items()), validators=[DataRequired()]
    )
    note = TextAreaField(
        "Nội dung", validators=[DataRequired(), Length(max=4000)], filters=[nfc]
    )
    submit = SubmitField("Tạm dừng để xác minh")


class MitigationForm(BaseForm):
    # Every trigger code may be chosen; the domain refuses one the subject does
    # not have (rating.trigger_not_present) or one that cannot be set aside.
    trigger = SelectField(
        "Căn cứ",
        choices=choices([("", "— Chọn căn cứ —"), *TRIGGER_LABELS.items()]),
        validators=[DataRequired()],
    )
    justification = TextAreaField(
        "Giải trình bằng văn bản", validators=[Length(max=4000)], filters=[nfc]
    )
    submit = SubmitField("Quyết định xem xét giảm nhẹ")


class ReRateForm(BaseForm):
    level = SelectField("Mức xếp loại lại", choices=LEVELS, validators=[DataRequired()])
    decision_no = StringField(
        "Số quyết định (Mẫu 03)",
        validators=[DataRequired(), Length(max=100)],
        filters=[nfc],
    )
    decided_on = DateField("Ngày quyết định", validators=[InputRequired()])
    reason = TextAreaField(
        "Lý do huỷ bỏ, xếp loại lại",
        validators=[DataRequired(), Length(max=4000)],
        filters=[nfc],
    )
    chair_responsibility = BooleanField("Kiểm điểm trách nhiệm người chủ trì")
    submit = SubmitField("Huỷ và xếp loại lại")


class PeerGroupForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "rating.group_code_invalid": "code",
        "rating.group_exists": "code",
        "rating.group_name_required": "name",
        "rating.group_empty": "typed",
        "rating.group_member_unknown": "typed",
        "rating.group_member_ambiguous": "typed",
    }

    code = StringField(
        "Mã nhóm", validators=[DataRequired(), Length(max=64)], filters=[nfc]
    )
    name = StringField(
        "Tên nhóm so sánh", validators=[DataRequired(), Length(max=200)], filters=[nfc]
    )
    # The subjects chosen from the suggestions (their keys, hidden fields the
    # script adds) and the ones typed, a name or a card number a line, that
    # the server resolves among the round's subjects (the path without
    # JavaScript).
    members = MultiCheckboxField("Đối tượng đã chọn")
    typed = TextAreaField(
        "Đối tượng có vị trí, vai trò tương đồng",
        validators=[Length(max=20000)],
        filters=[nfc],
    )
    submit = SubmitField("Lập nhóm so sánh")


class QuotaExceptionForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "rating.quota_exception_range": "ratio_pct",
        "rating.justification_required": "justification",
    }

    ratio_pct = IntegerField("Tỉ lệ tối đa (%)", validators=[InputRequired()])
    justification = TextAreaField(
        "Giải trình thành tích xuất sắc, nổi trội",
        validators=[Length(max=4000)],
        filters=[nfc],
    )
    submit = SubmitField("Nâng tỉ lệ")


class CommentForm(BaseForm):
    """Góp ý: the author chosen from the venue's people, or typed (a card number
    or a name) where they are too many to list; the read gateway finds the
    one person the text names (``comment_authors.resolve``)."""

    author_member_id = StringField(
        "Người góp ý",
        validators=[DataRequired(), Length(max=200)],
        filters=[nfc, lambda v: v.strip() if isinstance(v, str) else v],
    )
    text = TextAreaField(
        "Nội dung góp ý", validators=[DataRequired(), Length(max=20000)], filters=[nfc]
    )
    submit = SubmitField("Ghi nhận góp ý")
    error_fields: ClassVar[Mapping[str, str]] = {
        "review.author_required": "author_member_id",
        "review.author_unknown": "author_member_id",
        "review.author_ambiguous": "author_member_id",
        "review.author_not_participant": "author_member_id",
        "member.not_found": "author_member_id",
    }


class SuggestionForm(BaseForm):
    issuer_org_id = IdSelectField("Cấp gợi ý", validators=[InputRequired()])
    text = TextAreaField(
        "Nội dung gợi ý kiểm điểm",
        validators=[DataRequired(), Length(max=20000)],
        filters=[nfc],
    )
    submit = SubmitField("Ghi nhận gợi ý")


class OpinionForm(BaseForm):
    evaluator_kind = SelectField(
        "Chủ thể tham gia đánh giá",
        choices=choices(
            [
                ("superior", "Cấp trên"),
                ("peer", "Cùng cấp"),
                ("subordinate", "Cấp dưới"),
            ]
        ),
        validators=[DataRequired()],
    )
    evaluator = StringField(
        "Tên cơ quan, tổ chức",
        validators=[DataRequired(), Length(max=200)],
        filters=[nfc],
    )
    proposed_level = SelectField(
        "Mức đề xuất (nếu có)",
        choices=choices([("", "— Không đề xuất —"), *LEVEL_LABELS.items()]),
    )
    text = TextAreaField(
        "Ý kiến", validators=[DataRequired(), Length(max=20000)], filters=[nfc]
    )
    submit = SubmitField("Ghi nhận ý kiến")


class NoteForm(BaseForm):
    text = TextAreaField(
        "Nội dung nhận xét",
        validators=[DataRequired(), Length(max=20000)],
        filters=[nfc],
    )
    submit = SubmitField("Ghi nhận nhận xét")


class ImportMembersForm(BaseForm):
    file = FileField(
        "Tệp danh sách đảng viên (.csv hoặc .xlsx)", validators=[FileRequired()]
    )
    dry_run = BooleanField("Chỉ kiểm tra, chưa nhập", default=True)
    submit = SubmitField("Gửi tệp")


POST_ROLES = choices(
    [
        ("head", "Người đứng đầu"),
        ("deputy", "Cấp phó"),
        ("member", "Thành viên, ủy viên"),
    ]
)
EXEMPTIONS = choices(
    [
        ("exempt_party_activity", "Miễn công tác và sinh hoạt đảng"),
        ("party_activity_suspended", "Đình chỉ sinh hoạt đảng"),
    ]
)
LEAVES = choices([("maternity", "Nghỉ thai sản"), ("sick", "Nghỉ ốm")])
DISCIPLINES = choices(
    [
        ("reprimand", "Khiển trách"),
        ("warning", "Cảnh cáo"),
        ("removal", "Cách chức"),
        ("expulsion", "Khai trừ"),
    ]
)
REFERENCE = [DataRequired(), Length(max=200)]


class PostFactForm(BaseForm):
    org_id = IdSelectField("Tổ chức, tập thể", validators=[InputRequired()])
    role = SelectField("Chức vụ", choices=POST_ROLES, validators=[DataRequired()])
    since = DateField("Từ ngày", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận chức vụ")


class EndPostFactForm(BaseForm):
    org_id = IdSelectField("Thôi giữ chức vụ tại", validators=[InputRequired()])
    until = DateField("Đến ngày", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận thôi giữ chức vụ")


class OversightFactForm(BaseForm):
    org_id = IdSelectField(
        "Lĩnh vực, đơn vị trực tiếp phụ trách", validators=[InputRequired()]
    )
    since = DateField("Từ ngày", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận phân công phụ trách")


class EndOversightFactForm(BaseForm):
    org_id = IdSelectField("Thôi phụ trách", validators=[InputRequired()])
    until = DateField("Đến ngày", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận thôi phụ trách")


class TemporaryCellFactForm(BaseForm):
    cell_id = IdSelectField("Chi bộ sinh hoạt tạm thời", validators=[InputRequired()])
    since = DateField("Từ ngày", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận sinh hoạt tạm thời")


class ExemptionFactForm(BaseForm):
    kind = SelectField("Loại", choices=EXEMPTIONS, validators=[DataRequired()])
    start = DateField("Từ ngày", validators=[InputRequired()])
    end = DateField("Đến ngày", validators=[Optional()])
    reference = StringField("Số quyết định", validators=REFERENCE, filters=[nfc])
    submit = SubmitField("Ghi nhận miễn, đình chỉ")


class LeaveFactForm(BaseForm):
    kind = SelectField("Loại nghỉ", choices=LEAVES, validators=[DataRequired()])
    start = DateField("Từ ngày", validators=[InputRequired()])
    end = DateField("Đến ngày", validators=[InputRequired()])
    submit = SubmitField("Ghi nhận thời gian nghỉ")


class DisciplineFactForm(BaseForm):
    level = SelectField(
        "Hình thức kỷ luật", choices=DISCIPLINES, validators=[DataRequired()]
    )
    duty_related = BooleanField("Vi phạm liên quan đến thực hiện chức trách, nhiệm vụ")
    decided_on = DateField("Ngày quyết định", validators=[InputRequired()])
    reference = StringField(
        "Số quyết định kỷ luật", validators=REFERENCE, filters=[nfc]
    )
    conduct_org_id = IdSelectField("Đơn vị nơi xảy ra vi phạm", validators=[Optional()])
    submit = SubmitField("Ghi nhận kỷ luật")


class DegradationFactForm(BaseForm):
    concluded_on = DateField("Ngày kết luận", validators=[InputRequired()])
    reference = StringField("Số văn bản kết luận", validators=REFERENCE, filters=[nfc])
    submit = SubmitField("Ghi nhận kết luận suy thoái")


class ConfidenceFactForm(BaseForm):
    held_on = DateField("Ngày lấy phiếu", validators=[InputRequired()])
    returned = IntegerField("Số phiếu thu về", validators=COUNT)
    low = IntegerField("Số phiếu tín nhiệm thấp", validators=COUNT)
    reference = StringField("Biên bản kiểm phiếu", validators=REFERENCE, filters=[nfc])
    submit = SubmitField("Ghi nhận kết quả lấy phiếu")


class WorkSituationFactForm(BaseForm):
    outside_political_system = BooleanField(
        "Không làm việc trong hệ thống chính trị (nghỉ hưu, học sinh, doanh nghiệp…)"
    )
    submit = SubmitField("Ghi nhận tình trạng công tác")


class DeadlineForm(BaseForm):
    level = SelectField(
        "Cấp", choices=choices(DEADLINE_LEVELS.items()), validators=[DataRequired()]
    )
    milestone = SelectField(
        "Mốc", choices=choices(MILESTONES.items()), validators=[DataRequired()]
    )
    due = DateField("Hạn hoàn thành", validators=[InputRequired()])
    submit = SubmitField("Đặt thời hạn")


class ReReviewForm(BaseForm):
    """The higher committee's order to redo a review and/or a rating (§5.4)."""

    error_fields: ClassVar[Mapping[str, str]] = {
        "rereview.scope_unknown": "scope",
        "rereview.reason_required": "reason",
        "rereview.text_too_long": "reason",
        "rereview.deadline_past": "deadline",
    }

    scope = SelectField(
        "Phạm vi",
        choices=choices(REREVIEW_SCOPES.items()),
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        "Lý do (hình thức, nể nang, né tránh, bỏ sót nội dung, sai quy định…)",
        validators=[DataRequired(), Length(max=4000)],
        filters=[nfc],
    )
    deadline = DateField("Thời hạn thực hiện", validators=[InputRequired()])
    chair_responsibility = BooleanField(
        "Kiểm điểm trách nhiệm của tập thể, cá nhân người chủ trì"
    )
    submit = SubmitField("Yêu cầu tiến hành lại")


class CombinedConferenceForm(BaseForm):
    """43-HD mục 2.4: a collective reviewed at the party committee's conference."""

    collective_id = IdSelectField("Tập thể lãnh đạo", validators=[InputRequired()])
    committee_id = IdSelectField("Kiểm điểm tại hội nghị của")
    submit = SubmitField("Ghi nhận nơi kiểm điểm")


APPENDIX_LABELS = {
    "PL1": "Phụ lục 1 — tập thể",
    "PL2": "Phụ lục 2 — cán bộ thuộc diện Trung ương quản lý",
    "PL3": "Phụ lục 3 — cán bộ lãnh đạo, quản lý",
    "PL4": "Phụ lục 4 — đảng viên không giữ chức vụ lãnh đạo, quản lý",
    "PL5": "Phụ lục 5 — đảng viên ngoài hệ thống chính trị",
}
GROUP_WORDS = {
    "chung": "general",
    "general": "general",
    "nhiệm vụ": "task",
    "nhiem vu": "task",
    "task": "task",
}


def criteria_lines(text: str) -> tuple[tuple[str, str, int, str], ...]:
    """``mã | nhóm | điểm | nội dung`` per line, as the command's items; the
    domain judges them (a line it cannot read keeps 0 points and is refused)."""
    items = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("\t", "|").split("|", 3)]
        parts += [""] * (4 - len(parts))
        code, group, points, title = parts
        try:
            value = int(points)
        except ValueError:
            value = 0
        items.append((code, GROUP_WORDS.get(group.lower(), group), value, title))
    return tuple(items)


class CriteriaForm(BaseForm):
    """A province's or unit's refined 366 criteria for one appendix."""

    error_fields: ClassVar[Mapping[str, str]] = {
        "criteria.year_invalid": "from_year",
        "criteria.not_scored": "from_year",
        "criteria.exists": "from_year",
        "criteria.appendix_unknown": "appendix",
    }

    org_id = IdSelectField("Tổ chức ban hành", validators=[InputRequired()])
    appendix = SelectField(
        "Phụ lục",
        choices=choices(APPENDIX_LABELS.items()),
        validators=[DataRequired()],
    )
    from_year = IntegerField("Áp dụng từ năm", validators=[InputRequired()])
    items = TextAreaField(
        "Tiêu chí (mỗi dòng: mã | chung hoặc nhiệm vụ | điểm tối đa | nội dung)",
        validators=[DataRequired(), Length(max=40000)],
        filters=[nfc],
        render_kw={"rows": 14},
    )
    submit = SubmitField("Ban hành bộ tiêu chí")
