"""The console's forms: assign, log a contact attempt, record the outcome. Flask-WTF forms
rendered by govuk-frontend-wtf, so every POST carries a CSRF token and every error says how
to put it right."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from directory.help_requests.models import Outcome
from directory.matching.services import (
    CONTACT_METHODS,
    NOTE_MAX_LENGTH,
    OUTCOME_LABELS,
    clean_note,
)

NOBODY = "nobody"
NO_CANDIDATE = "none"
_CANDIDATE = re.compile(r"^(offer|listing):[A-Za-z0-9-]{1,36}$")


class AssignForm(FlaskForm):
    """Choices are the active staff, set by the view (``me`` first)."""

    assignee = RadioField(
        "Who will work on this request?",
        validators=[InputRequired(message="Choose who will work on this request")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Assign", widget=GovSubmitInput())

    def set_people(self, people: list[tuple[str, str]], me: str) -> None:
        mine = [SelectChoice(me, "Me")]
        others = [SelectChoice(user_id, label) for user_id, label in people if user_id != me]
        self.assignee.choices = [
            *mine,
            *others,
            SelectChoice(NOBODY, "Nobody: put it back on the open list"),
        ]


class ContactAttemptForm(FlaskForm):
    method = RadioField(
        "How did you try to contact them?",
        choices=[SelectChoice(key, label) for key, label in CONTACT_METHODS.items()],
        validators=[InputRequired(message="Choose how you tried to contact them")],
        widget=GovRadioInput(),
    )
    succeeded = RadioField(
        "Did you reach them?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Choose yes if you reached them, or no")],
        widget=GovRadioInput(),
    )
    note = TextAreaField(
        "Note (optional)",
        description=(
            "What happened, briefly: for example, 'Left a voicemail' or 'Will call back "
            "Thursday'. Only what the next person needs: it is deleted with their details."
        ),
        filters=[clean_note],
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX_LENGTH,
                message=f"The note must be {NOTE_MAX_LENGTH} characters or fewer",
            ),
        ],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Save contact attempt", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    """``candidate`` choices are the request's current candidates, set by the view; the
    service checks the chosen one still exists, is active and has a place."""

    outcome = RadioField(
        "What was the outcome?",
        choices=[SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(message="Choose the outcome")],
        widget=GovRadioInput(),
    )
    candidate = RadioField(
        "Which offer or listing?",
        description="Needed when they were matched; optional when signposted to a listing.",
        validate_choice=False,
        widget=GovRadioInput(),
    )
    submit = SubmitField("Record outcome and close", widget=GovSubmitInput())

    def set_candidates(self, choices: list[tuple[str, str]]) -> None:
        self.candidate.choices = [
            *(SelectChoice(key, label) for key, label in choices),
            SelectChoice(NO_CANDIDATE, "None of these"),
        ]

    def validate_candidate(self, field: RadioField) -> None:
        value = field.data or NO_CANDIDATE
        if value != NO_CANDIDATE and not _CANDIDATE.match(value):
            raise ValidationError("Choose one of the offers or listings shown")
        if self.outcome.data == Outcome.MATCHED.value and value == NO_CANDIDATE:
            raise ValidationError("Choose the offer or listing they were matched to")
        if self.outcome.data == Outcome.SIGNPOSTED.value and value.startswith("offer:"):
            raise ValidationError("Signposting is to a listing: choose a listing, or none")

    def chosen(self) -> tuple[str | None, str | None]:
        """(offer id, service id) of the chosen candidate."""
        value = self.candidate.data or NO_CANDIDATE
        kind, _, ident = value.partition(":")
        return (ident if kind == "offer" else None, ident if kind == "listing" else None)
