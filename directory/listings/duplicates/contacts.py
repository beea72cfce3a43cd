"""Phones, email addresses, web addresses and postcodes in one comparable spelling each.

Imports store phones in their readable UK form (``directory.listings.phones``), but a number the
importer could not vouch for is kept as written, and two feeds rarely agree on ``www.``,
``https``, a trailing slash or a tracking parameter. These functions reduce each value to the
part that identifies it, or None when nothing usable is left, so that "same phone" means the
same line and not the same formatting.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Shorter than this is a short code (111, 999, 116 123): shared by unrelated services by design.
_MIN_PHONE_DIGITS = 9
#: Longer than this is two numbers run together ("01244 977000 / 07700 900123").
_MAX_PHONE_DIGITS = 15
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SITE = re.compile(
    r"(?:https?://)?(?P<host>[^/?#\s:@\[\]]+)(?::\d+)?(?P<path>/[^?#\s]*)?(?:[?#]\S*)?$", re.I
)
#: Paths that are a site's home page under another name.
_HOME_PAGES = {"index.html", "index.htm", "index.php", "home", "default.aspx"}


def phone_digits(number: str | None) -> str | None:
    """The national digits of a phone number ("+44 (0)1244 977000" -> "01244977000")."""
    if not number:
        return None
    digits = re.sub(r"\D", "", str(number))
    if digits.startswith("440"):
        digits = digits[2:]
    elif digits.startswith("44") and len(digits) >= 12:
        digits = "0" + digits[2:]
    return digits if _MIN_PHONE_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS else None


@lru_cache(maxsize=50_000)
def email_key(address: str | None) -> str | None:
    """An email address in lower case, without ``mailto:`` or surrounding space."""
    if not address:
        return None
    text = str(address).strip().lower()
    text = text.removeprefix("mailto:").split("?", 1)[0].strip()
    return text if _EMAIL.match(text) else None


@lru_cache(maxsize=50_000)
def site_key(url: str | None) -> str | None:
    """Host and path of a web address, without scheme, ``www.``, query, fragment or trailing
    slash: ``https://www.example.org/cafe/?utm_source=x`` -> ``example.org/cafe``.

    A regular expression rather than ``urlsplit``: this runs for every listing on every check
    and was a third of the loading time. Anything but http(s) (``javascript:``, ``mailto:``)
    has no dotted host before its colon and gives None.
    """
    if not url:
        return None
    match = _SITE.match(str(url).strip())
    if match is None:
        return None
    host = match.group("host").lower().removeprefix("www.")
    if "." not in host or host.startswith(".") or host.endswith("."):
        return None
    segments = [s for s in (match.group("path") or "").split("/") if s]
    if segments and segments[-1].lower() in _HOME_PAGES:
        segments.pop()
    path = "/".join(segments)
    return f"{host}/{path}" if path else host


def postcode_key(postcode: str | None) -> str | None:
    """A UK postcode in upper case without spaces ("ch65 0aa" -> "CH650AA"); None if it is not
    the shape of a full postcode (an outcode alone says only the district)."""
    if not postcode:
        return None
    text = re.sub(r"\s+", "", str(postcode)).upper()
    return text if _POSTCODE.match(text) else None


def postcode_display(key: str) -> str:
    """ "CH650AA" -> "CH65 0AA"."""
    return f"{key[:-3]} {key[-3:]}"
