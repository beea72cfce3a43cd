"""The "Where can you help?" page: a postcode and a distance, and/or council areas and place
names. Looking places up is injected by the view (``locate_postcode``: a point, NOT_FOUND or
UNAVAILABLE; ``find_place``: a name or why not), so the form never touches the gazetteer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import Field, TextAreaField
from wtforms.validators import Length, ValidationError

from directory.help_offers.forms import (
    StepForm,
    checkboxes,
    choice_values,
    km_text,
    parse_km,
    text_field,
)
from directory.help_offers.services import MAX_RADIUS_KM
from directory.manage.forms import clean
from directory.places.postcodes import normalise_postcode

PLACE_MAX = 100
PLACES_MAX = 20
MIN_RADIUS_KM = 0.5

#: ``locate_postcode`` answers: a point, NOT_FOUND, or UNAVAILABLE (no gazetteer built).
NOT_FOUND = "not-found"
UNAVAILABLE = "unavailable"
Point = tuple[float, float]


class WhereForm(StepForm):
    postcode = text_field("Postcode", 20, hint="Where you will help from, for example CH1 2HJ.")
    radius = text_field(
        "How far from this postcode can you help, in kilometres?",
        20,
        hint="For example, 5. One mile is about 1.6 kilometres.",
    )
    area_codes = checkboxes("Council areas you can help across", "Select all that apply.")
    places = TextAreaField(
        "Towns, villages or neighbourhoods you can help in",
        description="One on each line, for example Blacon or Frodsham.",
        filters=[clean],
        widget=GovTextArea(),
        validators=[Length(max=PLACES_MAX * (PLACE_MAX + 1),
                           message=f"Enter {PLACES_MAX} places or fewer")],
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        locate_postcode: Callable[[str], Point | str] | None = None,
        find_place: Callable[[str], tuple[str | None, str | None]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.locate_postcode = locate_postcode or (lambda _text: UNAVAILABLE)
        self.find_place = find_place or (lambda text: (text, None))
        self.point: Point | None = None
        self.radius_km: float | None = None
        self.place_names: list[str] = []

    def validate_area_codes(self, field: Field) -> None:
        known = choice_values(field)
        field.data = [value for value in dict.fromkeys(field.data or []) if value in known]

    def validate_postcode(self, field: Field) -> None:
        if not field.data:
            return
        postcode = normalise_postcode(field.data)
        if postcode is None:
            raise ValidationError("Enter a full postcode, like CH1 2HJ")
        found = self.locate_postcode(postcode)
        if found == NOT_FOUND:
            raise ValidationError(
                "We could not find that postcode. Check it, or leave it blank and choose the "
                "areas where you can help"
            )
        field.data = postcode
        self.point = found if isinstance(found, tuple) else None

    def validate_radius(self, field: Field) -> None:
        if not field.data:
            if self.postcode.data:
                raise ValidationError("Enter how far from the postcode you can help, in kilometres")
            return
        value = parse_km(field.data)
        if value is None:
            raise ValidationError("Enter the distance as a number of kilometres, like 5")
        if not MIN_RADIUS_KM <= value <= MAX_RADIUS_KM:
            raise ValidationError(
                f"Enter a distance from {MIN_RADIUS_KM:g} to {MAX_RADIUS_KM:g} kilometres"
            )
        if not self.postcode.data:
            raise ValidationError("Enter the postcode the distance is from, or clear the distance")
        self.radius_km = value

    def validate_places(self, field: Field) -> None:
        lines = [" ".join(line.split()) for line in (field.data or "").split("\n")]
        lines = [line for line in dict.fromkeys(lines) if line]
        if len(lines) > PLACES_MAX:
            raise ValidationError(f"Enter {PLACES_MAX} places or fewer")
        names: list[str] = []
        for line in lines:
            if len(line) > PLACE_MAX:
                raise ValidationError(f"Each place must be {PLACE_MAX} characters or fewer")
            name, problem = self.find_place(line)
            if name is None:
                shown = line if len(line) <= 40 else line[:39] + "\u2026"
                raise ValidationError(
                    problem
                    or f"We could not find \u2018{shown}\u2019. Check the spelling, or enter a "
                    "nearby town or village"
                )
            names.append(name)
        self.place_names = list(dict.fromkeys(names))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.postcode.data or self.area_codes.data or self.place_names):
            self.postcode.errors = [
                "Enter a postcode and how far you can travel, or choose the areas where you "
                "can help"
            ]
            return False
        return valid

    @staticmethod
    def from_answers(answers: dict[str, Any]) -> dict[str, Any]:
        return {
            "postcode": answers.get("postcode"),
            "radius": km_text(answers.get("radius_km")),
            "area_codes": answers.get("area_codes") or [],
            "places": "\n".join(answers.get("places") or []),
        }

    def answers(self) -> dict[str, Any]:
        postcode = self.postcode.data or None
        return {
            "postcode": postcode,
            "outcode": postcode.split(" ", 1)[0] if postcode else None,
            "latitude": self.point[0] if self.point else None,
            "longitude": self.point[1] if self.point else None,
            "radius_km": self.radius_km if postcode else None,
            "area_codes": self.area_codes.data or [],
            "places": self.place_names,
        }
