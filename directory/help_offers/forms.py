"""The /offer-help question pages as Flask-WTF forms (so every POST carries a CSRF token),
rendered with the GOV.UK components. The "where" page is in :mod:`.where_form`, the staff
actions in :mod:`.staff_forms`.

Each question form knows how to fill itself from a draft's answers (:meth:`from_answers`)
and which answers it gives (:meth:`answers`). Every error message says how to put the
answer right. Free text is cleaned of control characters and cut to a length the database
stores; choices outside the lists offered are dropped, not reported (a tampered form is not
worth a message).
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from directory.accounts.forms import Honeypot
from directory.help_offers.services import MAX_CAPACITY, SLOTS
from directory.manage.forms import check_email, check_phone, clean

DESCRIPTION_MAX = 1000
NAME_MAX = 200
EMAIL_MAX = 254


def text_field(label: str, limit: int, *validators: Any, hint: str = "") -> StringField:
    return StringField(
        label,
        description=hint,
        filters=[clean],
        widget=GovTextInput(),
        validators=[
            *validators,
            Length(max=limit, message=f"{label} must be {limit} characters or fewer"),
        ],
    )


def checkboxes(label: str, hint: str = "") -> SelectMultipleField:
    return SelectMultipleField(
        label, description=hint, widget=GovCheckboxesInput(), validate_choice=False
    )


def options(pairs: Any) -> list[SelectChoice]:
    """``(value, label)`` pairs as the choices WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def choice_values(field: Field) -> set[str]:
    return {choice.value for choice in field.choices or []}


def parse_whole_number(text: str | None) -> int | None:
    """``"3"`` -> 3; None for anything that is not a plain whole number."""
    text = (text or "").strip()
    if not re.fullmatch(r"[0-9]{1,6}", text):
        return None
    return int(text)


def parse_km(text: str | None) -> float | None:
    """``"5"``, ``"2.5 km"``, ``"2,5"`` -> kilometres; None if it is not a number."""
    text = (text or "").strip().lower().removesuffix("km").removesuffix("kilometres").strip()
    text = text.replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,3})?", text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def km_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


class StepForm(FlaskForm):
    """A question page: "Continue" and the mapping to and from a draft's answers."""

    submit = SubmitField("Continue", widget=GovSubmitInput())

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {}

    def answers(self) -> dict[str, Any]:
        return {}


class WhoForm(StepForm):
    kind = RadioField(
        "Who is offering help?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("organisation", "An organisation or group"),
            SelectChoice("volunteer", "Me, as a volunteer"),
        ],
        validators=[
            InputRequired("Select whether you are offering help for an organisation or group, "
                          "or as a volunteer")
        ],
    )  # fmt: skip

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {"kind": answers.get("kind")}

    def answers(self) -> dict[str, Any]:
        return {"kind": self.kind.data}


class ListingForm(StepForm):
    listing = RadioField("Which of your listings is this offer from?", widget=GovRadioInput(),
                         validate_choice=False)  # fmt: skip

    def validate_listing(self, field: Field) -> None:
        if field.data not in choice_values(field):
            raise ValidationError(
                "Select the listing this offer is from, or \u2018None of these\u2019"
            )

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {"listing": answers.get("listing")}

    def answers(self) -> dict[str, Any]:
        return {"listing": self.listing.data}


class NeedsForm(StepForm):
    needs = checkboxes("What can you help with?", "Select all that apply.")

    def validate_needs(self, field: Field) -> None:
        known = choice_values(field)
        field.data = [value for value in dict.fromkeys(field.data or []) if value in known]
        if not field.data:
            raise ValidationError("Select at least one thing you can help with")


class DescriptionForm(StepForm):
    description = TextAreaField(
        "Tell us about the help you can give",
        description=(
            "For example, \u2018I can do weekly shopping and collect prescriptions\u2019 or "
            "\u2018Our group can visit people at home for a chat\u2019."
        ),
        filters=[clean],
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Describe the help you can give"),
            Length(max=DESCRIPTION_MAX,
                   message=f"The description must be {DESCRIPTION_MAX} characters or fewer"),
        ],
    )  # fmt: skip

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {"description": answers.get("description")}

    def answers(self) -> dict[str, Any]:
        return {"description": self.description.data}


class WhenForm(StepForm):
    availability = checkboxes("When are you available?")
    any_time = BooleanField("Any time")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.availability.choices = [SelectChoice(slot, slot) for slot in SLOTS]

    def validate_availability(self, field: Field) -> None:
        chosen = set(field.data or [])
        field.data = [slot for slot in SLOTS if slot in chosen]
        if field.data and self.any_time.data:
            raise ValidationError(
                "Select \u2018Any time\u2019 or the times you are available, not both"
            )
        if not field.data and not self.any_time.data:
            raise ValidationError("Select the times you are available, or \u2018Any time\u2019")

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {
            "availability": answers.get("availability") or [],
            "any_time": bool(answers.get("any_time")),
        }

    def answers(self) -> dict[str, Any]:
        return {"availability": self.availability.data or [], "any_time": bool(self.any_time.data)}


def check_capacity(_form: Any, field: Field) -> None:
    if not field.data:
        return
    value = parse_whole_number(field.data)
    if value is None:
        raise ValidationError("Enter the number of people as a whole number, like 3")
    if not 1 <= value <= MAX_CAPACITY:
        raise ValidationError(f"Enter a number from 1 to {MAX_CAPACITY}")


class CapacityForm(StepForm):
    capacity = text_field(
        "How many people can you help at once? (optional)",
        10,
        check_capacity,
        hint="Leave this blank if there is no set limit.",
    )

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        value = answers.get("capacity")
        return {"capacity": "" if value is None else str(value)}

    def answers(self) -> dict[str, Any]:
        return {"capacity": parse_whole_number(self.capacity.data)}


class ContactForm(StepForm):
    organisation_name = text_field("Name of your organisation or group", NAME_MAX)
    name = text_field("Your name", NAME_MAX, DataRequired("Enter your name"))
    phone = text_field("Phone number", 40, check_phone)
    email = text_field("Email address", EMAIL_MAX, check_email)

    def __init__(self, *args: Any, organisation_name_needed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_name_needed = organisation_name_needed

    def validate_organisation_name(self, field: Field) -> None:
        if self.organisation_name_needed and not field.data:
            raise ValidationError("Enter the name of your organisation or group")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.email.data or self.phone.errors or self.email.errors):
            self.phone.errors = ["Enter a phone number or an email address, or both"]
            return False
        return valid

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        keys = ("organisation_name", "name", "phone", "email")
        return {key: answers.get(key) for key in keys}

    def answers(self) -> dict[str, Any]:
        out = {
            "name": self.name.data,
            "phone": self.phone.data or None,
            "email": self.email.data or None,
        }
        if self.organisation_name_needed:
            out["organisation_name"] = self.organisation_name.data
        return out


class ConsentForm(StepForm):
    consent = BooleanField(
        "I agree that the council may keep these details and use them to check my offer and "
        "to put me in touch with people who need help",
        validators=[DataRequired("Confirm that you agree to how we will use your details")],
    )

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {"consent": bool(answers.get("consent"))}

    def answers(self) -> dict[str, Any]:
        return {"consent": True}


class SendForm(Honeypot, FlaskForm):
    """The check-answers page's button, with the honeypot a bot fills in."""

    submit = SubmitField("Send offer", widget=GovSubmitInput())
