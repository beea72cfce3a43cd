"""The answers in words, for the check-answers page (a GOV.UK summary list per part of the
journey, each row with a Change link back to its step)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from directory.manage import wizard
from directory.manage.payload import ACCESS_DEFAULT
from directory.manage.payload_parts import area_choices
from directory.manage.places import get_place
from directory.manage.sessions import describe_session
from directory.manage.vocab import TermChoices

ACCESS_WORDS = {
    "drop_in": "They just turn up",
    "book": "They book or contact you first",
    "referral": "A professional refers them",
}
MODE_WORDS = {"phone": "By phone", "online": "Online"}
NOT_GIVEN = "Not given"


@dataclass
class Row:
    key: str
    value: str
    step: str


@dataclass
class Section:
    title: str
    rows: list[Row]


def _or(value: Any) -> str:
    text = str(value or "").strip()
    return text or NOT_GIVEN


def _ages(low: str, high: str) -> str:
    if low and high:
        return f"{low} to {high}"
    if low:
        return f"{low} and over"
    if high:
        return f"Up to {high}"
    return "Any age"


def _cost(a: dict[str, Any]) -> str:
    kind = a.get("cost")
    if kind == "paid":
        return f"£{a.get('amount')}" if a.get("amount") else "People pay to use it"
    return {"free": "Free", "donation": "Free, donations welcome"}.get(kind or "", NOT_GIVEN)


def sections(session: Session, state: wizard.State, terms: TermChoices) -> list[Section]:
    """Every applicable step's answers as rows, grouped by part of the journey."""
    rows: dict[str, list[Row]] = {}

    def add(step: str, key: str, value: Any) -> None:
        rows.setdefault(wizard.BY_SLUG[step].part, []).append(Row(key, _or(value), step))

    a = wizard.answers(state, "organisation")
    for key, label in (
        ("name", "Organisation"),
        ("description", "What it does"),
        ("website", "Website"),
        ("email", "Email"),
        ("phone", "Phone"),
    ):
        add("organisation", label, a.get(key))
    a = wizard.answers(state, "service")
    add("service", "Service name", a.get("name"))
    add("service", "What it offers", a.get("description"))
    add("service", "Web page", a.get("website"))
    a = wizard.answers(state, "who")
    groups = [terms.label(t) for t in a.get("client_groups") or []]
    add("who", "Who it is for", ", ".join(groups) or "Everyone")
    add("who", "Ages", _ages(a.get("minimum_age") or "", a.get("maximum_age") or ""))
    add("who", "Anything else about who", a.get("eligibility"))
    a = wizard.answers(state, "cost")
    add("cost", "Cost", _cost(a))
    add("cost", "Anything else about cost", a.get("details"))
    a = wizard.answers(state, "access")
    add("access", "How people start", ACCESS_WORDS.get(a.get("access") or ""))
    add("access", "Tell people how", a.get("how") or ACCESS_DEFAULT.get(a.get("access") or ""))
    a = wizard.answers(state, "contact")
    add("contact", "Who to contact", a.get("contact_name"))
    add("contact", "Phone", a.get("phone"))
    add("contact", "Email", a.get("email"))
    _where(session, state, add)
    a = wizard.answers(state, "when")
    sessions = [describe_session(s) for s in a.get("sessions") or [] if isinstance(s, dict)]
    add("when", "Sessions", "\n".join(sessions) or "None added")
    add("when", "Anything else about when", a.get("notes"))
    a = wizard.answers(state, "area")
    names = dict(area_choices(session))
    areas = [names.get(code, code) for code in a.get("areas") or []]
    areas += [line.strip() for line in (a.get("other") or "").splitlines() if line.strip()]
    add("area", "Area covered", "\n".join(areas))
    a = wizard.answers(state, "needs")
    add("needs", "Help with", "\n".join(terms.label(t) for t in a.get("needs") or []))
    return [Section(part, found) for part, found in rows.items()]


def _where(session: Session, state: wizard.State, add: Any) -> None:
    a = wizard.answers(state, "where")
    mode = a.get("mode")
    also = ", ".join(MODE_WORDS[m] for m in a.get("also") or [] if m in MODE_WORDS)
    if mode == "place":
        chosen = wizard.answers(state, "place").get("location_id")
        place = get_place(session, chosen)
        add("place", "Place", f"{place.label} ({place.kind})" if place else None)
    elif mode == "address":
        b = wizard.answers(state, "address")
        parts = [b.get(k) for k in ("venue_name", "address_1", "address_2", "town", "postcode")]
        add("address", "Address", "\n".join(p for p in parts if p))
    else:
        add("where", "Where", "Only online or by phone" if mode == "remote" else None)
    add("where", "Also by phone or online", also or "No")
