"""Forms for problem reports: the public form (with a honeypot) and the staff and organisation
actions. All are Flask-WTF forms, so every POST carries a CSRF token."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.public.forms import ReportProblemForm

#: How long a resolution note, a reply or an organisation's note may be.
NOTE_MAX_LENGTH = 2000

#: Control characters other than tab and newline: PostgreSQL refuses NUL in text, and none of
#: them means anything in a note a person typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NO_PERSONAL_DATA = (
    "Do not include names, email addresses, phone numbers or anything else about the person "
    "who reported it: the organisation can read this."
)


def clean_text(value: str | None) -> str | None:
    """Free text as stored: control characters removed, Windows line endings made plain,
    surrounding spaces trimmed."""
    if value is None:
        return None
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


class PublicReportForm(ReportProblemForm):
    """The public "Report a problem" form plus a honeypot: ``website`` is hidden from people
    (and from assistive technology) by the ``hidden`` attribute, so only a bot fills it in."""

    website = StringField("Leave this box empty")

    def filter_problem(self, value: str | None) -> str | None:
        return clean_text(value)

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


def _note(label: str, description: str, required: str | None) -> TextAreaField:
    validators = [DataRequired(message=required)] if required else [Optional()]
    return TextAreaField(
        label,
        description=description,
        validators=[
            *validators,
            Length(
                max=NOTE_MAX_LENGTH,
                message=f"{label.split(' (')[0]} must be {NOTE_MAX_LENGTH} characters or fewer",
            ),
        ],
        filters=[clean_text],
        widget=GovCharacterCount(),
    )


class ResolveForm(FlaskForm):
    """Staff: say what was done, and optionally reply to the person who reported it."""

    resolution = _note(
        "What was done",
        "For example, 'Phone number corrected' or 'Checked with the group: the times are right'. "
        + NO_PERSONAL_DATA,
        "Enter what was done about this report",
    )
    reply = _note(
        "Reply to the person who reported it (optional)",
        "We will email this to them, then delete their address. Leave it empty to send nothing.",
        None,
    )
    submit = SubmitField("Resolve report", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    """Staff: reply to the reporter of a report that is already resolved."""

    reply = _note(
        "Reply to the person who reported it",
        "We will email this to them, then delete their address.",
        "Enter the reply to send",
    )
    submit = SubmitField("Send reply", widget=GovSubmitInput())


class PassForm(FlaskForm):
    """Staff: pass the report to the organisation that runs the service (nothing to fill in:
    the form exists for its CSRF token)."""

    submit = SubmitField("Pass to the organisation", widget=GovSubmitInput())


class DealtWithForm(FlaskForm):
    """An organisation member: say what was done and close the report."""

    resolution = _note(
        "What did you do?",
        "For example, 'We changed the opening times' or 'The details were already right'. "
        "Staff can read this.",
        "Enter what you did about this report",
    )
    submit = SubmitField("Mark as dealt with", widget=GovSubmitInput())
