"""Staff forms: decisions on proposals and claims, inferred-term reviews, restores and an
organisation's standing. Rendered with the GOV.UK components by govuk-frontend-wtf; every one
is a ``FlaskForm``, so every POST carries a CSRF token."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

REASON_MAX_LENGTH = 2000


def printable(value: Any) -> Any:
    """Drop control characters (NUL and the like) a browser never sends from a text box."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()


def _reason_field(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        filters=[printable],
        validators=[
            Length(
                max=REASON_MAX_LENGTH,
                message=f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
            )
        ],
        widget=GovCharacterCount(),
    )


class ProposalDecisionForm(FlaskForm):
    decision = RadioField(
        "What do you want to do with this proposal?",
        choices=[
            SelectChoice("approve", "Approve and publish it"),
            SelectChoice("changes", "Ask the organisation for changes"),
            SelectChoice("reject", "Reject it"),
        ],
        validators=[InputRequired(message="Select approve, ask for changes or reject")],
        widget=GovRadioInput(),
    )
    reason = _reason_field(
        "Reason",
        "Needed if you ask for changes or reject: it is emailed to the organisation, so say "
        "what to change. Do not include personal information.",
    )
    submit = SubmitField("Confirm decision", widget=GovSubmitInput())

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data in ("changes", "reject") and not field.data:
            raise ValidationError("Enter a reason: the organisation is told it by email")


class ClaimDecisionForm(FlaskForm):
    decision = RadioField(
        "What do you want to do with this request?",
        choices=[
            SelectChoice("approve", "Approve: they can manage the listing"),
            SelectChoice("reject", "Reject the request"),
        ],
        validators=[InputRequired(message="Select approve or reject")],
        widget=GovRadioInput(),
    )
    reason = _reason_field(
        "Reason",
        "Needed if you reject the request: it is emailed to the person who asked.",
    )
    submit = SubmitField("Confirm decision", widget=GovSubmitInput())

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "reject" and not field.data:
            raise ValidationError("Enter a reason: the person who asked is told it by email")


class ActionForm(FlaskForm):
    """A form that is only a button (and its CSRF token): confirm or reject a term."""


class RestoreForm(FlaskForm):
    at = HiddenField(validators=[DataRequired(message="Choose a point in the history")])
    submit = SubmitField("Restore this version", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    trusted = BooleanField(
        "Trusted: minor edits from this organisation are published without waiting",
        widget=GovCheckboxInput(),
    )
    suspended = BooleanField(
        "Suspended: none of this organisation's listings are shown to the public",
        widget=GovCheckboxInput(),
    )
    reason = _reason_field(
        "Reason for the change",
        "Kept in the staff log. Do not include personal information.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_reason(self, field: TextAreaField) -> None:
        if not field.data:
            raise ValidationError("Enter a reason for the change")
