"""The questions of "Ask for help" as Flask-WTF forms (every POST carries a CSRF token),
rendered with the GOV.UK components. Every error message says how to put the answer right.

Free text is cleaned as it arrives (control and direction-override characters out, spaces
squeezed) and cut to a length that fits the session cookie; nothing a person types is ever
an error page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import phonenumbers
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from directory.accounts.forms import Honeypot
from directory.core.emails import MAX_LENGTH as EMAIL_MAX
from directory.core.emails import EmailAddress
from directory.help_requests.needs import MAX_DETAILS
from directory.places.postcodes import normalise_postcode

NONE_OF_THESE = "none"
NAME_MAX = 100
TIMES_MAX = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def clean(value: object, *, lines: bool = False) -> str:
    """Text as kept: Unicode normalised, control and direction characters removed, spaces
    squeezed (line breaks kept only where ``lines``), ends trimmed."""
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFC", value[: MAX_DETAILS * 4])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(lambda m: "\n" if m.group(0) == "\n" else "", text)
    if lines:
        kept = [" ".join(line.split()) for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return " ".join(text.split())


class SafetyForm(FlaskForm):
    urgent = RadioField(
        "Is anyone in danger now, or do you need urgent help today?",
        description=(
            "For example, someone is hurt or at risk of harm, is thinking about ending their "
            "life, or has nowhere safe to stay tonight."
        ),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[
            InputRequired(
                message="Select yes if anyone is in danger now or needs urgent help today"
            )
        ],
        widget=GovRadioInput(),
    )


class NeedForm(FlaskForm):
    details = TextAreaField(
        "Tell us in your own words",
        description=(
            "For example, \u2018I cannot get to the shops since my operation\u2019 or "
            "\u2018my mum is lonely since dad died\u2019."
        ),
        filters=[lambda v: clean(v, lines=True)],
        validators=[
            Length(
                max=MAX_DETAILS,
                message=f"Your description must be {MAX_DETAILS:,} characters or fewer",
            )
        ],
        widget=GovCharacterCount(),
    )
    need = SelectMultipleField("Or choose from this list", validate_choice=False)

    def __init__(self, *args, need_choices: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.need.choices = [SelectChoice(value, label) for value, label in need_choices]
        known = {value for value, _ in need_choices}
        self.need.data = [v for v in self.need.data or [] if v in known]

    def validate_details(self, field: TextAreaField) -> None:
        if not field.data and not self.need.data:
            raise ValidationError(
                "Tell us what you need help with in your own words, or select at least one "
                "kind of help from the list"
            )


class ConfirmNeedsForm(FlaskForm):
    need = SelectMultipleField("Is this what you need help with?", validate_choice=False)

    def __init__(self, *args, offered: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        known = {*offered, NONE_OF_THESE}
        self.need.data = [v for v in self.need.data or [] if v in known]

    def validate_need(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(
                "Select the kinds of help you need, or select \u2018None of these\u2019"
            )
        if NONE_OF_THESE in field.data and len(field.data) > 1:
            raise ValidationError(
                "Select the kinds of help you need, or \u2018None of these\u2019 on its own"
            )


class WhoForm(FlaskForm):
    for_whom = RadioField(
        "Who needs help?",
        choices=[SelectChoice("me", "Me"), SelectChoice("someone_else", "Someone else")],
        validators=[InputRequired(message="Select whether the help is for you or someone else")],
        widget=GovRadioInput(),
    )


class PostcodeForm(FlaskForm):
    postcode = StringField(
        "What is your postcode?",
        description="We use it to find help near you. For example, CH1 2HJ",
        filters=[lambda v: clean(v)[:40]],
        widget=GovTextInput(),
    )

    def __init__(self, *args, known: Callable[[str], bool] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.known = known

    def validate_postcode(self, field: StringField) -> None:
        if not field.data:
            raise ValidationError("Enter a postcode, like CH1 2HJ")
        postcode = normalise_postcode(field.data)
        if postcode is None:
            raise ValidationError("Enter a full UK postcode, like CH1 2HJ")
        if self.known is not None and not self.known(postcode):
            raise ValidationError(
                "We could not find that postcode. Check it and enter it again, like CH1 2HJ"
            )
        field.data = postcode


def readable_phone(text: str) -> str | None:
    """A UK phone number a person can be called on, in its readable form, or None."""
    digits = re.sub(r"[\s().-]", "", text)
    if not 10 <= len(digits.lstrip("+")) <= 13:
        return None
    try:
        parsed = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        return None
    # A UK number of a possible shape is accepted even when unallocated (Ofcom's drama range
    # among them): a typing slip is caught, a new number range is not refused.
    uk_shape = parsed.country_code == 44 and phonenumbers.is_possible_number(parsed)
    if not (phonenumbers.is_valid_number(parsed) or uk_shape):
        return None
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


class ContactForm(FlaskForm):
    name = StringField(
        "Your name",
        description="The name we should ask for when we contact you.",
        filters=[lambda v: clean(v)],
        validators=[
            InputRequired(message="Enter your name"),
            Length(max=NAME_MAX, message=f"Your name must be {NAME_MAX} characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    phone = StringField(
        "Phone number (optional)",
        description="A UK landline or mobile number, like 01632 960 001 or 07700 900 982.",
        filters=[lambda v: clean(v)[:60]],
        widget=GovTextInput(),
    )
    email = StringField(
        "Email address (optional)",
        description="We will send you a confirmation with your reference number.",
        filters=[lambda v: clean(v)],
        validators=[
            Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
            EmailAddress(),
        ],
        widget=GovTextInput(),
    )
    contact_by = RadioField(
        "How would you like us to contact you?",
        choices=[
            SelectChoice("phone", "By phone"),
            SelectChoice("email", "By email"),
            SelectChoice("either", "Either is fine"),
        ],
        validators=[InputRequired(message="Select how you would like us to contact you")],
        widget=GovRadioInput(),
    )
    contact_times = StringField(
        "When is the best time to contact you? (optional)",
        description="For example, weekday mornings, or after 4pm.",
        filters=[lambda v: clean(v)],
        validators=[
            Length(max=TIMES_MAX, message=f"Best times must be {TIMES_MAX} characters or fewer")
        ],
        widget=GovTextInput(),
    )
    urgency = RadioField(
        "How soon do you need help?",
        choices=[
            SelectChoice("today", "Today"),
            SelectChoice("this_week", "This week"),
            SelectChoice("not_urgent", "It is not urgent"),
        ],
        validators=[InputRequired(message="Select how soon you need help")],
        widget=GovRadioInput(),
    )

    def validate_phone(self, field: StringField) -> None:
        if not field.data:
            if not self.email.data:
                raise ValidationError(
                    "Enter a phone number or an email address, so we can contact you"
                )
            if self.contact_by.data == "phone":
                raise ValidationError("Enter a phone number, or choose to be contacted by email")
            return
        number = readable_phone(field.data)
        if number is None:
            raise ValidationError("Enter a UK phone number, like 01632 960 001 or 07700 900 982")
        field.data = number

    def validate_email(self, field: StringField) -> None:
        if not field.data and self.contact_by.data == "email":
            raise ValidationError("Enter an email address, or choose to be contacted by phone")


class ConsentForm(FlaskForm):
    consent = BooleanField(
        "I agree to you keeping my answers and using them to find me help",
        validators=[
            InputRequired(
                message="Select that you agree, so that we can pass your request to our team"
            )
        ],
        widget=GovCheckboxInput(),
    )


class SendForm(Honeypot, FlaskForm):
    submit = SubmitField("Send request", widget=GovSubmitInput())


class SelfServedForm(FlaskForm):
    submit = SubmitField("This is what I needed", widget=GovSubmitInput())
