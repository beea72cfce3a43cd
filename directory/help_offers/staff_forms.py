"""The staff actions on an offer as Flask-WTF forms (each POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from directory.help_offers.forms import check_capacity, text_field
from directory.manage.forms import clean

REASON_MAX = 500


class ActionForm(FlaskForm):
    """A button that changes an offer's status (approve, pause, close): only its CSRF token."""


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why is it rejected?",
        description="The person who offered may be told this. Do not include anyone's "
        "personal details.",
        filters=[clean],
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why the offer is rejected"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )


class StaffCapacityForm(FlaskForm):
    capacity = text_field(
        "How many people can they help at once?",
        10,
        check_capacity,
        hint="Leave this blank if there is no set limit.",
    )
