"""Closures: dates a schedule's sessions do not happen.

ORUK 3.0 UK has no field for exceptions, so two sources are used: an explicit list of closed
dates (which a future listing editor will fill), and bank holidays, either for every schedule
by option or for one schedule whose description or notes say it does not run on them ("not
available on public holidays", "closed bank holidays", "Monday to Friday except bank
holidays"). Bank holiday dates come from the ``holidays`` package for the UK nation asked for.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import holidays

NATIONS = ("ENG", "WLS", "SCT", "NIR")
_HOLIDAY_MENTION = re.compile(
    r"\b(?:bank|public)(?:\s*(?:and|or|&|/)\s*(?:bank|public))?\s+hol(?:iday)?s?\b", re.I
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATIVE = _words(
    "closed close closes shut not no except excepting excluding excl exc apart other"
    " unavailable never without cancelled"
)
_POSITIVE = _words("open opens available including includes incl inc also running runs operates")
_NEGATORS = _words("not never isn't aren't don't doesn't won't no")
_AFTER_NEGATIVE = _words("closed excluded excepted shut")


def text_says_closed_on_bank_holidays(*texts: object) -> bool:
    """Whether schedule text says the service does not run on bank/public holidays.

    Looks back from each mention of bank or public holidays, within its clause, for the nearest
    word that says open or closed ("not available on public holidays", "closed bank holidays",
    "Monday to Friday except bank holidays"; but "open bank holidays" and "including bank
    holidays" do not count), then a few words ahead ("bank holidays: closed").
    """
    for text in texts:
        if not isinstance(text, str):
            continue
        for clause in re.split(r"[.;\n!?()]", text):
            for mention in _HOLIDAY_MENTION.finditer(clause):
                if _clause_polarity(clause[: mention.start()], clause[mention.end() :]) is False:
                    return True
    return False


def _clause_polarity(before: str, after: str) -> bool | None:
    words = re.findall(r"[a-z']+", before.lower())[-8:]
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word in _POSITIVE:
            return not (index > 0 and words[index - 1] in _NEGATORS)
        if word in _NEGATIVE:
            return False
    ahead = re.findall(r"[a-z']+", after.lower())[:3]
    return False if _AFTER_NEGATIVE & set(ahead) else None


@cache
def _holiday_calendar(region: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def bank_holidays(years: range | list[int], region: str = "ENG") -> frozenset[date]:
    """UK bank holidays for ``region``: ENG, WLS, SCT or NIR (England when unknown)."""
    region = region.upper() if region and region.upper() in NATIONS else "ENG"
    return frozenset().union(*(_holiday_calendar(region, year) for year in years))
