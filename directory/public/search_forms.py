"""The guided journey's questions as WTForms forms, so each step validates the same way as
every other form on the site and the error summary links to the field at fault.

They are GET forms: the answers are in the URL, there is nothing to protect and no CSRF token.
Choices come from the taxonomy at run time (the needs) or from :mod:`directory.public.guided`.
The filter panel on the results page is a form too, built here from the search's facets.
Templates lay the fields out with the GOV.UK macros (items with hints, conditional reveals),
reading each field's ``data``, ``choices`` and ``errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import InputRequired, ValidationError

from directory.public.guided import AGE_CHOICES, AGE_NOT_SAID, URGENT, WHO_CHOICES, plain_label
from directory.public.search_params import DAYS, SearchParams, TermIndex
from search_index import FacetValue, SearchResults

NEEDS_ERROR = "Select what you need help with, or that someone is in danger"


class GuidedForm(FlaskForm):
    class Meta:
        csrf = False

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], **kwargs):
        """A form filled from query-string pairs (a GET request never fills a FlaskForm)."""
        return cls(formdata=MultiDict(list(pairs)), **kwargs)


class NeedsForm(GuidedForm):
    need = SelectMultipleField(
        "What do you need help with?",
        description="Select all that apply.",
        validate_choice=False,
    )

    def __init__(self, *args, need_choices: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        urgent = SelectChoice(URGENT, "Someone is in danger or needs urgent help")
        self.need.choices = [urgent, *(SelectChoice(v, label) for v, label in need_choices)]

    def validate_need(self, field: SelectMultipleField) -> None:
        known = {choice.value for choice in field.choices}
        field.data = [value for value in field.data or [] if value in known]
        if not field.data:
            raise ValidationError(NEEDS_ERROR)


class WhoForm(GuidedForm):
    who = RadioField(
        "Who is the help for?",
        choices=[SelectChoice(c[0], c[1]) for c in WHO_CHOICES],
        validators=[InputRequired(message="Select who the help is for")],
    )
    age = RadioField(
        "How old is the person who needs help?",
        choices=[
            *(SelectChoice(v, label) for v, label in AGE_CHOICES),
            SelectChoice(AGE_NOT_SAID, "I would rather not say"),
        ],
        validators=[InputRequired(message="Select how old they are, or 'I would rather not say'")],
    )


class WhereForm(GuidedForm):
    where = StringField("Postcode or town", description="For example, CH65 0AA or Northwich")
    anywhere = BooleanField("I do not know the postcode or town")

    def __init__(self, *args, check_place: Callable[[str], str | None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_place = check_place

    def validate_where(self, field: StringField) -> None:
        """A postcode or town the gazetteer knows (its message says what was wrong and what to
        try), unless the person said they do not know, which shows the whole home area."""
        if self.anywhere.data:
            field.data = ""
            return
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(
                "Enter a postcode or town, or select \u2018I do not know the postcode or town\u2019"
            )
        problem = self.check_place(text) if self.check_place else None
        if problem:
            raise ValidationError(problem)


@dataclass
class FilterItem:
    value: str
    label: str
    count: int | None
    checked: bool
    children: list[FilterItem] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.label if self.count is None else f"{self.label} ({self.count:,})"


@dataclass
class FilterGroup:
    """One fieldset of the filter panel: ``name`` is the query-string name, ``kind`` one of
    checkboxes, radios or select."""

    name: str
    legend: str
    kind: str
    items: list[FilterItem]


def _terms_group(
    name: str, legend: str, values: list[FacetValue], chosen: tuple[str, ...], terms: TermIndex
) -> FilterGroup:
    """Needs or client groups as checkboxes: top-level terms, with the terms below a chosen
    one nested under it (so choosing "Money" offers "Debt advice" to narrow it down)."""
    chosen_ids = {t.id for token in chosen if (t := terms.find(token))}
    items = []
    for value in values:
        if value.depth:
            continue
        term = terms.by_id.get(value.key)
        label = plain_label(term) if term else value.label
        item = FilterItem(terms.key(value.key), label, value.count, value.key in chosen_ids)
        children = [v for v in values if v.parent_key == value.key]
        if item.checked or any(c.key in chosen_ids for c in children):
            item.children = [
                FilterItem(terms.key(c.key), c.label, c.count, c.key in chosen_ids)
                for c in children
            ]
        items.append(item)
    items.sort(key=lambda i: i.label)
    return FilterGroup(name, legend, "checkboxes", items)


def _simple(
    values: list[FacetValue],
    checked: Callable[[FacetValue], bool],
    value: str | None = None,
    labels: dict[str, str] | None = None,
) -> list[FilterItem]:
    """Choices with results (or already chosen); ``value`` replaces the facet key as the
    query-string value for single switches such as ``free=yes``."""
    labels = labels or {}
    return [
        FilterItem(value or v.key, labels.get(v.key, v.label), v.count, checked(v))
        for v in values
        if v.count or checked(v)
    ]


def filter_groups(
    results: SearchResults, params: SearchParams, terms: TermIndex
) -> list[FilterGroup]:
    """The filter panel for a results page, each choice with how many results it gives."""
    facets = results.facets
    ages = _simple(
        facets.get("age", []), lambda v: v.selected and bool(params.age), labels=dict(AGE_CHOICES)
    )
    days = [FilterItem(day, day.capitalize(), None, params.day == day) for day in DAYS]
    groups = [
        _terms_group("need", "What it helps with", facets.get("need", []), params.needs, terms),
        _terms_group(
            "group", "Who it is for", facets.get("client_group", []), params.groups, terms
        ),
        FilterGroup(
            "age", "Age", "radios", [FilterItem("", "Any age", None, not params.age), *ages]
        ),
        FilterGroup(
            "mode",
            "How you get help",
            "checkboxes",
            _simple(facets.get("delivery", []), lambda v: v.key in params.modes),
        ),
        FilterGroup(
            "free",
            "Cost",
            "checkboxes",
            _simple(facets.get("free", []), lambda v: params.free, "yes"),
        ),
        FilterGroup(
            "open",
            "When it is open",
            "checkboxes",
            _simple(facets.get("open", []), lambda v: params.open_now, "now"),
        ),
        FilterGroup(
            "day",
            "Open on a day",
            "select",
            [FilterItem("", "Any day", None, not params.day), *days],
        ),
    ]
    areas = facets.get("area", [])
    if len(areas) > 1 or params.areas:
        items = _simple(areas[:10], lambda v: v.key in params.areas)
        groups.append(FilterGroup("area", "Area", "checkboxes", items))
    return [g for g in groups if len(g.items) > (1 if g.kind != "checkboxes" else 0)]
