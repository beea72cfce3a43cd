"""The steps of "Register a listing" and "Edit a listing", and where a person goes next.

A proposal's ``form_state`` holds everything the wizard knows, so a draft can be left and
continued on another day or another computer:

* ``answers``: each step's answers, keyed by step slug, exactly as the forms give them;
* ``done``: the steps answered at least once (check answers needs every applicable one);
* ``base_answers``: for an edit, the answers read from the live listing when the edit started.
  A step whose answers still equal these leaves the live values as they were
  (:mod:`directory.manage.payload`), so an edit changes only what the person changed;
* ``seen_matches``: listings already offered as "Is this you?", not offered again.

Plain functions of dicts: no request, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

State = dict[str, Any]


@dataclass(frozen=True)
class Step:
    slug: str
    #: The page heading and the check-answers section heading.
    title: str
    #: Which part of the journey: the check-answers page groups rows by it.
    part: str


STEPS: tuple[Step, ...] = (
    Step("organisation", "About your organisation", "Your organisation"),
    Step("service", "What the service offers", "The service"),
    Step("who", "Who the service is for", "The service"),
    Step("cost", "What it costs", "The service"),
    Step("access", "How people use the service", "The service"),
    Step("contact", "Contact details", "The service"),
    Step("where", "Where people use the service", "Where and when"),
    Step("place", "Choose the place", "Where and when"),
    Step("address", "The address", "Where and when"),
    Step("when", "When it runs", "Where and when"),
    Step("area", "Area covered", "Where and when"),
    Step("needs", "What people can get help with", "Needs"),
)
BY_SLUG = {step.slug: step for step in STEPS}
#: Steps the organisation step's matches and the service step's are checked after.
MATCH_STEPS = ("organisation", "service")


def answers(state: State, slug: str) -> dict[str, Any]:
    """One step's saved answers (empty when the step has not been answered)."""
    found = (state.get("answers") or {}).get(slug)
    return dict(found) if isinstance(found, dict) else {}


def applies(state: State, slug: str) -> bool:
    """Whether a step is part of this journey: the place search only for a place already in
    the directory, the address only for a new one."""
    mode = answers(state, "where").get("mode")
    if slug == "place":
        return mode == "place"
    if slug == "address":
        return mode == "address"
    return slug in BY_SLUG


def applicable(state: State) -> list[Step]:
    return [step for step in STEPS if applies(state, step.slug)]


def is_done(state: State, slug: str) -> bool:
    return slug in (state.get("done") or [])


def missing(state: State) -> list[Step]:
    """Applicable steps not answered yet, in journey order."""
    return [step for step in applicable(state) if not is_done(state, step.slug)]


def save(state: State, slug: str, values: dict[str, Any]) -> State:
    """A copy of ``state`` with ``values`` as the answers of step ``slug``."""
    new = dict(state)
    new["answers"] = {**(state.get("answers") or {}), slug: values}
    done = list(state.get("done") or [])
    if slug not in done:
        done.append(slug)
    new["done"] = done
    return new


def next_step(state: State, current: str, *, from_check: bool = False) -> str | None:
    """The slug to go to after saving ``current``, or None for the check-answers page.

    Coming from check answers, a person goes back there unless the change opened a step
    they have not answered (choosing "a new address" needs the address)."""
    if from_check:
        left = missing(state)
        return left[0].slug if left else None
    order = [step.slug for step in applicable(state)]
    if current in order:
        after = order[order.index(current) + 1 :]
        return after[0] if after else None
    left = missing(state)
    return left[0].slug if left else None


def resume_step(state: State) -> str | None:
    """Where to continue a draft: the first unanswered step, or check answers."""
    left = missing(state)
    return left[0].slug if left else None


def unchanged(state: State, slug: str) -> bool:
    """For an edit: the step still has the answers the live listing gave."""
    base = (state.get("base_answers") or {}).get(slug)
    return base is not None and answers(state, slug) == base
