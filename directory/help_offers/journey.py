"""The order of the /offer-help questions and which of them still need an answer.

A draft's answers carry ``done``, the slugs of the pages answered. A page is complete when it
is done and its answer still fits the others: an organisation's offer not linked to one of
the person's listings needs the organisation's name on the contact page, so changing "who"
from volunteer to organisation sends the person back to that page. After each page the
journey goes to the next page that still needs an answer, or to "Check your answers" when
none does, which also makes the "Change" links come straight back to the check page.

Plain functions of the answers (and of whether the person has listings to link), so the
rules are tested without a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from directory.help_offers import forms
from directory.help_offers.where_form import WhereForm

NONE_OF_THESE = "none"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type[forms.StepForm]


STEPS = (
    Step("who", "Who is offering help?", forms.WhoForm),
    Step("listing", "Which of your listings is this offer from?", forms.ListingForm),
    Step("needs", "What can you help with?", forms.NeedsForm),
    Step("description", "Tell us about the help you can give", forms.DescriptionForm),
    Step("where", "Where can you help?", WhereForm),
    Step("when", "When are you available?", forms.WhenForm),
    Step("capacity", "How many people can you help at once?", forms.CapacityForm),
    Step("contact", "Your contact details", forms.ContactForm),
    Step("consent", "How we use your details", forms.ConsentForm),
)
BY_SLUG = {step.slug: step for step in STEPS}
SLUGS = tuple(BY_SLUG)


def is_organisation(answers: dict[str, Any]) -> bool:
    return answers.get("kind") == "organisation"


def linked(answers: dict[str, Any]) -> bool:
    """An organisation's offer from one of the person's own listings."""
    listing = answers.get("listing")
    return is_organisation(answers) and bool(listing) and listing != NONE_OF_THESE


def organisation_name_needed(answers: dict[str, Any]) -> bool:
    return is_organisation(answers) and not linked(answers)


def applies(slug: str, answers: dict[str, Any], listing_ids: set[str]) -> bool:
    """The listing page is only for an organisation's offer from someone with listings."""
    if slug == "listing":
        return is_organisation(answers) and bool(listing_ids)
    return True


def reconcile(answers: dict[str, Any], listing_ids: set[str]) -> dict[str, Any]:
    """Answers fitted to who the person is now: a listing they can no longer link (signed
    out, or left the organisation) is forgotten, so the page is asked again or skipped."""
    listing = answers.get("listing")
    if listing and listing != NONE_OF_THESE and listing not in listing_ids:
        done = [slug for slug in answers.get("done", []) if slug != "listing"]
        return {k: v for k, v in answers.items() if k != "listing"} | {"done": done}
    return answers


def complete(slug: str, answers: dict[str, Any]) -> bool:
    if slug not in answers.get("done", []):
        return False
    if slug == "contact" and organisation_name_needed(answers):
        return bool(answers.get("organisation_name"))
    return True


def next_step(
    answers: dict[str, Any], listing_ids: set[str], after: str | None = None
) -> str | None:
    """The first page after ``after`` (from the start if None) that still needs an answer,
    then any earlier one; None when every page is complete."""
    order = [s for s in SLUGS if applies(s, answers, listing_ids)]
    start = order.index(after) + 1 if after in order else 0
    for slug in order[start:] + order[:start]:
        if not complete(slug, answers):
            return slug
    return None


def previous_step(slug: str, answers: dict[str, Any], listing_ids: set[str]) -> str | None:
    """The page before ``slug`` for the back link (None: the start page)."""
    order = [s for s in SLUGS if applies(s, answers, listing_ids)]
    if slug not in order:
        return order[-1] if slug == "check" and order else None
    index = order.index(slug)
    return order[index - 1] if index > 0 else None


def after_answer(slug: str, answers: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """What else an answer changes: returns (answers to set, keys to drop).

    A volunteer has no listing or organisation name; an offer linked to a listing has no
    separate organisation name (the listing's organisation is used).
    """
    done = list(dict.fromkeys([*answers.get("done", []), slug]))
    drop: tuple[str, ...] = ()
    if slug == "who" and not is_organisation(answers):
        drop = ("listing", "organisation_name")
        done = [s for s in done if s != "listing"]
    if slug == "listing" and linked(answers):
        drop = ("organisation_name",)
    return {"done": done}, drop
