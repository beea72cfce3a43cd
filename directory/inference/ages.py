"""Client groups said as ages: "aged 60 and over", "for the over 50s", "11-19 year olds",
"under-5s".

The search analyser drops numbers, so a listing "for people over 65" names no curated saying
of older people, yet an age is the plainest way feeds say who a listing is for. Only ages that
clearly mark one group count:

* a lower bound of 50 or more ("aged 55 and over", "over 60s", "50+") is older people;
* a range within 11 to 25 ("aged 16 to 24", "11-19 year olds") is young people;
* a range or an upper bound of 11 or less ("aged 0 to 4", "under-5s") is families and children.

A range that spans children and teenagers ("aged 5 to 17"), or adults ("aged 18 and over"),
marks no group. Numbers that are not ages (times, prices, counts) are not read: a number counts
only with an age word around it ("aged", "year olds", "over 50s", "and over").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

OLDER = "older-people"
YOUNG = "young-people"
CHILDREN = "families-and-children"

_N = r"(\d{1,2})"
_TO = r"\s*(?:-|\u2013|to)\s*"
_PATTERNS = (
    # "aged 16 to 24", "ages 11-19", "age 5 - 11"
    ("range", re.compile(rf"\bage[ds]?\s+{_N}{_TO}{_N}\b", re.I)),
    # "11-19 year olds", "16 to 25 yrs old"
    ("range", re.compile(rf"\b{_N}{_TO}{_N}\s*(?:years?|yrs?)[\s-]*olds?\b", re.I)),
    # "aged 60 and over", "60 or older"
    ("over", re.compile(rf"\b{_N}\s+(?:and|or)\s+(?:over|older|above)\b", re.I)),
    # "aged 55+", "for the 50+", "50+ club": a bare "50+" only beside an age or people word
    (
        "over",
        re.compile(
            rf"(?:\b(?:age[ds]?|for(?:\s+the)?)\s+{_N}\s*(?:\+|plus\b)"
            rf"|\b{_N}\s*(?:\+|plus\b)(?=\s*(?:club|forum|group|people|adults|residents)\b))",
            re.I,
        ),
    ),
    # "over 50s", "over-65s", "people over 65 who", "aged over 60"
    (
        "over",
        re.compile(rf"\bover[\s-]?{_N}(?:'?s\b|(?=\s*(?:$|[.,;:)!]|\s+(?:who|years?)\b)))", re.I),
    ),
    # "under-5s", "children under 11", "aged under 8"
    (
        "under",
        re.compile(rf"\bunder[\s-]?{_N}(?:'?s\b|(?=\s*(?:$|[.,;:)!]|\s+(?:years?)\b)))", re.I),
    ),
)


def age_groups(text: str) -> Iterator[tuple[str, str]]:
    """(client group code, the words that said it) for every age in ``text`` that marks one."""
    if not text or not any(ch.isdigit() for ch in text):
        return
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            numbers = [int(n) for n in match.groups() if n is not None]
            code = _group(kind, numbers)
            if code:
                yield code, match.group(0).strip()


def _group(kind: str, numbers: list[int]) -> str | None:
    if kind == "over":
        return OLDER if numbers[0] >= 50 else None
    if kind == "under":
        return CHILDREN if numbers[0] <= 11 else None
    low, high = sorted(numbers[:2])
    if low >= 50:
        return OLDER
    if high <= 11:
        return CHILDREN
    if low >= 11 and high <= 25:
        return YOUNG
    return None
