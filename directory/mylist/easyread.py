"""The Easy Read version of a list: the same facts, written the way UK Easy Read guidance asks.

The rules followed (docs/my-list.md, "Easy Read", explains each):

* short sentences, one idea in each, at most 15 words;
* everyday words: "send you" rather than "refer", "service" explained once;
* numbers as digits ("1st Tuesday", "12 noon"), phone numbers in full;
* **bold** only for the key words of a sentence (the number, the day, the place);
* a picture on the left of each key sentence, from :mod:`directory.mylist.icons`.

Everything is built as data (:class:`Sentence` = a picture name and text parts, each bold or
not) so the web page and the PDF say exactly the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from directory.listings.opening_text import DAY_NAMES, TIMES_NOT_GIVEN, describe_weekdays
from directory.mylist.services import Entry, ListView, PlaceLines
from directory.public.formatting import format_date

MAX_WORDS = 15
DEMONSTRATION = ("This is a demonstration listing.", "It is not a real service.")
_ORDINALS = {"First": "1st", "Second": "2nd", "Third": "3rd", "Fourth": "4th", "Fifth": "5th"}
_ORDINAL_WORDS = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)
CLOSED = {
    "temporarily closed": "It is closed for now.",
    "inactive": "It is not running at the moment.",
    "defunct": "It has closed.",
}
REFERRAL = {
    "self": ["You can contact them yourself."],
    "professional": [
        "Someone like your doctor or support worker must send you.",
        "Ask them to contact the service for you.",
    ],
    "either": [
        "You can contact them yourself.",
        "Or your doctor or support worker can contact them for you.",
    ],
}
#: The ``x_referral`` spellings the importer and seeds use, as in
#: :data:`directory.public.facts.REFERRAL_TEXT` (``referral_needed`` is the seeds' own).
_REFERRAL_KEYS = {
    "self": "self",
    "self_referral": "self",
    "professional": "professional",
    "referral": "professional",
    "referral_needed": "professional",
    "self_or_professional": "either",
    "either": "either",
}


@dataclass
class Sentence:
    """One sentence (or a short run of them on one idea) with its picture on the left.
    ``parts`` are (text, bold) pairs; ``lines`` are extra lines under it, like an address."""

    icon: str | None
    parts: list[tuple[str, bool]]
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(text for text, _bold in self.parts)


@dataclass
class EasyService:
    name: str
    organisation: str | None
    sentences: list[Sentence]
    note: str = ""


@dataclass
class EasySheet:
    made_on: date
    intro: list[Sentence]
    services: list[EasyService]
    next_steps: list[Sentence]


def sentence(icon: str | None, *parts: str | tuple[str]) -> Sentence:
    """``sentence("phone", "Phone ", ("01632 960000",), ".")``: a 1-tuple is bold."""
    return Sentence(
        icon, [(part[0], True) if isinstance(part, tuple) else (part, False) for part in parts]
    )


def easy_time(text: str) -> str:
    """Times with digits: "midday" is "12 noon", "midnight" "12 midnight"; "First" is "1st"."""
    text = re.sub(r"\bmidday\b", "12 noon", text)
    text = re.sub(r"\bmidnight\b", "12 midnight", text)
    return _ORDINAL_WORDS.sub(lambda m: _ORDINALS[m.group(1).capitalize()], text)


def easy_sheet(view: ListView, *, printed: bool = False, notes: bool = True) -> EasySheet:
    count = len(view.listed)
    word = "service" if count == 1 else "services"
    intro = [
        sentence("calendar", "This list was made on ", (format_date(view.today),), "."),
        sentence("person", "This list has ", (f"{count} {word}",), "."),
        sentence(None, "A service is a group or place that can help you."),
    ]
    keep = "Take this paper with you." if printed else "Take this list with you."
    next_steps = [
        sentence("phone", ("Phone",), " the service first if you can."),
        sentence("clock", ("Check",), " the times before you go. Times can change."),
        sentence("place", keep),
        sentence("person", "Ask for help if you need it."),
    ]
    return EasySheet(
        made_on=view.today,
        intro=intro,
        services=[easy_service(entry, notes=notes) for entry in view.listed],
        next_steps=next_steps,
    )


def easy_service(entry: Entry, *, notes: bool = True) -> EasyService:
    said: list[Sentence] = []
    if entry.is_demonstration:
        said.append(
            Sentence("warning", [(DEMONSTRATION[0] + " ", True), (DEMONSTRATION[1], False)])
        )
    closed = CLOSED.get((entry.service.status or "").strip().lower()) if entry.service else None
    if closed:
        said.append(sentence("warning", (closed,), " Phone before you go."))
    if entry.ages:
        said.append(sentence("person", "It is for ", (_ages(entry.ages),), "."))
    for phone in entry.phones[:2]:
        said.append(sentence("phone", "Phone ", (phone.number,), "."))
    for contact in entry.contacts:
        if contact.email:
            said.append(sentence("email", "Email ", (contact.email,), "."))
            break
    else:
        if entry.email:
            said.append(sentence("email", "Email ", (entry.email,), "."))
    if entry.website:
        said.append(sentence("computer", "Website: ", (_short_url(entry.website),)))
    can_phone = bool(entry.phones)
    if not (can_phone or _said_contact(said)):
        said.append(sentence("warning", "We do not have a phone number or email for them."))
    for place in entry.places:
        said.extend(_place(place, can_phone))
    if not entry.places:
        said.append(sentence("place", "You do not need to go anywhere."))
    said.extend(_times(entry.week, entry.times, can_phone))
    said.append(_cost(entry))
    said.extend(_referral(entry.service.referral if entry.service else None))
    return EasyService(entry.name, entry.organisation, said, entry.note if notes else "")


def _ages(text: str) -> str:
    """ "Ages 18 and over" -> "people aged 18 and over"; "Up to age 4" -> "children up to age 4"."""
    if text.startswith("Ages "):
        return "people aged " + text[len("Ages ") :]
    return "children " + text[0].lower() + text[1:]


def _short_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def _said_contact(said: list[Sentence]) -> bool:
    return any(item.icon in {"phone", "email", "computer"} for item in said)


def _place(place: PlaceLines, can_phone: bool = True) -> list[Sentence]:
    name = place.name or (place.address_lines[0] if place.address_lines else None)
    if not name:
        return []
    lines = [line for line in place.address_lines if line != name]
    said = [Sentence("place", [("Go to ", False), (name, True), (".", False)], lines)]
    if place.week or place.times:
        said.extend(_times(place.week, place.times, can_phone))
    return said


def _times(week: list[tuple[str, str]], times: list[str], can_phone: bool = True) -> list[Sentence]:
    """Days that share hours go together: "Open on Monday, Wednesday and Friday." then
    "Time: 12 noon to 2pm." Rows that are not weekdays ("First Tuesday of the month") keep
    their own words: "Open on the 1st Tuesday of the month."."""
    groups: dict[str, list[int]] = {}
    said: list[Sentence] = []
    for day, hours in week:
        if day in DAY_NAMES:
            if hours != "Closed":
                groups.setdefault(hours, []).append(DAY_NAMES.index(day))
        else:
            said.extend(_when(_open_on(day), hours))
    weekly = [
        said_about
        for hours, days in groups.items()
        for said_about in _when(_open_on(describe_weekdays(days)), hours)
    ]
    said = weekly + said
    if not said and times:
        said = [sentence("calendar", "When: ", (easy_time(text),), ".") for text in times]
    if not said:
        # "Phone to ask" only when there is a number to phone.
        ask = "Phone to ask when it is open." if can_phone else "Ask them when it is open."
        said.append(sentence("clock", ask))
    return said


def _open_on(days: str) -> tuple[str, str]:
    """("Open on ", "Monday and Wednesday"), ("Open ", "every day"), ("Open ", "Monday to
    Friday"), ("Open on the ", "1st Tuesday of the month")."""
    days = easy_time(days)
    if days.startswith("Every"):
        return "Open ", days[0].lower() + days[1:]
    if days.split(" ")[0].rstrip(",") in DAY_NAMES:
        return ("Open ", days) if " to " in days else ("Open on ", days)
    return "Open on the ", days[0].lower() + days[1:]


def _when(opening: tuple[str, str], hours: str) -> list[Sentence]:
    lead, days = opening
    said = [sentence("calendar", lead, (days,), ".")]
    if hours and hours != TIMES_NOT_GIVEN:
        said.append(sentence("clock", "Time: ", (easy_time(hours),), "."))
    else:
        said.append(sentence("clock", "Phone to ask about the times."))
    return said


def _cost(entry: Entry) -> Sentence:
    cost = entry.cost
    if cost is not None and cost.free:
        return sentence("money", "It is ", ("free",), ".")
    if cost is not None and cost.status == "paid" and cost.lines:
        return sentence("money", "It costs ", (cost.lines[0],), ".")
    return sentence("money", "Ask if you need to pay.")


def _referral(referral: str | None) -> list[Sentence]:
    key = _REFERRAL_KEYS.get((referral or "").strip().lower().replace("-", "_").replace(" ", "_"))
    return [sentence("person", text) for text in REFERRAL.get(key or "", [])]


def word_count(text: str) -> int:
    return len(text.split())
