"""A service's facts in the words a resident reads: who it is for, what it costs, how to get
it and how to get in touch. Pure functions of the model, so each is easy to test alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from directory.listings.cost import CostStatus, cost_status, is_donation, says_only_free
from directory.listings.html import html_to_line
from directory.models import Service
from directory.public.formatting import format_money, paragraphs, tel_href

DELIVERY_WORDS = {"in_person": "In person", "phone": "By phone", "online": "Online"}
_SELF = "You can contact this service yourself."
_REFERRED = (
    "You need to be referred by a professional, for example your GP, a social worker "
    "or a link worker."
)
_EITHER = "You can contact this service yourself, or a professional such as your GP can refer you."
#: Keyed by the ``x_referral`` values the importer and seeds use (self_referral,
#: referral_needed, either), with the spellings other directories send as aliases.
REFERRAL_TEXT = {
    "self_referral": _SELF,
    "self": _SELF,
    "referral_needed": _REFERRED,
    "professional": _REFERRED,
    "referral": _REFERRED,
    "either": _EITHER,
    "self_or_professional": _EITHER,
}
CLOSED_NOTICES = {
    "temporarily closed": "This service is temporarily closed.",
    "inactive": "This service is not running at the moment.",
    "defunct": "This service has closed.",
}
STATUS_TAGS = {
    "temporarily closed": "Temporarily closed",
    "inactive": "Not running",
    "defunct": "Closed",
}
_EMPTY_PHONE_NOTES = frozenset({"call", "phone", "telephone", "tel", "call us", "phone us"})
#: Words that join the facts of "who it is for" without adding one.
_LINKING_WORDS = frozenset({"for", "aged", "age", "ages", "people", "living", "in", "and", "or"})


@dataclass
class Cost:
    """What a listing says about cost: its ``status`` (:func:`cost_status`, the one rule the
    search filter uses too) and its own words, each said once."""

    status: CostStatus
    lines: list[str] = field(default_factory=list)
    notes: str | None = None

    @property
    def free(self) -> bool:
        return self.status == "free"

    @property
    def known(self) -> bool:
        """Whether the listing says anything about cost at all."""
        return self.status != "unknown" or bool(self.lines) or bool(self.notes)


@dataclass
class PhoneView:
    number: str
    href: str | None
    description: str | None


@dataclass
class ContactView:
    name: str | None
    title: str | None
    email: str | None
    phones: list[PhoneView]


def term_names(service: Service, link_type: str) -> list[str]:
    names = [
        a.taxonomy_term.name
        for a in service.attributes
        if a.link_type == link_type and a.taxonomy_term is not None
    ]
    return list(dict.fromkeys(names))


def cost(service: Service) -> Cost:
    """Cost in words: the status, and lines such as "£2.50: per session" or the listing's
    own words; words that only say "free" are left to the "Free" above them."""
    lines: list[str] = []
    for option in service.cost_options:
        described = html_to_line(option.amount_description or option.option)
        if option.amount and option.amount > 0:
            money = format_money(option.amount)
            if money in described:
                lines.append(described)
            elif is_donation(described or option.option):
                donation = f"suggested donation {money}"
                lines.append(f"{described} ({donation})" if described else donation.capitalize())
            else:
                lines.append(f"{money}: {described}".rstrip(": "))
        elif described and not says_only_free(described):
            lines.append(described)
    lines = list(dict.fromkeys(lines))
    fees = html_to_line(service.fees) or None
    notes = None if fees and says_only_free(fees) else fees
    if notes and any(_plain(notes) in _plain(line) for line in lines):
        notes = None  # the same words as a cost option: say them once
    return Cost(status=cost_status(service), lines=lines, notes=notes)


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[\w£.]+", text.casefold())).rstrip(".")


def referral_text(referral: str | None) -> str | None:
    if not referral or not referral.strip():
        return None
    key = referral.strip().lower().replace("-", "_").replace(" ", "_")
    return REFERRAL_TEXT.get(key, referral.strip())


def delivery_words(modes: list[str] | None) -> list[str]:
    return [DELIVERY_WORDS[m] for m in modes or [] if m in DELIVERY_WORDS]


def delivery_sentence(modes: list[str] | None) -> str | None:
    """ "You can use this service in person or by phone.": the ways are alternatives, so
    they are joined with "or", in the order the reader is most likely to act on."""
    words = [DELIVERY_WORDS[m].lower() for m in DELIVERY_WORDS if m in (modes or [])]
    if not words:
        return None
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"You can use this service {joined}."


def closed_notice(status: str | None) -> str | None:
    return CLOSED_NOTICES.get((status or "").strip().lower())


def status_tag(status: str | None) -> str | None:
    """A short label for a service that is not running, for lists of services."""
    return STATUS_TAGS.get((status or "").strip().lower())


def contacts(service: Service) -> list[ContactView]:
    """Named contacts with their phone numbers, each with a ``tel:`` link when it can be dialled."""
    found = []
    for contact in service.contacts:
        phones = [
            PhoneView(phone.number, tel_href(phone.number), _phone_note(phone.description))
            for phone in contact.phones
            if phone.number
        ]
        if phones or contact.email:
            found.append(ContactView(contact.name, contact.title, contact.email, phones))
    return found


def _phone_note(description: str | None) -> str | None:
    """A phone's description, unless it only says "Call": the number is already a call link,
    and "07700 900122 (Call)" reads as if something were missing."""
    if not description or _plain(description) in _EMPTY_PHONE_NOTES:
        return None
    return description.strip()


def eligibility_paragraphs(text: str | None, shown: list[str]) -> list[str]:
    """The listing's own "who it is for" words, without the sentences that only repeat the
    list above them ("Aged 16 and over." under "Ages 16 and over"). A sentence is kept when
    it has any word the list does not, so nothing the listing says is lost."""
    known = set(_words(" ".join(shown))) | _LINKING_WORDS
    kept = []
    for paragraph in paragraphs(text):
        sentences = re.split(r"(?<=[.!?])\s+", paragraph)
        new = [s for s in sentences if not set(_words(s)) <= known]
        if new:
            kept.append(" ".join(new))
    return kept


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.casefold())
