"""The insights page's one form: which months to count (a GET form, so a period can be
bookmarked and shared; it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from directory.insights.tables import Period, parse_month


def _month(_form: FlaskForm, field: StringField) -> None:
    try:
        parse_month(field.data)
    except ValueError:
        raise ValidationError(
            f"Enter the {field.label.text.lower()} as a year and month, like 2026-03"
        ) from None


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    from_month = StringField(
        "First month",
        name="from",
        widget=GovTextInput(),
        validators=[Optional(), _month],
        description="For example, 2026-01. Leave empty to start from the first record.",
    )
    to_month = StringField(
        "Last month",
        name="to",
        widget=GovTextInput(),
        validators=[Optional(), _month],
        description="For example, 2026-06. Leave empty to count up to today.",
    )
    submit = SubmitField("Show these months", widget=GovSubmitInput())

    def validate_to_month(self, field: StringField) -> None:
        try:
            Period.parse(self.from_month.data, field.data)
        except ValueError as exc:
            if "must not be after" in str(exc):
                raise ValidationError(
                    "The last month must be the same as or after the first month"
                ) from None

    def period(self) -> Period:
        """The period asked for; all time when the answers are empty or not valid."""
        try:
            return Period.parse(self.from_month.data, self.to_month.data)
        except ValueError:
            return Period()
