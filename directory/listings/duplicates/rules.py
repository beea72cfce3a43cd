"""What makes two listings the same service: the rules, applied to one pair at a time.

A shared phone, email or website alone proves nothing: one organisation runs many services on
one switchboard, one ``info@`` address and one home page. So every rule starts from the name,
and the postcodes, contacts and organisation say how sure the match is. Names are near-same at
a score of 0.88 or more (:func:`compare_names`), similar at 0.75, related at 0.6.

``likely`` (one service listed twice; search shows one card):

* near-same names at the same postcode;
* near-same names where a postcode is missing, run by two organisations that share a phone,
  email or website (two feeds' records of one organisation);
* the same words, one organisation, a postcode missing, a shared contact (a record repeated
  in one feed).

``possible`` (for staff to look at; search is unchanged):

* near-same names at different postcodes, different organisations, a shared contact;
* the same distinctive name (three words or more, on at most four listings) in the same
  postcode district, or with no postcode, contact or organisation in common;
* near-same names of one organisation, a postcode missing, not the likely case above (two
  sessions under one name, or an umbrella listing and one of its sites);
* between different organisations: a related name and a shared contact, or a similar name at
  the same postcode.

Nothing: unrelated names whatever they share; related names within one organisation (its
services on one switchboard); near-same names of one organisation at different postcodes (its
branches: one charity's "Memory Cafe" in three towns); a name that differs only by its own town
from a listing in another town ("Redditch Walking Football" and "Walking Football" in Chester).
Contacts more than three organisations give are dropped before any rule (``candidates.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from directory.listings.duplicates.contacts import postcode_display
from directory.listings.duplicates.models import Strength
from directory.listings.duplicates.names import NameMatch, compare_names, name_key
from directory.listings.phones import normalise_phone

NEAR_SAME = 0.88
SIMILAR = 0.75
RELATED = 0.6
#: With nothing else in common, a name is only evidence when it has this many words...
DISTINCTIVE_WORDS = 3
#: ...and no more listings than this have it: a name five groups use ("Winsford Youth Club")
#: is common in this directory, while two or three feeds' copies of one service fit.
COMMON_NAME = 4
_NO_POSTCODE = "no postcode to compare"


@dataclass
class Listing:
    """What the rules read of one service, every value already normalised."""

    id: str
    name: str
    words: tuple[str, ...]
    organization_id: str | None = None
    organization_name: str | None = None
    organization_key: str | None = None
    postcodes: set[str] = field(default_factory=set)
    #: Words of the listing's towns and organisation name: "Chester" in "Chester Memory Cafe"
    #: at a Chester address qualifies the name rather than changing it.
    qualifiers: set[str] = field(default_factory=set)
    #: Words of every town in the directory's addresses (one set shared by all listings):
    #: "(Stourport)" in a name with no address is a place too.
    places: frozenset[str] = frozenset()
    #: How many live listings in the directory have exactly this name (set by the loader).
    name_count: int = 1
    phones: dict[str, str] = field(default_factory=dict)  # digits -> as displayed
    emails: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)

    @cached_property
    def key(self) -> str:
        """The name's words in order, as one string: equal for the same words."""
        return name_key(self.words)

    @cached_property
    def name_keys(self) -> frozenset[str]:
        """Blocking keys for the name: all its words, and its words less its own qualifiers.
        Read once the listing is complete (its qualifiers are part of it)."""
        keys = {self.key} if self.words else set()
        core = tuple(w for w in self.words if w not in self.qualifiers and w not in self.places)
        if core:
            keys.add(name_key(core))
        return frozenset(keys)

    @cached_property
    def gate(self) -> frozenset[str]:
        """The name's words and each two neighbours run together ("food bank" -> "foodbank").
        Names with none of these in common are not compared at all, which rules out most
        candidate pairs cheaply; the price is that two names whose every word differs by a
        misspelling are never matched."""
        runs = (a + b for a, b in zip(self.words, self.words[1:], strict=False))
        return frozenset((*self.words, *runs))


class _AnyOf:
    """Membership in any of several sets, without building their union for every pair."""

    __slots__ = ("sets",)

    def __init__(self, *sets: set[str] | frozenset[str]) -> None:
        self.sets = sets

    def __contains__(self, word: object) -> bool:
        return any(word in s for s in self.sets)


@dataclass(frozen=True)
class Verdict:
    strength: Strength
    score: float
    reasons: list[str]


def _shared_contacts(a: Listing, b: Listing) -> list[str]:
    reasons = [
        f"same phone {_phone(a.phones[d])}" for d in sorted(a.phones.keys() & b.phones.keys())
    ]
    reasons += [f"same email {e}" for e in sorted(a.emails & b.emails)]
    reasons += [f"same website {s}" for s in sorted(a.sites & b.sites)]
    return reasons[:3]


def _phone(number: str) -> str:
    """The readable UK form, parsed only here (for the few flagged pairs): at 100,000
    listings parsing every number while loading would double a scan's time."""
    parsed = normalise_phone(number)
    return parsed.number if parsed else number


def _same_organisation(a: Listing, b: Listing) -> bool:
    if a.organization_id and a.organization_id == b.organization_id:
        return True
    return bool(a.organization_key) and a.organization_key == b.organization_key


def _postcodes(codes: set[str]) -> str:
    return ", ".join(postcode_display(c) for c in sorted(codes)[:3])


def _near_same(
    a: Listing, b: Listing, match: NameMatch, shared: list[str], same_org: bool
) -> Verdict | None:
    """Near-same names: the postcodes, contacts and organisation decide how sure."""
    same_words = not match.extra_a and not match.extra_b
    name = "same name" if same_words else f"similar name ({match.score:.2f})"
    common = a.postcodes & b.postcodes
    org = [f"same organisation ({a.organization_name})"] if same_org else []
    if common:
        reasons = [f"{name} at {_postcodes(common)}", *shared, *org]
        return Verdict(Strength.LIKELY, match.score, reasons)
    if a.postcodes and b.postcodes:
        where = f"{_postcodes(a.postcodes)} / {_postcodes(b.postcodes)}"
        if same_org:
            return None
        if shared:
            return Verdict(Strength.POSSIBLE, match.score, [name, *shared, f"but at {where}"])
        districts = {_district(p) for p in a.postcodes} & {_district(p) for p in b.postcodes}
        if same_words and districts and _distinctive(a, b):
            return Verdict(Strength.POSSIBLE, match.score, [f"{name} nearby ({where})"])
        return None
    if same_org:
        # One organisation may run two sessions under one name: its own record alone does not
        # make them one service, a contact they share as well does.
        if same_words and shared:
            return Verdict(Strength.LIKELY, match.score, [name, *org, *shared, _NO_POSTCODE])
        if shared or _distinctive(a, b):
            return Verdict(Strength.POSSIBLE, match.score, [name, *org, *shared, _NO_POSTCODE])
        return None
    if shared:
        return Verdict(Strength.LIKELY, match.score, [name, *shared])
    if same_words and _distinctive(a, b):
        return Verdict(
            Strength.POSSIBLE, match.score, [name, "no postcode, phone, email or website in common"]
        )
    return None


def _distinctive(a: Listing, b: Listing) -> bool:
    """Names that can stand on their own as evidence: "Blacon Memory Cafe", not "Tea Line",
    and not a name that many listings of this directory share."""
    return len(set(a.words)) >= DISTINCTIVE_WORDS and max(a.name_count, b.name_count) <= COMMON_NAME


def _district(postcode: str) -> str:
    return postcode[:-3]


def compare(a: Listing, b: Listing) -> Verdict | None:
    """The verdict on one pair, or None when it is not worth flagging."""
    if not a.gate & b.gate:
        return None
    qualifiers = _AnyOf(a.qualifiers, b.qualifiers, a.places)
    match = compare_names(a.words, b.words, qualifiers, floor=RELATED)
    score = match.score
    if score < RELATED:
        return None
    same_org = _same_organisation(a, b)
    common = a.postcodes & b.postcodes
    apart = bool(a.postcodes and b.postcodes and not common)
    shared = _shared_contacts(a, b)

    if score >= NEAR_SAME:
        return _near_same(a, b, match, shared, same_org)
    if same_org:
        return None
    if shared and not apart:
        return Verdict(Strength.POSSIBLE, score, [*shared, f"related name ({score:.2f})"])
    if common and score >= SIMILAR:
        return Verdict(
            Strength.POSSIBLE, score, [f"similar name ({score:.2f}) at {_postcodes(common)}"]
        )
    return None
