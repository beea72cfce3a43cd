"""The freshness forms: a single button each, so their only field is the CSRF token.

The one-click link's confirmation is a POST (a GET that changed data would be "clicked" by
every mail scanner that follows links), and like every form it carries Flask-WTF's token.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class ConfirmForm(FlaskForm):
    submit = SubmitField("Yes, it is still correct", widget=GovSubmitInput())


class StaffCheckedForm(FlaskForm):
    submit = SubmitField("I have confirmed this by phone", widget=GovSubmitInput())
