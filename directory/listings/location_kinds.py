"""What kind of place a location is (venue, community hub, Let's Talk site, online), read from
the words a feed gives it, and the rule for when an import may decide it.

Feeds from elsewhere never carry our ``x_kind`` key, so without this every real hub arrived as
an ordinary venue and ``/hubs`` listed only demonstration hubs. The words are conservative on
purpose: a wrong "hub" puts a place on a public list of places to drop in to, while a missed
one only leaves it where it was, so anything unclear stays a venue and an editor can change
it (``flask --app wsgi places set-kind``; see ``docs/hubs-and-lets-talk.md``).

Who decides, strongest first: an explicit ``x_kind`` in the record; then an editor (an
existing location's kind is never touched by inference, so a kind set by hand survives every
re-import); then these words, once, when an import creates the location.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.places.models import Location, LocationKind, ServiceAtLocation

_TAG = re.compile(r"<[^>]*>")
#: The ways an apostrophe is typed: straight, curly (both), backtick, acute accent.
_APOSTROPHES = "'\u2018\u2019`\u00b4"
#: "Let's Talk" however the apostrophe is typed, or with none.
_LETS_TALK = re.compile(rf"\blet[{_APOSTROPHES}]?s\s+talk\b", re.IGNORECASE)
_HUB = re.compile(r"\bhub\b", re.IGNORECASE)
#: "hub" in senses that are not a community hub: networks, transport, software, data.
_NOT_A_HUB = re.compile(
    r"\bhub[\s-]+(?:and|&)[\s-]+spokes?\b"
    r"|\b(?:transport|travel|bus|rail|railway|train|transit|interchange|logistics|freight"
    r"|distribution|data|usb|network|wifi|wi-fi|smart|innovation|business|enterprise"
    r"|tech|technology|digital\s+innovation)\s+hub\b",
    re.IGNORECASE,
)
#: In a service's name or a description a hub must be named as one ("community hub", "a hub
#: at ...", "Worcestershire Carers Hub", a service called "Blacon community sports hub"), not
#: mentioned in passing ("ask about our digital hub sessions").
_NAMED_HUB = re.compile(
    r"(?i:\bcommunity\s+hubs?\b|\bhubs?\s+(?:at|in|based\s+at)\b)"
    rf"|\b[A-Z][\w{_APOSTROPHES}]*\s+Hub\b"
)
_SERVICE_HUB = re.compile(_NAMED_HUB.pattern + r"|(?i:\bhub\s*$)")
#: An online "place": a video or phone room, a web address, or a name that says so. "UK
#: online centre" and "Online Centre" are real rooms with computers, so "online" in the middle
#: of a name is not enough ("Let's Talk Online" is online; "Blacon Online Centre" is not).
_VIRTUAL_NAME = re.compile(
    r"^\s*(?:online|virtual|remote|zoom|microsoft\s+teams|ms\s+teams|teams|google\s+meet"
    r"|skype|video\s+call|video|webinar|web\s*chat|telephone|phone|by\s+phone|livestream)"
    r"(?:\s*(?:\(.*\)|[-:,].*|only|meeting|session|sessions|room|call|group|chat))?\s*$"
    r"|^\s*(?:https?://|www\.)\S+\s*$"
    r"|\bonline\s*$|\b(?:online|virtual)\s+only\b|\bonline[\s-]only\b|\((?:online|virtual)\)"
    r"|\b(?:held|runs?|meets?|takes\s+place)\s+(?:online|virtually)\b"
    r"|\bvia\s+(?:zoom|teams|microsoft\s+teams|google\s+meet|video\s+call)\b",
    re.IGNORECASE,
)
_VIRTUAL_TEXT = re.compile(
    r"\b(?:online|virtual)[\s-]only\b|\bno\s+physical\s+(?:address|venue|location)\b"
    r"|\b(?:virtual|online)\s+(?:location|venue)\b|\b(?:held|runs?|meets?)\s+online\s+only\b",
    re.IGNORECASE,
)


def plain_text(value: str | None) -> str:
    """Words of a possibly-HTML field, tags dropped and entities read (``&amp;`` -> ``&``)."""
    if not value:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def _is_hub(text: str, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(_NOT_A_HUB.sub(" ", text)))


def infer_location_kind(
    name: str | None,
    description: str | None,
    service_names: Iterable[str | None] = (),
    *,
    location_type: str | None = None,
    address_lines: Iterable[str | None] = (),
) -> LocationKind | None:
    """The kind of place these words describe, or None when they say nothing either way.

    Online first: a place you cannot walk in to is never put on a list of places to drop in
    to, whatever else its name says. Then the place's own name, then the names of the services
    held there, then its description; within each, Let's Talk before hub ("Let's Talk at
    Winsford Hub" is a Let's Talk site). A place's name may call it a hub however it likes
    ("The Hub", "Blacon Community Hub"); a service's name must be a hub's name ("West Cheshire
    Autism Hub", "Blacon community sports hub") and a description must name one ("community
    hub", "an autism hub at ..."). Never a hub: "hub-and-spoke network", "Hubbard Road",
    "HubSpot", "transport hub".
    """
    name_text = plain_text(name)
    about = plain_text(description)
    addresses = [plain_text(line) for line in address_lines]
    if (location_type or "").strip().lower() == "virtual":
        return LocationKind.VIRTUAL
    if any(_VIRTUAL_NAME.search(text) for text in (name_text, *addresses) if text):
        return LocationKind.VIRTUAL
    if _VIRTUAL_TEXT.search(about):
        return LocationKind.VIRTUAL
    services = [plain_text(s) for s in service_names if s]
    for texts, hub in (([name_text], _HUB), (services, _SERVICE_HUB), ([about], _NAMED_HUB)):
        if any(_LETS_TALK.search(text) for text in texts):
            return LocationKind.LETS_TALK
        if any(_is_hub(text, hub) for text in texts):
            return LocationKind.COMMUNITY_HUB
    return None


def kind_from_words(location: Location, service_names: Iterable[str | None] = ()) -> LocationKind:
    """What the location's own words (and its services' names) make it; a venue by default."""
    return (
        infer_location_kind(
            location.name,
            location.description,
            service_names,
            location_type=location.location_type,
            address_lines=[
                line
                for address in location.addresses
                for line in (address.address_1, address.address_2, address.city)
            ],
        )
        or LocationKind.VENUE
    )


def _names_nearby(session: Session, location: Location) -> list[str | None]:
    """Names of the services this location is held for: those already linked to it and those
    the import is writing now. The importer writes one record at a time without autoflush and
    flushes it at the end, so the session's new services are the ones in this record (a
    service record's locations are written from inside it)."""
    from directory.listings.models import Service

    linked = [sal.service.name for sal in location.service_at_locations if sal.service]
    return linked + [obj.name for obj in session.new if isinstance(obj, Service)]


def infer_kind_on_import(
    session: Session, location: Location, data: Mapping[str, Any], created: bool
) -> bool:
    """Give a location its kind from its words when the import is creating it and the record
    carries no ``x_kind``; True when that changed the stored value.

    Only a new location is decided here. An existing one keeps the kind it has, however it got
    it (an earlier import, an explicit ``x_kind`` or an editor), so an editor's choice is never
    undone by the next scheduled import and no column is needed to tell the two apart. A place
    a feed renames into a hub later is found by ``flask --app wsgi places suggest-kinds``.
    """
    if not created or "x_kind" in data:
        return False
    kind = kind_from_words(location, _names_nearby(session, location))
    if location.kind == kind:
        return False
    location.kind = kind
    return True


#: Who the change log says made a change, so a later look can tell an editor's choice apart.
SET_BY_EDITOR = Actor.system("places-set-kind")
SET_BY_SUGGESTION = Actor.system("places-suggest-kinds")


class KindError(ValueError):
    """A kind or location that cannot be used; the message says what to do instead."""


def parse_kind(value: str) -> LocationKind:
    """A kind from what someone typed: "community_hub", "community hub", "Lets-Talk"."""
    key = "_".join(re.sub(f"[{_APOSTROPHES}]", "", value).strip().lower().replace("-", " ").split())
    try:
        return LocationKind(key)
    except ValueError:
        choices = ", ".join(kind.value for kind in LocationKind)
        raise KindError(f"{value!r} is not a kind of place; use one of: {choices}.") from None


def set_location_kind(
    session: Session, location_id: str, kind: LocationKind | str, *, who: Actor = SET_BY_EDITOR
) -> list[Location]:
    """Make a place a venue, community hub, Let's Talk site or online place, and commit.

    Every record of the same place changes together (same kind, name and postcode: see
    :mod:`directory.public.place_groups`); otherwise the records would stop being one place
    and the hub's page would lose the services listed on the others. The change log records
    ``who``, so ``suggest-kinds`` never undoes it. Raises :class:`KindError` for an unknown
    location or kind, before anything is changed."""
    from directory.public.place_groups import place_of

    wanted = parse_kind(kind) if isinstance(kind, str) else kind
    location = session.get(Location, (location_id or "").strip())
    if location is None:
        raise KindError(f"There is no location with the id {location_id!r}.")
    records = [session.get(Location, i) for i in place_of(session, location).ids]
    _commit_kinds(session, [(record, wanted) for record in records], who)
    return records


def hand_set_ids(session: Session) -> set[str]:
    """Locations whose kind someone changed after they were created (the change log keeps
    every field change with who made it): an editor, or a feed's explicit ``x_kind``."""
    from directory.listings.models import ChangeRecord

    rows = session.scalars(
        select(ChangeRecord.resource_id).where(
            ChangeRecord.resource_type == "location", ChangeRecord.field_name == "kind"
        )
    )
    return set(rows)


def kind_suggestions(session: Session) -> list[tuple[Location, LocationKind, bool]]:
    """Locations whose words (name, description, address, the names of the services held
    there) say they are a hub, a Let's Talk site or online while they are stored as something
    else: ``(location, suggested kind, kind set by hand)``, by name. Only ever a suggestion to
    become one of those three: nothing is suggested back down to a venue."""
    locations = session.scalars(
        select(Location)
        .options(
            selectinload(Location.addresses),
            selectinload(Location.service_at_locations).selectinload(ServiceAtLocation.service),
        )
        .order_by(Location.name, Location.id)
    )
    hand_set = hand_set_ids(session)
    found = []
    for location in locations:
        names = [sal.service.name for sal in location.service_at_locations if sal.service]
        suggested = kind_from_words(location, names)
        if suggested != LocationKind.VENUE and suggested != location.kind:
            found.append((location, suggested, location.id in hand_set))
    return found


def apply_suggestions(session: Session) -> list[tuple[Location, LocationKind]]:
    """Take every suggestion for a location still stored as a venue whose kind nobody has
    set by hand, and commit: the way to catch up a directory imported before kinds were read
    from the words, or a venue a feed has since renamed into a hub."""
    changed = [
        (location, kind)
        for location, kind, hand_set in kind_suggestions(session)
        if not hand_set and location.kind == LocationKind.VENUE
    ]
    _commit_kinds(session, changed, SET_BY_SUGGESTION)
    return changed


def _commit_kinds(
    session: Session, changes: list[tuple[Location, LocationKind]], who: Actor
) -> None:
    """Set and commit as one unit of work, with ``who`` in the change log."""
    with unit_of_work(session, who):
        for location, kind in changes:
            location.kind = kind
