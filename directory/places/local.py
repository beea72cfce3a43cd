"""The curated file of the home area's own place names: ``seeds/gazetteer/local_places.csv``.

GeoNames only lists places of 500 or more people, so the suburbs, estates and villages people
in the home area actually type ("Upton", "Lache", "Great Sutton") are missing or lose to a
bigger namesake elsewhere. This file, kept by the people who run the directory, names them.
Nobody types coordinates: each row gives a representative postcode ("CH4 8HL") or a postcode
sector ("CH2 1"), and the point is computed from the ONS Postcode Directory in the built
gazetteer when it is opened (see ``docs/places.md`` for the format).

Columns: ``name``, ``other_names`` (";"-separated other names and spellings), ``kind`` (one of
:data:`KINDS`), ``area`` (the town it is part of, shown after the name: "Whitby, Ellesmere
Port"; empty for a town or village, which is then shown with its council's name),
``authority`` (the ONS code of the council it lies in) and ``postcode``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from directory.places.names import fold_name
from directory.places.paths import local_places_path
from directory.places.postcodes import normalise_outcode, normalise_postcode

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer


KINDS = ("town", "suburb", "village", "locality", "estate")
COLUMNS = ("name", "other_names", "kind", "area", "authority", "postcode")
_AUTHORITY = re.compile(r"[ENSW]\d{8}")
_MAX_NAME = 60


class LocalPlacesError(ValueError):
    """The curated file cannot be read; the message names the line and what to fix."""


@dataclass(frozen=True)
class LocalPlaceRow:
    """One row of the curated file, checked for shape (not yet located)."""

    line: int
    name: str
    other_names: tuple[str, ...]
    kind: str
    area: str
    authority: str
    postcode: str  # "CH4 8HL" (a full postcode) or "CH2 1" (a postcode sector)

    @property
    def is_sector(self) -> bool:
        return normalise_postcode(self.postcode) is None


def normalise_sector(text: str) -> str | None:
    """A postcode sector in display form ("ch21" or "CH2 1" -> "CH2 1"), or None.

    A sector is an outcode and the first digit of the inward code. Written without a space it
    is ambiguous ("CH21" could be the outcode CH21), so the space is required.
    """
    if not isinstance(text, str):
        return None
    outward, _, digit = " ".join(text.split()).upper().rpartition(" ")
    if len(digit) != 1 or not digit.isdigit():
        return None
    outcode = normalise_outcode(outward)
    return f"{outcode} {digit}" if outcode else None


def _row(line: int, raw: dict[str, str | None]) -> LocalPlaceRow:
    def field(key: str) -> str:
        return " ".join((raw.get(key) or "").split())

    name, kind, authority = field("name"), field("kind").lower(), field("authority").upper()
    where = f"line {line}"
    if not name or len(name) > _MAX_NAME:
        raise LocalPlacesError(f"{where}: give a name of 1 to {_MAX_NAME} characters.")
    if kind not in KINDS:
        raise LocalPlacesError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}.")
    if not _AUTHORITY.fullmatch(authority):
        raise LocalPlacesError(
            f"{where} ({name}): authority must be an ONS council code such as E06000050."
        )
    given = field("postcode")
    postcode = normalise_postcode(given) or normalise_sector(given)
    if postcode is None:
        raise LocalPlacesError(
            f"{where} ({name}): postcode must be a full postcode ('CH4 8HL') or a postcode "
            f"sector ('CH2 1'), not {given!r}."
        )
    spellings = (" ".join(part.split()) for part in field("other_names").split(";"))
    others = tuple(dict.fromkeys(o for o in spellings if o))
    return LocalPlaceRow(line, name, others, kind, field("area"), authority, postcode)


def read_local_places(path: Path | None = None) -> list[LocalPlaceRow]:
    """Every row of the curated file; a missing file is an empty list (the feature is optional).

    Raises :class:`LocalPlacesError` naming the first bad line, so a typo is found when the
    file is edited (the tests read it) rather than silently dropping a place.
    """
    path = Path(path) if path is not None else local_places_path()
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LocalPlacesError(f"{path.name}: missing column(s) {', '.join(missing)}.")
        return [_row(n, raw) for n, raw in enumerate(reader, start=2)]


#: Home-area names that are also everyday words: taken as a place in the "what" box only
#: after "in" or "near" ("support over 60s" is not a search in Over, Winsford).
COMMON_WORDS = frozenset(
    {
        "barrow", "bridge", "castle", "centre", "church", "city", "cross", "green", "grange",
        "hall", "heath", "hill", "hope", "lane", "marsh", "mill", "moss", "ness", "over",
        "park", "port", "road", "street", "town", "village", "well", "wood",
    }
)  # fmt: skip


def bare_name_ok(key: str) -> bool:
    """Whether a folded home-area name may be read as a place with no "in"/"near" before it:
    at least four letters and not an everyday word."""
    return len(key) >= 4 and key not in COMMON_WORDS


def check_rows(gazetteer: Gazetteer, rows: list[LocalPlaceRow]) -> list[str]:
    """Problems with the curated rows against a built gazetteer: a postcode it does not know,
    a point outside the row's council, or two rows a person could not tell apart (same name,
    same area and council; case, accents, hyphens and apostrophes do not count, as look-ups
    ignore them). Empty when the file is good; ``flask places check`` prints them."""
    problems = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        names = {fold_name(n): n for n in (*row.other_names, row.name)}
        for folded, name in names.items():
            key = (folded, fold_name(row.area), row.authority)
            if key in seen:
                problems.append(
                    f"line {row.line} ({row.name}): '{name}' is already on line {seen[key]}; "
                    "give one of them an area to tell them apart."
                )
            seen.setdefault(key, row.line)
        place = gazetteer.locate(row.postcode, row.authority, name=row.name)
        if place is None:
            problems.append(f"line {row.line} ({row.name}): postcode {row.postcode} not found.")
        elif place.la_code != row.authority:
            problems.append(
                f"line {row.line} ({row.name}): {row.postcode} is in {place.la_code}, "
                f"not {row.authority}."
            )
    return problems
