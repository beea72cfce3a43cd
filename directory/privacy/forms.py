"""Forms of /staff/privacy. Flask-WTF forms (every POST carries a CSRF token), rendered with
the GOV.UK components by govuk-frontend-wtf.

Everything is posted: a reference, an email address or a phone number in a URL would end up in
server and proxy logs and the browser's history. The export and erase buttons carry the same
three fields as hidden inputs, so the record set is found again on the server each time.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from directory.privacy.subject import clean_reference, phone_key

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _strip(value: str | None) -> str:
    """Control characters out, spaces trimmed: what is looked up is what staff see."""
    return _CONTROL.sub("", value or "").strip()


class FindPersonForm(FlaskForm):
    reference = StringField(
        "Reference",
        description="The reference we gave them, like H2H-7K3QPX.",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=32, message="Enter a reference of 32 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    email = StringField(
        "Email address",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=320, message="Enter an email address of 320 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    phone = StringField(
        "Phone number",
        description="In any format, like 01632 960 001 or +44 1632 960001.",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=40, message="Enter a phone number of 40 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Find their records", id="find", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Each field is optional, but one of the three is needed."""
        valid = super().validate(extra_validators)
        if not (self.reference.data or self.email.data or self.phone.data):
            message = "Enter a reference, an email address or a phone number"
            self.reference.errors = [*self.reference.errors, message]
            return False
        return valid

    def validate_reference(self, field: StringField) -> None:
        if field.data and not clean_reference(field.data).replace("-", "").isalnum():
            raise ValidationError("Enter the reference as it was given, like H2H-7K3QPX")

    def validate_email(self, field: StringField) -> None:
        if field.data and not _EMAIL.fullmatch(field.data):
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            )

    def validate_phone(self, field: StringField) -> None:
        if field.data and len(phone_key(field.data)) < 6:
            raise ValidationError("Enter a phone number with at least 6 digits, like 01632 960 001")

    def lookup(self) -> dict[str, str | None]:
        return {
            "reference": self.reference.data or None,
            "email": self.email.data or None,
            "phone": self.phone.data or None,
        }


class PersonActionForm(FindPersonForm):
    """The export and erase buttons: the lookup as hidden fields (not shown, not re-typed)."""

    reference = HiddenField(filters=[_strip], validators=[Optional(), Length(max=32)])
    email = HiddenField(filters=[_strip], validators=[Optional(), Length(max=320)])
    phone = HiddenField(filters=[_strip], validators=[Optional(), Length(max=40)])


class ExportForm(PersonActionForm):
    submit = SubmitField("Download their data (JSON)", id="export", widget=GovSubmitInput())


class DeleteForm(PersonActionForm):
    #: Empty on the first press (which shows what will be erased); "yes" on the confirmation.
    confirmed = HiddenField(validators=[Optional(), Length(max=3)])
    submit = SubmitField("Erase their personal data", id="erase", widget=GovSubmitInput())
