"""UK postcode normalisation and validation.

People type postcodes every way: "ch11aa", " CH1  1AA ", "Ch1 1aa". Everything that looks a
postcode up (the gazetteer, search forms, imports) goes through these pure functions so that a
postcode has exactly one spelling, the Royal Mail display form "CH1 1AA", before it is used as a
key.

The rules are the published format rules, not a list of live postcodes:

* outward code (the "outcode"): A9, A99, AA9, AA99, A9A or AA9A;
* inward code: a digit then two letters;
* the first letter is never Q, V or X; the second letter of the area is never I, J or Z;
* the letter in A9A may only be one of ABCDEFGHJKPSTUW, the letter in AA9A one of ABEHMNPRVWXY;
* the inward letters never include C, I, K, M, O or V;
* GIR 0AA (Girobank) is the one historic exception that is still accepted.

BFPO numbers and the overseas territories' postcodes (ASCN 1ZZ etc.) are deliberately out: the
directory only serves places in the UK. Anything hostile (very long text, control characters,
emoji) gets ``None`` quickly, never an exception.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "OUTCODE_RE",
    "POSTCODE_RE",
    "compact_postcode",
    "find_postcode_in",
    "is_outcode",
    "is_postcode",
    "normalise_outcode",
    "normalise_postcode",
    "outcode_of",
]

_A1 = "[ABCDEFGHIJKLMNOPRSTUWYZ]"  # first letter: not Q, V, X
_A2 = "[ABCDEFGHKLMNOPQRSTUVWXY]"  # second letter: not I, J, Z
_A3 = "[ABCDEFGHJKPSTUW]"  # letter after the digit in A9A
_A4 = "[ABEHMNPRVWXY]"  # letter after the digit in AA9A
_IN = "[ABDEFGHJLNPQRSTUWXYZ]"  # inward letters: not C, I, K, M, O, V

_OUTWARD = f"(?:{_A1}[0-9][0-9]?|{_A1}{_A2}[0-9][0-9]?|{_A1}[0-9]{_A3}|{_A1}{_A2}[0-9]{_A4})"
_INWARD = f"[0-9]{_IN}{{2}}"

#: Matches an outcode in canonical (upper-case) form.
OUTCODE_RE = re.compile(_OUTWARD)
#: Matches a full postcode in canonical display form, e.g. "CH1 1AA" (or "GIR 0AA").
POSTCODE_RE = re.compile(f"(?:{_OUTWARD} {_INWARD})|GIR 0AA")

_COMPACT_RE = re.compile(f"({_OUTWARD})({_INWARD})|(GIR)(0AA)")
_WHITESPACE_RE = re.compile(r"\s+")

# A postcode is at most 8 characters; allow generous padding but refuse essays before doing any
# Unicode work on them.
_MAX_INPUT = 32


def _compact(text: object) -> str | None:
    """Upper-case ``text`` with all whitespace removed, or None if it cannot be a postcode.

    Unicode compatibility forms are folded (NFKC) so that full-width characters pasted from
    another system still match; anything left that is not ASCII rules the text out.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if not text.isascii():
            return None
    compact = _WHITESPACE_RE.sub("", text).upper()
    if not 2 <= len(compact) <= 7 or not compact.isalnum():
        return None
    return compact


def normalise_postcode(text: str) -> str | None:
    """Return ``text`` as a canonical full postcode ("CH1 1AA"), or None if it is not one.

    Case and spacing are ignored: "ch11aa", " CH1  1AA " and "Ch1 1aA" all give "CH1 1AA".
    """
    compact = _compact(text)
    if compact is None or len(compact) < 5:
        return None
    match = _COMPACT_RE.fullmatch(compact)
    if match is None:
        return None
    outward, inward = (match.group(1), match.group(2)) if match.group(1) else ("GIR", "0AA")
    return f"{outward} {inward}"


def normalise_outcode(text: str) -> str | None:
    """Return ``text`` as a canonical outcode ("CH1", "EC1A"), or None if it is not one."""
    compact = _compact(text)
    if compact is None or len(compact) > 4:
        return None
    return compact if OUTCODE_RE.fullmatch(compact) else None


def is_postcode(text: str) -> bool:
    """True if ``text`` is a full UK postcode in any case or spacing."""
    return normalise_postcode(text) is not None


def is_outcode(text: str) -> bool:
    """True if ``text`` is an outcode (the part of a postcode before the space) on its own."""
    return normalise_outcode(text) is not None


def outcode_of(postcode: str) -> str | None:
    """The outcode of a full postcode ("ch11aa" -> "CH1"), or None if it is not a postcode."""
    normal = normalise_postcode(postcode)
    return None if normal is None else normal.split(" ", 1)[0]


def compact_postcode(text: str) -> str | None:
    """The postcode without its space ("CH11AA"): the key the gazetteer file is indexed by."""
    normal = normalise_postcode(text)
    return None if normal is None else normal.replace(" ", "")


def find_postcode_in(text: str) -> str | None:
    """The first full postcode written inside free text ("1 Town Hall, Chester CH1 2HJ").

    Used by the gazetteer so that a pasted address still finds its postcode. Returns the
    canonical form, or None.
    """
    if not isinstance(text, str) or len(text) > 500:
        return None
    for match in _IN_TEXT_RE.finditer(text.upper()):
        found = normalise_postcode(match.group(0))
        if found is not None:
            return found
    return None


_IN_TEXT_RE = re.compile(r"(?<![A-Z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}(?![A-Z0-9])")
