"""Forms of the reports area (shape only; the rules are the domain's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wtforms import DateField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from web.forms import BaseForm, IdSelectField, nfc


class GrantAwardForm(BaseForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "commendation.decision_no_required": "decision_no",
        "commendation.decided_before_year": "decided_on",
        "commendation.awarding_level": "awarding_org_id",
        "commendation.awarding_org_not_above": "awarding_org_id",
    }

    subject_key = HiddenField(validators=[DataRequired()])
    kind = HiddenField(validators=[DataRequired()])
    year = HiddenField(validators=[DataRequired()])
    awarding_org_id = IdSelectField("Cấp ra quyết định", validators=[DataRequired()])
    decision_no = StringField(
        "Số quyết định", validators=[DataRequired(), Length(max=100)], filters=[nfc]
    )
    decided_on = DateField("Ngày quyết định", validators=[InputRequired()])
    submit = SubmitField("Ghi quyết định khen thưởng")
