"""The account forms, rendered with the GOV.UK components by govuk-frontend-wtf.

Every error message says how to put the answer right (GOV.UK style). Passwords are checked
against the rules in :mod:`directory.accounts.passwords`. The sign-up and reset forms carry a
honeypot: a text box hidden from people (and from screen readers) that bots fill in.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from directory.accounts import passwords
from directory.accounts.models import MemberRole
from directory.core.emails import MAX_LENGTH as EMAIL_MAX
from directory.core.emails import EmailAddress


def email_field(label: str = "Email address", description: str = "") -> EmailField:
    return EmailField(
        label,
        description=description,
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
            EmailAddress(),
        ],
        widget=GovTextInput(),
    )


class NewPassword:
    """The rules for a new password, with the address it must not be (if the form has one)."""

    def __call__(self, form: Any, field: Any) -> None:
        email = getattr(getattr(form, "email", None), "data", None) or getattr(
            form, "account_email", None
        )
        problem = passwords.password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Create a password",
        description=(
            f"Use {passwords.MIN_LENGTH} characters or more. A good way is 3 random words, "
            "like 'river candle orbit'."
        ),
        validators=[DataRequired(message="Enter a password"), NewPassword()],
        widget=GovPasswordInput(),
    )
    confirm = PasswordField(
        "Confirm your password",
        validators=[
            DataRequired(message="Enter your password again"),
            EqualTo(
                "password", message="The passwords do not match. Enter the same password twice"
            ),
        ],
        widget=GovPasswordInput(),
    )
    return password, confirm


class Honeypot:
    """A form with a ``website`` box people never see: filled in means a bot."""

    website = StringField("Leave this empty")

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())  # type: ignore[attr-defined]


class SignUpForm(Honeypot, FlaskForm):
    organisation_name = StringField(
        "Organisation name",
        description="The name people know your group or organisation by.",
        validators=[
            DataRequired(message="Enter the name of your organisation"),
            Length(max=200, message="Organisation name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    name = StringField(
        "Your name",
        validators=[
            DataRequired(message="Enter your name"),
            Length(max=200, message="Your name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    email = email_field(description="We will send you a link to confirm it.")
    password, confirm = new_password_fields()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(message="Enter your password"),
            Length(
                max=passwords.MAX_LENGTH,
                message=f"Password must be {passwords.MAX_LENGTH} characters or fewer",
            ),
        ],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Security code",
        description="The 6-digit code your authenticator app shows now.",
        validators=[
            DataRequired(message="Enter the 6-digit code from your authenticator app"),
            Regexp(
                r"^[0-9 -]{6,12}$",
                message="Enter the code as 6 digits, like 123456",
            ),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ResetRequestForm(Honeypot, FlaskForm):
    email = email_field(description="We will email you a link to reset your password.")
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    """Reset and invitation: the address the password must not be comes from the account."""

    password, confirm = new_password_fields()
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def __init__(self, *args: Any, account_email: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class AcceptInviteForm(NewPasswordForm):
    name = StringField(
        "Your name",
        validators=[
            DataRequired(message="Enter your name"),
            Length(max=200, message="Your name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Join and sign in", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class NameForm(FlaskForm):
    name = StringField(
        "Your name",
        validators=[
            DataRequired(message="Enter your name"),
            Length(max=200, message="Your name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Save name", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A button and the CSRF token: sign out, sign out everywhere, start or turn off TOTP."""


ROLE_CHOICES = [
    SelectChoice(MemberRole.EDITOR.value, "Editor: can add and change listings"),
    SelectChoice(MemberRole.OWNER.value, "Owner: can also add and remove people"),
]


class InviteForm(FlaskForm):
    email = email_field(
        "Their email address", "We will email them a link to join your organisation."
    )
    role = RadioField(
        "What can they do?",
        choices=ROLE_CHOICES,
        invalid_choice_message="Select what they can do",
        default=MemberRole.EDITOR.value,
        validators=[DataRequired(message="Select what they can do")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class RoleForm(FlaskForm):
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        invalid_choice_message="Select a role",
        validators=[DataRequired(message="Select a role")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Change role", widget=GovSubmitInput())
