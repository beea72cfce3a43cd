"""Forms on the public pages, rendered with the GOV.UK components by govuk-frontend-wtf."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput, GovTextInput
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.core.emails import EmailAddress

REPORT_MAX_LENGTH = 1200


class SearchForm(FlaskForm):
    """The "what" and "where" boxes. A GET form: nothing to protect, so no CSRF token, and the
    results URL can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = StringField(
        "What do you need help with?",
        description="For example, food, debt, loneliness or a carers group",
        widget=GovTextInput(),
    )
    where = StringField(
        "Where?",
        description="A postcode or town",
        widget=GovTextInput(),
    )


class ReportProblemForm(FlaskForm):
    """Tell us what is wrong with a listing: one box, and an optional address for a reply."""

    problem = TextAreaField(
        "What is wrong with this page?",
        description=(
            "For example, the phone number does not work, the opening times have changed "
            "or the service has closed. Do not include personal or financial information."
        ),
        validators=[
            DataRequired(message="Enter what is wrong with this page"),
            Length(
                max=REPORT_MAX_LENGTH,
                message=f"What is wrong must be {REPORT_MAX_LENGTH} characters or fewer",
            ),
        ],
        widget=GovCharacterCount(),
    )
    email = EmailField(
        "Email address (optional)",
        description="Only if you would like a reply. We will not use it for anything else.",
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            EmailAddress(),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Send report", widget=GovSubmitInput())
