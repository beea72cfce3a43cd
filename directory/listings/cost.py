"""What a listing says about cost, read one way everywhere: ``free``, ``paid`` or ``unknown``.

Someone choosing "Free only" may have no money at all, so a listing counts as free only when
it says so; silence is not free. The rule (``docs/cost.md`` says it for readers):

* **paid** when a cost option has an amount above zero (a suggested donation is not a
  charge), or any cost words give a price or say there is a charge ("£3 a session",
  "a small fee", "not free", "pay what you can");
* otherwise **free** when a cost option has amount 0, or its words or the ``fees`` text say
  free ("Free", "No charge", "free of charge", "There is no cost", "None");
* otherwise **unknown**: no cost options and no fees text, or words that say neither
  ("Donations welcome", "See website").

Words that say both ("Free for members, £2 for others") are paid: the free part is read
first and taken away, and what is left still names a price. Used by the search index (the
free flag, filter and facet), the service page, the results page and the handovers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from directory.listings.html import html_to_line

CostStatus = Literal["free", "paid", "unknown"]


class _Option(Protocol):
    amount: Any
    option: str | None
    amount_description: str | None


_FREE = re.compile(
    r"""\b(?:
        free(?:\s+of\s+(?:charge|cost))?(?:\s+to\s+(?:attend|use|join))?
      | (?:there\s+is\s+|there's\s+|with\s+|at\s+)?no\s+(?:charges?|costs?|fees?|cost\s+to\s+you)
      | without\s+(?:charge|cost)
      | (?:it\s+)?costs?\s+nothing
      | nothing\s+to\s+pay
      | no\s+need\s+to\s+pay
      | (?:do\s+not|don't|dont|will\s+not|won't|does\s+not|doesn't)\s+(?:have\s+to\s+|need\s+to\s+)?
        (?:pay|cost)(?:\s+anything)?
    )\b""",
    re.I | re.X,
)
#: A fees text that is nothing but "none" says there are no fees.
_NONE = re.compile(r"^\s*(?:none|nil|£?\s*0(?:\.00)?|0p)\s*\.?\s*$", re.I)
_NOT_FREE = re.compile(r"\b(?:not|isn't|is\s+not|aren't)\s+free\b", re.I)
#: A price above nothing: "£3", "£ 2.50", "45p", "5 pounds" (but not "£0" or "0p").
_PRICE = re.compile(
    r"£\s?(?:0*[1-9]|0*\.\d*[1-9])"
    r"|\b0*(?:[1-9]\d*(?:\.\d{1,2})?|\.\d*[1-9])\s?(?:p|pence|pounds?|gbp)\b",
    re.I,
)
_CHARGE_WORDS = re.compile(
    r"\b(?:charges?|charged|chargeable|fees?|costs?|costing|price[sd]?|pay|paid|payment|payable"
    r"|subscriptions?|tariffs?)\b",
    re.I,
)
_DONATION = re.compile(r"\bdonat(?:e|es|ed|ion|ions)\b", re.I)


def says_free(text: str | None) -> bool:
    """Whether these words say the thing is free (they may say a price as well)."""
    text = html_to_line(text)
    return bool(_NONE.match(text) or (_FREE.search(text) and not _NOT_FREE.search(text)))


def says_only_free(text: str | None) -> bool:
    """Whether these words say free and nothing more ("Free.", "No charge"): words that a
    "Free" on the page already says, so they need not be repeated under it."""
    text = html_to_line(text)
    if _NONE.match(text):
        return True
    rest = _FREE.sub(" ", text) if _FREE.search(text) else text
    return rest != text and not re.search(r"\w", rest)


def _charged_part(text: str) -> str:
    """The words left once the "free" phrases and the clauses about donations are taken
    away: "Free for members, £2 for others" leaves "for members, £2 for others";
    "£1 donation for tea and cake, if you can" leaves ", if you can"."""
    rest = _FREE.sub(" ", text)
    return " ".join(c for c in re.split(r"[;,.()\n]", rest) if not _DONATION.search(c))


def says_paid(text: str | None) -> bool:
    """Whether these words name a price or say there is a charge, outside any "free" part
    and any suggested donation ("Free for members, £2 for others" still names £2)."""
    text = html_to_line(text)
    if _NOT_FREE.search(text):
        return True
    rest = _charged_part(text)
    return bool(_PRICE.search(rest) or _CHARGE_WORDS.search(rest))


def names_price(text: str | None) -> bool:
    """Whether these words name an amount above nothing, outside any "free" part and any
    suggested donation."""
    return bool(_PRICE.search(_charged_part(html_to_line(text))))


def is_donation(text: str | None) -> bool:
    """A suggested donation is given by choice: its amount is not a charge."""
    return bool(_DONATION.search(html_to_line(text)))


def _option_text(option: _Option) -> str:
    return " ".join(t for t in (option.option, option.amount_description) if t)


def _amount(option: _Option) -> float | None:
    try:
        return None if option.amount is None else float(option.amount)
    except (TypeError, ValueError):
        return None


def _signals(options: Iterable[_Option], fees: str | None) -> tuple[bool, bool]:
    """(something says paid, something says free)."""
    paid = free = False
    for option in options:
        text = _option_text(option)
        amount = _amount(option)
        if amount is None:
            paid = paid or says_paid(text)  # no amount: the words decide
        elif amount > 0 and not is_donation(text):
            paid = True
        else:
            # Nothing to pay, or a donation: free, unless the words name a price as well.
            paid = paid or names_price(text)
            free = free or amount == 0
        free = free or says_free(text)
    if fees:
        paid = paid or says_paid(fees)
        free = free or says_free(fees)
    return paid, free


def cost_status(service: Any) -> CostStatus:
    """``free``, ``paid`` or ``unknown`` for a ``Service`` or any object with
    ``cost_options`` (each with ``amount``, ``option``, ``amount_description``) and ``fees``."""
    paid, free = _signals(service.cost_options or (), service.fees)
    if paid:
        return "paid"
    return "free" if free else "unknown"
