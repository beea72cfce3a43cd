"""Forms of the "where and when" and needs pages: one recurring session, the notes about
opening times, the area covered and the needs (see :mod:`directory.manage.forms` for the
conventions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import Field, RadioField
from wtforms.validators import InputRequired, ValidationError

from directory.manage.forms import AnswersForm, _checkboxes, _text, options
from directory.manage.sessions import DAY_NAMES, FREQUENCIES, WEEKS, parse_time_text


def _time(_form: Any, field: Field) -> None:
    if not field.data:
        return
    found = parse_time_text(field.data)
    if found is None:
        raise ValidationError(
            f"Enter the time it {field.name.replace('opens', 'starts').replace('closes', 'ends')}"
            " in the correct format, like 10am or 2:30pm"
        )
    field.data = found


class SessionForm(AnswersForm):
    frequency = RadioField(
        "How often does it run?",
        widget=GovRadioInput(),
        choices=options(FREQUENCIES),
        validators=[InputRequired("Select how often it runs")],
    )
    days = _checkboxes("On which day?", "For a session once a month, select one day.")
    week = RadioField(
        "Which week of the month? (only for once a month)",
        widget=GovRadioInput(),
        choices=options(WEEKS),
        validate_choice=False,
    )
    first_day = _text("Day", limit=2)
    first_month = _text("Month", limit=2)
    first_year = _text("Year", limit=4)
    opens = _text("Starts at", _time, limit=12, hint="For example 10am or 2:30pm")
    closes = _text("Ends at", _time, limit=12, hint="For example midday or 4pm")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days.choices = options(DAY_NAMES.items())

    def validate_days(self, field: Field) -> None:
        field.data = [d for d in field.data or [] if d in DAY_NAMES]
        if not field.data:
            raise ValidationError("Select the day it runs")
        if self.frequency.data == "monthly" and len(field.data) > 1:
            raise ValidationError("Select one day for a session once a month")

    def validate_week(self, field: Field) -> None:
        if self.frequency.data == "monthly" and field.data not in dict(WEEKS):
            raise ValidationError("Select which week of the month it runs")
        if self.frequency.data != "monthly":
            field.data = ""

    def validate_first_day(self, field: Field) -> None:
        if self.frequency.data != "fortnightly":
            return
        parts = (field.data, self.first_month.data, self.first_year.data)
        if not all(parts):
            raise ValidationError("Enter the date of the next session, like 27 3 2027")
        try:
            day, month, year = (int(p) for p in parts)
            date(year, month, day)
        except ValueError:
            raise ValidationError("The date of the next session must be a real date") from None
        if not 2000 <= year <= 2100:
            raise ValidationError("Enter the year of the next session as 4 digits, like 2027")

    def validate_opens(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Enter the time it starts, like 10am")

    def validate_closes(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Enter the time it ends, like midday")
        if self.opens.data and field.data != "00:00" and field.data <= self.opens.data:
            raise ValidationError("The time it ends must be after the time it starts")

    def values(self) -> dict[str, Any]:
        first = ""
        if self.frequency.data == "fortnightly":
            day, month, year = (
                int(p) for p in (self.first_day.data, self.first_month.data, self.first_year.data)
            )
            first = date(year, month, day).isoformat()
        return {
            "frequency": self.frequency.data,
            "days": list(self.days.data or []),
            "week": self.week.data or "",
            "first_date": first,
            "opens": self.opens.data,
            "closes": self.closes.data,
        }

    @classmethod
    def data_for(cls, session: dict[str, Any]) -> dict[str, Any]:
        """Form data for a stored session."""
        data = {k: session.get(k) for k in ("frequency", "days", "week", "opens", "closes")}
        first = session.get("first_date") or ""
        if first:
            year, month, day = first.split("-")
            data.update(first_day=str(int(day)), first_month=str(int(month)), first_year=year)
        return data


class WhenForm(AnswersForm):
    notes = _text(
        "Anything else about when it runs (optional)",
        area=True,
        hint="For example 'Closed in August' or 'Open Monday to Friday, 9am to 5pm'.",
    )


class AreaForm(AnswersForm):
    areas = _checkboxes("Which council areas does it cover? (optional)", "Select all that apply.")
    other = _text(
        "Other areas it covers (optional)",
        area=True,
        hint="One on each line, for example 'Ellesmere Port and Neston'.",
    )


class NeedsForm(AnswersForm):
    needs = _checkboxes("What can people get help with?")

    def validate_needs(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Select at least one thing people can get help with")
