"""The wizard's question pages as Flask-WTF forms, rendered with the GOV.UK components.

Every message says what to do ("Enter ...", "Select ..."), as the GOV.UK error message pattern
asks; every text answer is cleaned of control characters and cut to a length the directory can
store. Choice lists that come from the database (terms, areas, places) are set by the view.
Each form has :meth:`values` (the answers as stored in ``form_state``) and the views fill a
form from stored answers with ``Form(data=answers)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from directory.core.emails import is_email
from directory.listings.links import web_address
from directory.listings.phones import normalise_phone
from directory.places.postcodes import normalise_postcode

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
NAME_MAX = 200
TEXT_MAX = 1000
DESCRIPTION_MAX = 5000


def clean(value: Any) -> Any:
    """Text without control characters, Windows line ends or surrounding space."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _text(
    label: str, *validators: Any, hint: str = "", area: bool = False, limit: int = TEXT_MAX
) -> Any:
    widget = (
        (GovCharacterCount() if limit >= DESCRIPTION_MAX else GovTextArea())
        if area
        else GovTextInput()
    )
    field = TextAreaField if area else StringField
    message = f"{label} must be {limit} characters or fewer"
    return field(
        label,
        description=hint,
        filters=[clean],
        widget=widget,
        validators=[*validators, Length(max=limit, message=message)],
    )


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choices WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def _checkboxes(
    label: str, hint: str = "", choices: list[tuple[str, str]] | None = None
) -> SelectMultipleField:
    """Checkboxes; answers outside the choices are dropped by :meth:`AnswersForm.values`
    (a tampered form is not worth an error message)."""
    return SelectMultipleField(
        label,
        description=hint,
        choices=options(choices or []),
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )


def _required(message: str) -> DataRequired:
    return DataRequired(message=message)


def check_website(_form: Any, field: Field) -> None:
    if not field.data:
        return
    try:
        field.data = web_address(field.data) or ""
    except ValueError:
        raise ValidationError(
            "Enter a web address in the correct format, like www.example.org"
        ) from None


def check_email(_form: Any, field: Field) -> None:
    """The one parser (:mod:`directory.core.emails`): one address, no lists or IP literals."""
    if field.data and not is_email(field.data):
        raise ValidationError("Enter an email address in the correct format, like name@example.org")


def check_phone(_form: Any, field: Field) -> None:
    if not field.data:
        return
    parsed = normalise_phone(field.data)
    if parsed is None or len(re.sub(r"\D", "", parsed.number)) < 9:
        raise ValidationError("Enter a UK phone number, like 01632 960 001 or 07700 900 982")
    field.data = parsed.number + (f" extension {parsed.extension}" if parsed.extension else "")


class AnswersForm(FlaskForm):
    """A question page: its answers are every field but the buttons and the CSRF token."""

    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name == "csrf_token" or isinstance(field, SubmitField):
                continue
            value = field.data
            if isinstance(field, SelectMultipleField):
                allowed = {str(next(iter(choice))) for choice in field.choices or []}
                value = [v for v in dict.fromkeys(value or []) if v in allowed]
            out[name] = value
        return out


class OrganisationForm(AnswersForm):
    name = _text(
        "Name of your organisation",
        _required("Enter the name of your organisation"),
        limit=NAME_MAX,
    )
    description = _text(
        "What your organisation does",
        Optional(),
        area=True,
        hint="One or two sentences, for people reading your listings.",
    )
    website = _text("Website (optional)", check_website, limit=500)
    email = _text(
        "Email address (optional)",
        check_email,
        limit=254,
        hint="For people who want to contact the organisation.",
    )
    phone = _text("Phone number (optional)", check_phone, limit=40)


class ServiceForm(AnswersForm):
    name = _text(
        "Name of the service",
        _required("Enter the name of the service"),
        limit=NAME_MAX,
        hint="What people call it, for example 'Tuesday Friendship Club'.",
    )
    description = _text(
        "What the service offers",
        _required("Describe what the service offers"),
        area=True,
        limit=DESCRIPTION_MAX,
        hint="Say what happens there and how it helps. We use it to suggest the needs the "
        "service meets.",
    )
    website = _text("Web page for the service (optional)", check_website, limit=500)


def _age(_form: Any, field: Field) -> None:
    if field.data and (not field.data.isdigit() or int(field.data) > 130):
        raise ValidationError(f"{field.label.text.split(' (')[0]} must be a whole number, like 18")


class WhoForm(AnswersForm):
    client_groups = _checkboxes(
        "Who is it for? (optional)", "Select all that apply. Leave blank if it is for everyone."
    )
    minimum_age = _text("Youngest age (optional)", _age, limit=3)
    maximum_age = _text("Oldest age (optional)", _age, limit=3)
    eligibility = _text(
        "Anything else about who can use it (optional)",
        area=True,
        hint="For example 'People living in Ellesmere Port'.",
    )

    def validate_maximum_age(self, field: Field) -> None:
        low, high = self.minimum_age.data, field.data
        if low and high and low.isdigit() and high.isdigit() and int(low) > int(high):
            raise ValidationError("Oldest age must be the same as or more than the youngest age")


class CostForm(AnswersForm):
    cost = RadioField(
        "Does it cost anything?",
        widget=GovRadioInput(),
        choices=options(
            [
                ("free", "It is free"),
                ("paid", "People pay to use it"),
                ("donation", "It is free, and donations are welcome"),
            ]
        ),
        validators=[
            InputRequired(
                "Select whether the service is free, paid for or free with donations welcome"
            )
        ],
    )
    amount = _text(
        "How much it costs, in pounds", limit=10, hint="Only if people pay. For example 3.50"
    )
    details = _text(
        "Anything else about cost (optional)",
        area=True,
        hint="For example 'Free for carers' or '£2 for tea and cake'.",
    )

    def validate_amount(self, field: Field) -> None:
        if self.cost.data != "paid":
            return
        text = (field.data or "").lstrip("£").strip()
        if not text:
            raise ValidationError("Enter how much it costs, like 3.50")
        if not re.fullmatch(r"\d{1,5}(\.\d{1,2})?", text) or float(text) <= 0:
            raise ValidationError("Enter the cost as an amount in pounds, like 3.50")
        field.data = text


class AccessForm(AnswersForm):
    access = RadioField(
        "How do people start using the service?",
        widget=GovRadioInput(),
        choices=options(
            [
                ("drop_in", "They just turn up"),
                ("book", "They book or contact you first"),
                ("referral", "A professional refers them"),
            ]
        ),
        validators=[InputRequired("Select how people start using the service")],
    )
    how = _text(
        "Tell people how (optional)",
        area=True,
        hint="For example 'Phone Sue on the number below to book a place'.",
    )


class ContactForm(AnswersForm):
    contact_name = _text(
        "Who to contact (optional)",
        limit=NAME_MAX,
        hint="A name or a role, for example 'The coordinator'.",
    )
    phone = _text("Phone number", check_phone, limit=40)
    email = _text("Email address", check_email, limit=254)

    def validate_email(self, field: Field) -> None:
        if not field.data and not self.phone.data and not self.phone.errors:
            raise ValidationError("Enter a phone number or an email address, or both")


class WhereForm(AnswersForm):
    mode = RadioField(
        "Where do people use the service?",
        widget=GovRadioInput(),
        choices=options(
            [
                (
                    "place",
                    "At a place already in the directory, such as a community hub or a "
                    "Let's Talk site",
                ),
                ("address", "At another address"),
                ("remote", "Only online or by phone"),
            ]
        ),
        validators=[InputRequired("Select where people use the service")],
    )
    also = _checkboxes(
        "Can people also use it by phone or online? (optional)",
        choices=[("phone", "By phone"), ("online", "Online")],
    )

    def validate_also(self, field: Field) -> None:
        field.data = [m for m in field.data or [] if m in ("phone", "online")]
        if self.mode.data == "remote" and not field.data:
            raise ValidationError("Select by phone, online or both")


class PlaceForm(AnswersForm):
    location_id = RadioField(
        "Choose the place",
        widget=GovRadioInput(),
        choices=[],
        validate_choice=False,
        validators=[InputRequired("Select the place, or search again")],
    )


class AddressForm(AnswersForm):
    venue_name = _text(
        "Name of the building (optional)",
        limit=NAME_MAX,
        hint="For example 'St Mary's Church Hall'.",
    )
    address_1 = _text(
        "Address line 1", _required("Enter the first line of the address"), limit=NAME_MAX
    )
    address_2 = _text("Address line 2 (optional)", limit=NAME_MAX)
    town = _text("Town or city", _required("Enter the town or city"), limit=NAME_MAX)
    postcode = _text("Postcode", _required("Enter the postcode"), limit=10)

    def validate_postcode(self, field: Field) -> None:
        normal = normalise_postcode(field.data or "")
        if normal is None:
            raise ValidationError("Enter a full UK postcode, like CH1 2HJ")
        field.data = normal


class ClaimForm(FlaskForm):
    message = _text(
        "How are you connected with this listing?",
        _required("Tell us how you are connected with this listing"),
        area=True,
        hint="For example 'I run this group and my name is on the poster'. A moderator reads this.",
    )
    submit = SubmitField("Ask to manage it", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A button and the CSRF token (start, submit, withdraw, carry on)."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
