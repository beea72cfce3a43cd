"""Forms of /staff/people: search, a staff role, and the buttons that disable or enable an
account. Flask-WTF forms, so every POST carries a CSRF token; rendered with the GOV.UK
components by govuk-frontend-wtf.

The search is a POST: what an admin types is often an email address, and a GET would put it in
the URL, and so in server and proxy logs and the browser's history.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from directory.accounts.models import StaffRole
from directory.staff.people import SEARCH_MAX_LENGTH, clean_words

ROLE_CHOICES = [
    SelectChoice(StaffRole.NONE.value, "None: not staff"),
    SelectChoice(StaffRole.MODERATOR.value, "Moderator: moderates listings, claims and reports"),
    SelectChoice(StaffRole.ADMIN.value, "Admin: also manages staff and organisations' standing"),
]


class PeopleSearchForm(FlaskForm):
    words = StringField(
        "Email address, name or organisation",
        description="All or part of it. Leave it empty to list everyone.",
        filters=[clean_words],
        validators=[
            Length(
                max=SEARCH_MAX_LENGTH,
                message=f"Enter {SEARCH_MAX_LENGTH} characters or fewer to search for",
            )
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Search", id="search", widget=GovSubmitInput())


class StaffRoleForm(FlaskForm):
    role = RadioField(
        "Staff role",
        choices=ROLE_CHOICES,
        invalid_choice_message="Select none, moderator or admin",
        validators=[DataRequired(message="Select none, moderator or admin")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Change staff role", id="change-role", widget=GovSubmitInput())


class DisableForm(FlaskForm):
    """A button: stop the account signing in, and sign it out everywhere."""

    submit = SubmitField("Disable this account", id="disable", widget=GovSubmitInput())


class EnableForm(FlaskForm):
    submit = SubmitField("Enable this account", id="enable", widget=GovSubmitInput())
