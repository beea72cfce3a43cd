# ruff: noqa: E501 -- the place and service tables read best as one row per line.
"""Realistic test data: whole ORUK services in Cheshire West and Chester, built in one call.

Every builder takes a ``Session``, adds what it makes, flushes (so ids are set and the
change-tracking hook has run) and never commits: commit when your test is ready. Keyword
overrides replace the realistic defaults; anything not named below is set as a plain attribute
on the record, so ``make_service(session, fees="£2 a session")`` works.

* :func:`make_taxonomy` (idempotent per database) gives a small needs taxonomy with a parent /
  child / grandchild chain and a client-group taxonomy; look terms up by name with
  :func:`term`.
* :func:`make_organization`, :func:`make_location` (from a key of :data:`PLACES`: real
  postcodes with their ONSPD coordinates) and :func:`make_service`.
* :func:`make_directory` builds 36 public services plus a draft, a pending and a closed one:
  enough for first, middle and last pages and for every API filter to have a right answer.

Phone numbers are Ofcom's drama range (01632 960xxx) and addresses on real streets but with
made-up house names, so nothing here points at a real person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.ids import new_id
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Funding,
    Language,
    ListingStatus,
    Location,
    LocationKind,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

CHESHIRE_WEST = "E06000050"
CHESHIRE_EAST = "E06000049"


@dataclass(frozen=True)
class Venue:
    name: str
    street: str
    town: str
    postcode: str
    latitude: float
    longitude: float
    kind: LocationKind = LocationKind.VENUE


#: Real postcodes (ONSPD November 2025 centroids); every one is in Cheshire West and Chester
#: except ``crewe``, which is in Cheshire East.
PLACES: dict[str, Venue] = {
    "chester": Venue("Chester Town Hall", "Northgate Street", "Chester", "CH1 2HJ", 53.19174, -2.89272),
    "chester_library": Venue("Storyhouse", "Hunter Street", "Chester", "CH1 2AR", 53.19239, -2.89325),
    "blacon": Venue("Blacon Community Hub", "Western Avenue", "Chester", "CH1 5BE", 53.20532, -2.91506, LocationKind.COMMUNITY_HUB),
    "hoole": Venue("Hoole Community Centre", "Westminster Road", "Chester", "CH2 3AE", 53.19712, -2.87817),
    "upton": Venue("Upton Village Hall", "Heath Road", "Chester", "CH2 2DD", 53.20761, -2.8881),
    "boughton": Venue("Boughton Heath Church Hall", "Chester Road", "Chester", "CH3 5AA", 53.19257, -2.85526),
    "ellesmere_port": Venue("Ellesmere Port Library", "Civic Way", "Ellesmere Port", "CH65 1AE", 53.29689, -2.91813, LocationKind.LETS_TALK),
    "whitby": Venue("Whitby Hall", "Stanney Lane", "Ellesmere Port", "CH65 2AH", 53.28786, -2.89467),
    "neston": Venue("Neston Civic Hall", "Leighton Road", "Neston", "CH64 3RL", 53.29906, -3.06732),
    "northwich": Venue("Northwich Memorial Court", "Chester Way", "Northwich", "CW9 5AA", 53.26134, -2.5087, LocationKind.COMMUNITY_HUB),
    "winsford": Venue("Winsford Lifestyle Centre", "The Drumber", "Winsford", "CW7 1AA", 53.19016, -2.52451),
    "tarporley": Venue("Tarporley Community Centre", "Park Road", "Tarporley", "CW6 9AA", 53.16225, -2.64323),
    "crewe": Venue("Crewe Lifestyle Centre", "Moss Square", "Crewe", "CW1 2BJ", 53.09846, -2.43945),
}  # fmt: skip

#: Needs taxonomy: name -> parent name. "Loneliness and isolation" has a child with a child, so
#: "this term or any descendant" has something to find two levels down.
NEED_TERMS: dict[str, str | None] = {
    "Health and wellbeing": None,
    "Loneliness and isolation": "Health and wellbeing",
    "Befriending": "Loneliness and isolation",
    "Telephone befriending": "Befriending",
    "Mental health": "Health and wellbeing",
    "Money": None,
    "Debt advice": "Money",
    "Food": "Money",
    "Family": None,
    "Parenting support": "Family",
}
CLIENT_GROUP_TERMS: dict[str, str | None] = {
    "Older people": None,
    "Young people": None,
    "Carers": None,
}
#: Attached to locations rather than services.
VENUE_TERMS: dict[str, str | None] = {
    "Step-free access": None,
    "Hearing loop": None,
    "Free parking": None,
}
NEEDS_TAXONOMY = "Community needs"
CLIENT_GROUPS_TAXONOMY = "Who the service is for"
VENUE_TAXONOMY = "Venue facilities"
TAXONOMIES = {
    NEEDS_TAXONOMY: NEED_TERMS,
    CLIENT_GROUPS_TAXONOMY: CLIENT_GROUP_TERMS,
    VENUE_TAXONOMY: VENUE_TERMS,
}

_SYNONYMS = {
    "Loneliness and isolation": (["lonely", "lonley", "isolated"], ["nobody ever visits me"]),
    "Debt advice": (["skint", "arrears", "bills"], ["i cannot pay my rent"]),
    "Food": (["food bank", "hungry"], ["no food in the house"]),
}


def make_taxonomy(session: Session) -> dict[str, TaxonomyTerm]:
    """The three taxonomies and their terms, created once per database; terms by name."""
    existing = {t.name: t for t in session.scalars(select(TaxonomyTerm))}
    if all(name in existing for terms in TAXONOMIES.values() for name in terms):
        return existing
    for taxonomy_name, terms in TAXONOMIES.items():
        taxonomy = Taxonomy(
            name=taxonomy_name,
            description=f"{taxonomy_name}: the directory's own vocabulary.",
            uri=f"https://example.org/taxonomy/{taxonomy_name.lower().replace(' ', '-')}",
            version="1.0",
        )
        session.add(taxonomy)
        session.flush()
        for name, parent in terms.items():
            synonyms, phrases = _SYNONYMS.get(name, ([], []))
            term = TaxonomyTerm(
                name=name,
                description=f"Services that help with {name.lower()}.",
                taxonomy=taxonomy_name,
                taxonomy_obj=taxonomy,
                term=name.lower().replace(" ", "-"),
                parent_id=existing[parent].id if parent else None,
                synonyms=list(synonyms),
                phrases=list(phrases),
            )
            session.add(term)
            session.flush()
            existing[name] = term
    return existing


def term(session: Session, name: str) -> TaxonomyTerm:
    """A term of the test taxonomies by name (creating the taxonomies if needed)."""
    return make_taxonomy(session)[name]


def _apply(record: Any, overrides: dict[str, Any]) -> None:
    for key, value in overrides.items():
        if not hasattr(type(record), key):
            raise TypeError(f"{type(record).__name__} has no field {key!r}")
        setattr(record, key, value)


def make_organization(
    session: Session, name: str = "Cheshire Community Action", **overrides: Any
) -> Organization:
    """A charity with a Charity Commission number and a website."""
    slug = slugify(name)
    org = Organization(
        name=name,
        description=f"{name} is a local charity working across Cheshire West and Chester.",
        email=f"hello@{slug}.example.org",
        website=f"https://{slug}.example.org/",
    )
    org.identifiers.append(
        OrganizationIdentifier(
            identifier_scheme="GB-CHC",
            identifier_type="Charity number",
            identifier=str(1_100_000 + len(name) * 977 % 99_999),
        )
    )
    _apply(org, overrides)
    session.add(org)
    session.flush()
    return org


def make_location(session: Session, place: str = "chester", **overrides: Any) -> Location:
    """A geocoded venue with its address and a step-free access note."""
    location = _location(place, make_taxonomy(session), overrides)
    session.add(location)
    session.flush()
    return location


def _location(place: str, terms: dict[str, TaxonomyTerm], overrides: dict[str, Any]) -> Location:
    venue = PLACES[place]
    location = Location(
        id=new_id(),
        name=venue.name,
        description=f"{venue.name}, {venue.town}.",
        latitude=venue.latitude,
        longitude=venue.longitude,
        kind=venue.kind,
        geocode_source="postcode",
    )
    location.addresses.append(
        Address(
            address_1=f"{venue.name}, {venue.street}",
            city=venue.town,
            state_province="Cheshire",
            postal_code=venue.postcode,
            country="GB",
            address_type="physical",
        )
    )
    location.accessibility.append(
        Accessibility(
            description="Step-free access", details="Level entrance and accessible toilet."
        )
    )
    for facility in ("Step-free access", "Hearing loop"):
        location.attributes.append(
            Attribute(link_id=location.id, taxonomy_term=terms[facility], link_type="facility")
        )
    _apply(location, overrides)
    return location


def _time(value: str | time | None) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) else value


def _schedule(spec: dict[str, Any]) -> Schedule:
    spec = dict(spec)
    spec.setdefault("freq", "WEEKLY")
    spec.setdefault("interval", 1)
    spec.setdefault("byday", "TU")
    spec.setdefault("opens_at", "10:00")
    spec.setdefault("closes_at", "12:00")
    spec.setdefault("timezone", "Europe/London")
    spec["opens_at"], spec["closes_at"] = _time(spec["opens_at"]), _time(spec["closes_at"])
    spec.setdefault(
        "description", f"Every {spec['byday']} {spec['opens_at']:%H:%M}-{spec['closes_at']:%H:%M}"
    )
    return Schedule(**spec)


@dataclass
class ServiceSpec:
    """The nested parts :func:`make_service` builds, separated from plain service fields."""

    organization: Organization | None = None
    places: tuple[str, ...] = ("chester",)
    schedules: list[dict[str, Any]] = field(default_factory=lambda: [{}])
    needs: tuple[str, ...] = ("Befriending",)
    client_groups: tuple[str, ...] = ("Older people",)
    service_areas: tuple[str, ...] = (CHESHIRE_WEST,)
    phone: str = "01632 960001"
    cost: tuple[str, float | None] = ("Free", 0.0)


_SPEC_FIELDS = set(ServiceSpec.__dataclass_fields__)


def make_service(
    session: Session, name: str = "Tuesday Friendship Club", **overrides: Any
) -> Service:
    """A complete public service: organisation, locations, schedules, contact, cost, area, needs.

    Nested parts: ``organization`` (an :class:`Organization`, default a new one), ``places``
    (keys of :data:`PLACES`, one location each; ``()`` for an online-only service),
    ``schedules`` (dicts of :class:`Schedule` fields with times as "HH:MM"; add
    ``"at": <place key>`` to tie one to that location), ``needs`` and ``client_groups`` (term
    names), ``service_areas`` (ONS codes), ``phone`` and ``cost`` ((option, amount)). Everything
    else is a :class:`Service` field, e.g. ``listing_status``, ``minimum_age``, ``last_modified``.
    """
    spec = ServiceSpec(**{k: overrides.pop(k) for k in list(overrides) if k in _SPEC_FIELDS})
    terms = make_taxonomy(session)
    org = spec.organization or make_organization(session)
    slug = slugify(name)
    service = Service(
        # Set now, not at flush: attributes need it as link_id before the first flush.
        id=new_id(),
        name=name,
        organization=org,
        description=f"{name}: a friendly, free session run by volunteers. Just turn up.",
        url=f"https://{slug}.example.org/",
        email=f"{slug}@example.org",
        status="active",
        listing_status=ListingStatus.ACTIVE,
        application_process="Drop in, or phone first if it is your first visit.",
        eligibility_description="Anyone living in Cheshire West and Chester.",
        delivery_modes=["in_person"] if spec.places else ["phone"],
        assured_date=date(2025, 9, 1),
        assurer_email="listings@example.org",
    )
    _apply(service, overrides)
    session.add(service)
    sals = {}
    for key in spec.places:
        sal = ServiceAtLocation(description=f"At {PLACES[key].name}")
        service.service_at_locations.append(sal)
        sal.location = _location(key, terms, {})
        sals[key] = sal
    for schedule_spec in spec.schedules:
        schedule_spec = dict(schedule_spec)
        at = schedule_spec.pop("at", None)
        schedule = _schedule(schedule_spec)
        service.schedules.append(schedule)
        if at is not None:
            sals[at].schedules.append(schedule)
    for code in spec.service_areas:
        area_name = "Cheshire West and Chester" if code == CHESHIRE_WEST else code
        service.service_areas.append(
            ServiceArea(name=area_name, extent=code, extent_type="local_authority")
        )
    contact = Contact(
        name="Volunteer coordinator", title="Coordinator", email=f"{slug}@example.org"
    )
    contact.phones.append(Phone(number=spec.phone, description="Weekdays 9am to 5pm"))
    service.contacts.append(contact)
    option, amount = spec.cost
    service.cost_options.append(CostOption(option=option, amount=amount, amount_description=option))
    service.languages.append(Language(name="English", code="en"))
    service.funding.append(Funding(source="Cheshire West and Chester Council community grant"))
    for link_type, names in (("need", spec.needs), ("client_group", spec.client_groups)):
        for term_name in names:
            service.attributes.append(
                Attribute(link_id=service.id, taxonomy_term=terms[term_name], link_type=link_type)
            )
    session.flush()
    return service


def _at(day: int) -> datetime:
    return datetime(2025, 1, day, 9, 0, tzinfo=UTC)


# (name, place, needs, client groups, ages, day, opens, closes, last modified)
_DIRECTORY: list[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple, str, str, str, int]] = [
    ("Blacon Friendship Café", "blacon", ("Befriending",), ("Older people",), (50, None), "TU", "10:00", "12:00", 2),
    ("Blacon Food Bank", "blacon", ("Food",), (), (None, None), "FR", "12:00", "15:00", 3),
    ("Boughton Toddler Group", "boughton", ("Parenting support",), (), (0, 4), "WE", "09:30", "11:30", 4),
    ("Chester Carers Drop-in", "chester", ("Mental health",), ("Carers",), (18, None), "TH", "13:00", "16:00", 5),
    ("Chester Debt Advice Clinic", "chester", ("Debt advice",), (), (18, None), "MO", "09:00", "17:00", 6),
    ("Chester Walking Football", "chester_library", ("Loneliness and isolation",), ("Older people",), (50, None), "SA", "10:00", "11:30", 7),
    ("Ellesmere Port Lunch Club", "ellesmere_port", ("Befriending", "Food"), ("Older people",), (60, None), "WE", "12:00", "14:00", 8),
    ("Ellesmere Port Money Matters", "ellesmere_port", ("Debt advice",), (), (16, None), "TU", "09:00", "13:00", 9),
    ("Ellesmere Port Youth Zone", "whitby", ("Mental health",), ("Young people",), (11, 19), "FR", "18:00", "21:00", 10),
    ("Hoole Community Pantry", "hoole", ("Food",), (), (None, None), "TH", "10:00", "12:00", 11),
    ("Hoole Knit and Natter", "hoole", ("Loneliness and isolation",), ("Older people",), (None, None), "MO", "14:00", "16:00", 12),
    ("Hoole Parents' Coffee Morning", "hoole", ("Parenting support",), (), (16, None), "TH", "09:30", "11:00", 13),
    ("Neston Men's Shed", "neston", ("Loneliness and isolation",), (), (18, None), "WE", "10:00", "15:00", 14),
    ("Neston Memory Café", "neston", ("Befriending",), ("Older people", "Carers"), (None, None), "MO", "13:30", "15:30", 15),
    ("Northwich Community Fridge", "northwich", ("Food",), (), (None, None), "SA", "11:00", "13:00", 16),
    ("Northwich Debt Line", "northwich", ("Debt advice",), (), (18, None), "MO,TU,WE,TH,FR", "09:00", "17:00", 17),
    ("Northwich Young Carers", "northwich", ("Mental health",), ("Young people", "Carers"), (8, 17), "TU", "16:00", "18:00", 18),
    ("Tarporley Good Neighbours", "tarporley", ("Befriending",), ("Older people",), (65, None), "TH", "10:00", "12:00", 19),
    ("Tarporley Youth Club", "tarporley", ("Mental health",), ("Young people",), (11, 18), "WE", "18:30", "20:30", 20),
    ("Upton Bereavement Group", "upton", ("Mental health",), (), (18, None), "2TU", "19:00", "21:00", 21),
    ("Upton Baby Massage", "upton", ("Parenting support",), (), (0, 1), "FR", "10:00", "11:00", 22),
    ("Whitby Warm Space", "whitby", ("Loneliness and isolation",), (), (None, None), "MO,WE,FR", "10:00", "16:00", 23),
    ("Winsford Cook and Eat", "winsford", ("Food",), (), (16, None), "TU", "12:30", "14:30", 24),
    ("Winsford Dads' Group", "winsford", ("Parenting support",), (), (18, None), "SA", "09:00", "11:00", 25),
    ("Winsford Evening Helpline", "winsford", ("Telephone befriending",), ("Older people",), (None, None), "MO,TU,WE,TH,FR,SA,SU", "22:00", "02:00", 26),
    ("Winsford Talking Therapies", "winsford", ("Mental health",), (), (16, 64), "WE", "09:00", "17:00", 27),
]  # fmt: skip


@dataclass
class Directory:
    """What :func:`make_directory` built, for assertions by name."""

    services: dict[str, Service]
    hidden: dict[ListingStatus, Service]
    terms: dict[str, TaxonomyTerm]

    @property
    def public(self) -> list[Service]:
        return sorted(self.services.values(), key=lambda s: (s.name, s.id))


def make_directory(session: Session) -> Directory:
    """38 public services: the 26 listed above, 10 Chester befriending schemes, a Cheshire East
    service and a phone-only one; plus a draft, a pending and a closed listing that must never
    show.

    Each listed service has one weekly session at its location; ages are None where the
    service has no limit; last_modified is 9am on the given day of January 2025.
    """
    terms = make_taxonomy(session)
    charity = make_organization(session, "Cheshire Community Action")
    council = make_organization(
        session,
        "Cheshire West and Chester Council",
        description="The unitary authority for Chester, Ellesmere Port, Northwich and Winsford.",
        identifiers=[
            OrganizationIdentifier(
                identifier_scheme="GB-LAE",
                identifier_type="Local authority code",
                identifier="CHW",
            )
        ],
    )
    services: dict[str, Service] = {}
    for index, row in enumerate(_DIRECTORY):
        name, place, needs, groups, (low, high), day, opens, closes, modified = row
        services[name] = make_service(
            session,
            name,
            organization=council if "Debt" in name or "Money" in name else charity,
            places=(place,),
            needs=needs,
            client_groups=groups,
            minimum_age=low,
            maximum_age=high,
            schedules=[{"byday": day, "opens_at": opens, "closes_at": closes, "at": place}],
            last_modified=_at(modified),
            phone=f"01632 960{index:03d}",
        )
    for n in range(1, 11):
        name = f"Chester Befriending Scheme {n:02d}"
        services[name] = make_service(
            session,
            name,
            organization=charity,
            places=("chester",),
            needs=("Befriending",),
            client_groups=("Older people",),
            schedules=[{"byday": "SU", "opens_at": "14:00", "closes_at": "16:00"}],
            last_modified=_at(1),
            phone=f"01632 960{100 + n:03d}",
        )
    services["Crewe Carers Hub"] = make_service(
        session,
        "Crewe Carers Hub",
        organization=charity,
        places=("crewe",),
        needs=("Mental health",),
        client_groups=("Carers",),
        service_areas=(CHESHIRE_EAST,),
        last_modified=_at(28),
    )
    services["Silver Line Chester"] = make_service(
        session,
        "Silver Line Chester",
        organization=charity,
        places=(),
        needs=("Telephone befriending",),
        schedules=[{"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "08:00", "closes_at": "20:00"}],
        last_modified=_at(29),
    )
    hidden = {
        status: make_service(
            session,
            f"Hidden {status.value} befriending",
            organization=charity,
            listing_status=status,
            places=("chester",),
            needs=("Befriending",),
        )
        for status in (ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.CLOSED)
    }
    return Directory(services=services, hidden=hidden, terms=terms)
