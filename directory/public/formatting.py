"""Plain-English formatting for the public pages, in the GOV.UK style guide's forms.

Dates read "3 March 2026", times "9am", "5:30pm", "midday"; money "£2.50"; phone numbers get a
``tel:`` link a phone can dial. Each is a template filter (registered in :mod:`directory.web`)
and a plain function the page builders and tests use directly.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from urllib.parse import quote_plus

from slugify import slugify

# Template filters defined beside the rules they apply, registered with the others.
from directory.listings.html import html_to_line
from directory.listings.html import safe_html as safe_html
from directory.listings.links import safe_url as safe_url

_NOT_DIALLABLE = re.compile(r"[^\d+]")
_BLANK_LINE = re.compile(r"\n\s*\n")


def format_date(value: date | datetime | None) -> str:
    """``3 March 2026``: no leading zero and the month in full, as GOV.UK writes dates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_time(value: time | None) -> str:
    """``9am``, ``5:30pm``, ``midday``, ``midnight``: the GOV.UK style for times."""
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def format_time_range(opens: time | None, closes: time | None) -> str:
    """``10am to midday``; a missing end reads "from 10am"."""
    if opens and closes:
        return f"{format_time(opens)} to {format_time(closes)}"
    if opens:
        return f"from {format_time(opens)}"
    if closes:
        return f"until {format_time(closes)}"
    return ""


def format_money(amount: float | None) -> str:
    """``£5`` or ``£2.50``; pence are shown only when there are some."""
    if amount is None:
        return ""
    if float(amount).is_integer():
        return f"£{int(amount):,}"
    return f"£{amount:,.2f}"


def tel_href(number: str | None) -> str | None:
    """A ``tel:`` link for a written phone number, or None when there is nothing to dial.

    Only the digits (and a leading ``+``) are kept, so "0300 123 4567" and "+44 (0)300 123 4567"
    both dial; the "(0)" of an international form is dropped.
    """
    if not number:
        return None
    number = number.replace("(0)", "")
    digits = _NOT_DIALLABLE.sub("", number)
    plus = digits.startswith("+")
    digits = digits.replace("+", "")
    if len(digits) < 3:
        return None
    return "tel:" + ("+" if plus else "") + digits


def directions_url(postcode: str | None, name: str | None = None) -> str | None:
    """A maps link that opens route finding to a postcode (the phone's maps app on a phone)."""
    if not postcode:
        return None
    destination = f"{name}, {postcode}" if name else postcode
    return "https://www.google.com/maps/dir/?api=1&destination=" + quote_plus(destination)


def ages_text(minimum: float | None, maximum: float | None) -> str | None:
    """``Ages 18 and over``, ``Ages 11 to 19``, ``Up to age 4``; None when there is no limit."""
    low = _age(minimum)
    high = _age(maximum)
    if low and high:
        return f"Ages {low} to {high}"
    if low:
        return f"Ages {low} and over"
    if high:
        return f"Up to age {high}"
    return None


def _age(value: float | None) -> str | None:
    if value is None or value <= 0:
        return None
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def slug(text: str | None) -> str:
    """The readable part of a shareable URL: ``blacon-friendship-cafe``."""
    return slugify(text or "", max_length=80, word_boundary=True) or "listing"


def paragraphs(text: str | None) -> list[str]:
    """Free text split at blank lines, so a long description reads as paragraphs."""
    return [part.strip() for part in _BLANK_LINE.split(text or "") if part.strip()]


def plain_text(text: str | None) -> str:
    """A description (HTML or not) as one line of plain text: for a meta description or the
    short summary under a name in a list (see :mod:`directory.listings.html`)."""
    return html_to_line(text)


def join_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: lists in running text."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
