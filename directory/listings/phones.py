"""Phone numbers as people write them, turned into the readable UK form we store."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import shortnumberinfo

from directory.listings.normalise import clean_text


@dataclass(frozen=True)
class ParsedPhone:
    number: str
    extension: str | None
    note: str | None


_PHONE_CHARS = re.compile(r"[+(]?\d[\d\s()./-]{1,}\d")
_EXTENSION = re.compile(r"\b(?:ext(?:ension)?\.?|x)\s*(\d{1,6})\b", re.I)


def normalise_phone(value: object) -> ParsedPhone | None:
    """A UK phone number in its readable national form ("01244 977000"), or None.

    "(01244) 977 000", "+44 (0)1905 768053" and "01905768053 ext 2" all parse; numbers abroad
    keep their international form; short codes such as 111 and 116 123 are kept. Words around
    the number ("Helpline:", "(evenings)") come back as ``note``. None means the text holds no
    number we can vouch for, and the caller keeps the original words instead.
    """
    text = clean_text(value)
    if text is None:
        return None
    text = text.strip("\"'")
    extension = None
    ext_match = _EXTENSION.search(text)
    if ext_match:
        extension = ext_match.group(1)
        text = (text[: ext_match.start()] + text[ext_match.end() :]).strip(" ,;")
    digits_match = _PHONE_CHARS.search(text)
    if digits_match is None:
        return None
    candidate = digits_match.group(0)
    note = (text[: digits_match.start()] + " " + text[digits_match.end() :]).strip(" :,;-")
    note = re.sub(r"\(\s*\)|\s+", " ", note).strip() or None
    try:
        parsed = phonenumbers.parse(candidate, "GB")
    except phonenumbers.NumberParseException:
        return None
    national = str(parsed.national_number)
    if not candidate.startswith(("0", "+")) and shortnumberinfo.is_valid_short_number(parsed):
        spaced = national if len(national) <= 3 else f"{national[:3]} {national[3:]}"
        return ParsedPhone(spaced, extension, note)
    if not phonenumbers.is_valid_number(parsed) and not (
        parsed.country_code == 44 and phonenumbers.is_possible_number(parsed) and len(national) >= 9
    ):
        return None
    extension = extension or parsed.extension
    parsed.extension = None
    if parsed.country_code == 44:
        formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return ParsedPhone(formatted, extension, note)
