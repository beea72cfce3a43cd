"""The forms of My list, rendered with the GOV.UK components by govuk-frontend-wtf.

Every POST carries the CSRF token (Flask-WTF), so another site cannot add to, clear or email a
person's list in their name.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from directory.core.emails import EmailAddress
from directory.mylist.session_list import NOTE_MAX_LENGTH


class ServiceForm(FlaskForm):
    """Add or remove one service; ``next`` is where to go back to afterwards."""

    service_id = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class NoteForm(FlaskForm):
    note = TextAreaField(
        "Your note",
        description=(
            "For example, who to ask for or what to take with you. Only you can see it, "
            "unless you print, download or email your list."
        ),
        validators=[
            Length(
                max=NOTE_MAX_LENGTH,
                message=f"Your note must be {NOTE_MAX_LENGTH} characters or fewer",
            )
        ],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Save note", widget=GovSubmitInput())


class EmailForm(FlaskForm):
    email = EmailField(
        "Email address",
        description="We use it once to send the list. We do not keep it.",
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            EmailAddress(),
        ],
        widget=GovTextInput(),
    )
    include_notes = BooleanField(
        "Include the notes",
        description=(
            "Notes can have personal details in them. Only include them if the person is "
            "happy for them to be sent by email."
        ),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Send email", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button and the CSRF token: clearing the list, creating or copying a share link."""
