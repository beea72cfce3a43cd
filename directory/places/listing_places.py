"""Place names taken from listings' own addresses, kept in step as listings change.

Councils' data names the places people use: "Upton, Chester CH2 1..." puts Upton at the
middle of its postcodes even when no gazetteer lists it. :func:`refresh_place_names`
rebuilds the ``place_name`` table from every address (a name in ``address_2``, ``city`` or
``region`` plus a postcode the gazetteer knows) and records how far through the listing
change sequence it is. :func:`sync` runs before requests, at most every
``PLACE_NAMES_CHECK_SECONDS``: it rebuilds the table when listings have changed since, and
hands the names to this process's gazetteer when the table is newer than what it holds. See
ADR 0003 for why it works this way.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import unit_of_work
from directory.places.gazetteer import Gazetteer
from directory.places.models import Address, PlaceName, PlaceNameRefresh
from directory.places.name_index import NamedPlace, PlaceInfo, rough_km
from directory.places.names import fold_name
from directory.places.place import Place, country_part_of

log = logging.getLogger(__name__)
#: Who the change log names for a refresh (it writes only ``place_name``, which is not logged).
PLACE_NAMES_ACTOR = Actor.system("place-names")

#: A name whose postcodes spread wider than this (80th percentile from their middle) is a
#: county, a post town covering many villages, or a mistake: not a point to search around.
MAX_SPREAD_KM = 5.0
MAX_NAME = 40
_NAME = re.compile(r"[A-Za-z][A-Za-z' .\-\u2019]*[A-Za-z]")
#: Words that end street names, building names and other address lines that are not places.
_NOT_PLACE_WORDS = frozenset(
    {
        "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "drive", "dr", "close",
        "way", "crescent", "terrace", "grove", "gardens", "walk", "row", "parade", "mews",
        "square", "place", "court", "precinct", "centre", "center", "building", "house",
        "floor", "unit", "suite", "office", "hall", "school", "college", "academy", "church",
        "chapel", "library", "institute", "business", "industrial", "trading", "estate", "po",
        "box", "room", "block", "wing", "yard", "works", "farm",
    }
)  # fmt: skip
#: Names too wide to be a place to search around, whatever their postcodes say.
_REGIONS = frozenset(
    fold_name(n)
    for n in (
        "Cheshire", "Merseyside", "Wirral", "Greater Manchester", "Lancashire", "Shropshire",
        "Staffordshire", "Worcestershire", "Derbyshire", "Flintshire", "Wales", "England",
        "Scotland", "UK", "United Kingdom", "Great Britain", "GB", "North Wales", "North West",
        "West Midlands",
    )
)  # fmt: skip


@dataclass
class RefreshReport:
    """What a refresh found, for ``flask places refresh`` to print."""

    addresses: int = 0
    names: list[PlaceName] = field(default_factory=list)
    too_spread: list[str] = field(default_factory=list)
    listing_seq: int = 0

    def summary(self) -> str:
        shown = ", ".join(sorted({n.name for n in self.names})[:20])
        more = "" if len(self.names) <= 20 else f" and {len(self.names) - 20} more"
        text = f"{len(self.names)} place names from {self.addresses} addresses" + (
            f": {shown}{more}." if self.names else "."
        )
        if self.too_spread:
            text += f" Too spread out to place: {', '.join(sorted(self.too_spread)[:10])}."
        return text


def candidate_name(text: str | None) -> str | None:
    """An address line that can be a place name ("Upton", "Great Sutton"), or None for a
    street, a building, a county or anything with digits."""
    cleaned = " ".join((text or "").split())
    if not 3 <= len(cleaned) <= MAX_NAME or not _NAME.fullmatch(cleaned):
        return None
    folded = fold_name(cleaned)
    words = folded.split()
    if not words or len(words) > 4 or folded in _REGIONS:
        return None
    if any(w in _NOT_PLACE_WORDS for w in words):
        return None
    return cleaned


def address_names(
    address_1: str | None, address_2: str | None, city: str | None, region: str | None
) -> list[str]:
    """The place names an address gives. Feeds pack lines together (", Ellesmere Port,
    Cheshire, " in one field), so every field is split at commas. Each part of ``address_2``,
    ``city`` and ``region`` may be a name; so may a part of ``address_1`` after its first
    ("Hoole Community Centre, Westminster Road, Hoole"), which is the building or street."""
    parts = [p for field in (address_2, city, region) for p in (field or "").split(",")]
    parts += (address_1 or "").split(",")[1:]
    return list(dict.fromkeys(n for n in map(candidate_name, parts) if n))


def _display(spellings: Counter[str]) -> str:
    """The spelling most addresses use; all-capitals or all-lower-case is title-cased."""
    name = spellings.most_common(1)[0][0]
    return name.title() if name.isupper() or name.islower() else name


def collect_place_names(session: Session, gazetteer: Gazetteer) -> RefreshReport:
    """Every place name in the addresses, one per name and council, not yet saved."""
    rows = session.execute(
        select(
            Address.address_1, Address.address_2, Address.city, Address.region, Address.postal_code
        ).where(Address.postal_code != "")
    )
    report = RefreshReport()
    # (folded name, council) -> postcode points, address count, spellings
    points: dict[tuple[str, str | None], dict[str, Place]] = defaultdict(dict)
    counts: Counter[tuple[str, str | None]] = Counter()
    spellings: dict[tuple[str, str | None], Counter[str]] = defaultdict(Counter)
    located: dict[str, Place | None] = {}
    for address_1, address_2, city, region, postal_code in rows:
        report.addresses += 1
        if postal_code not in located:
            located[postal_code] = gazetteer.postcode(postal_code)
        place = located[postal_code]
        if place is None:
            continue
        for text in address_names(address_1, address_2, city, region):
            key = (fold_name(text), place.la_code)
            points[key][place.name] = place
            counts[key] += 1
            spellings[key][text] += 1
    for key, found in points.items():
        middle = Place(
            "town",
            _display(spellings[key]),
            round(statistics.median(p.latitude for p in found.values()), 5),
            round(statistics.median(p.longitude for p in found.values()), 5),
            key[1],
        )
        spread = sorted(rough_km(middle, p) for p in found.values())
        if spread[max(0, math.ceil(0.8 * len(spread)) - 1)] > MAX_SPREAD_KM:
            report.too_spread.append(middle.name)
            continue
        report.names.append(
            PlaceName(
                name=middle.name[:100],
                folded=key[0][:100],
                la_code=key[1],
                latitude=middle.latitude,
                longitude=middle.longitude,
                postcodes=len(found),
                addresses=counts[key],
            )
        )
    return report


def latest_listing_seq(session: Session) -> int:
    from directory.listings.models import ListingChange

    return int(session.scalar(select(func.max(ListingChange.seq))) or 0)


def _ensure_refresh_row(session: Session) -> None:
    """Create the refresh row if it is missing, without a race: when several workers start on
    a new database and refresh at once, a plain insert by each made all but the first fail
    with a duplicate key (seen by the soak). ``ON CONFLICT DO NOTHING`` waits for the first
    and then does nothing; the ``FOR UPDATE`` after it makes the others take turns."""
    if session.get(PlaceNameRefresh, 1) is not None:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    row = {"id": 1, "listing_seq": 0, "names": 0, "refreshed_at": utcnow()}
    session.execute(insert(PlaceNameRefresh).values(**row).on_conflict_do_nothing())


def refresh_place_names(session: Session, gazetteer: Gazetteer) -> RefreshReport:
    """Rebuild ``place_name`` from the addresses; the caller commits (it owns the unit of
    work). The refresh row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite has one
    writer anyway), so two processes refreshing at once take turns instead of writing the
    names twice: commit soon."""
    _ensure_refresh_row(session)
    state = session.scalars(
        select(PlaceNameRefresh).where(PlaceNameRefresh.id == 1).with_for_update()
    ).one()
    seq = latest_listing_seq(session)
    report = collect_place_names(session, gazetteer)
    report.listing_seq = seq
    session.execute(delete(PlaceName))
    session.add_all(report.names)
    state.listing_seq, state.names, state.refreshed_at = seq, len(report.names), utcnow()
    return report


def load_entries(session: Session) -> list[NamedPlace]:
    """The saved names as index entries for the gazetteer."""
    return [
        NamedPlace(
            Place(
                "town",
                row.name,
                row.latitude,
                row.longitude,
                row.la_code,
                country_part_of(row.la_code),
            ),
            PlaceInfo("locality", "", "listings"),
            (row.folded,),
        )
        for row in session.scalars(select(PlaceName).order_by(PlaceName.id))
    ]


_lock = threading.Lock()
_next_check: dict[int, float] = {}


def sync(
    open_session: Callable[[], AbstractContextManager[Session]],
    gazetteer: Gazetteer,
    every_seconds: float = 30.0,
) -> None:
    """Bring the saved names up to date with the listings, and this gazetteer up to date
    with the saved names; at most once every ``every_seconds`` per gazetteer. Never raises:
    a database problem is logged and place search goes on with the names it has."""
    key = id(gazetteer)
    now = time.monotonic()
    if now < _next_check.get(key, 0.0) or not _lock.acquire(blocking=False):
        return
    try:
        _next_check[key] = now + every_seconds
        with open_session() as session:
            try:
                state = session.get(PlaceNameRefresh, 1)
                if state is None or state.listing_seq < latest_listing_seq(session):
                    with unit_of_work(session, PLACE_NAMES_ACTOR):
                        refresh_place_names(session, gazetteer)
                    state = session.get(PlaceNameRefresh, 1)
                version = (state.listing_seq, state.refreshed_at) if state else None
                if version != gazetteer.listing_version:
                    gazetteer.set_listing_places(load_entries(session), version)
            except SQLAlchemyError as exc:
                session.rollback()
                log.warning("Place names from listings not refreshed: %s", type(exc).__name__)
    finally:
        _lock.release()
