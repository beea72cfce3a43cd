"""Turning public listings into search documents.

A service offered at several places gives one document per place (``service_at_location``),
so a search near Ellesmere Port finds the Ellesmere Port session and shows its distance. A
service reached without going anywhere (phone, online, outreach, or with no venue at all) also
gets one "area" document carrying the ONS codes of the local authorities it covers. Only
ACTIVE listings are indexed: ``documents_for_services`` returns an empty list for a service
that is not public (any more), which tells the store to delete it.

A service counts as free when every cost option is zero or says free, or when it has no cost
options and its fees text is empty or says free ("Free", "No charge", "None").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.listings import opening
from directory.models import (
    ListingStatus,
    Location,
    LocationKind,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from search_index.geo import cell_terms
from search_index.schema import COORD_SCALE, NATIONAL, age_bands_for, encode_hours, weighted
from search_index.vocabulary import Vocabulary, terms_from_rows

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer

REMOTE_MODES = ("phone", "online")
SUMMARY_CHARS = 1500
_FREE = re.compile(r"^\s*(?:free|no charge|no cost|none|nil|n/a|£?0(?:\.00)?)\b", re.I)
_NATIONAL_EXTENTS = ("national", "country", "uk", "england")
_SCHEDULE_FIELDS = (
    "freq", "interval", "byday", "bymonthday", "byweekno", "byyearday", "count", "wkst",
    "dtstart", "until", "valid_from", "valid_to", "opens_at", "closes_at", "timezone",
    "description", "notes",
)  # fmt: skip


def is_free(service: Service) -> bool:
    """See the module docstring for the rule."""
    if service.cost_options:
        return all(
            option.amount == 0
            if option.amount is not None
            else bool(_FREE.match(option.option or option.amount_description or ""))
            for option in service.cost_options
        )
    fees = (service.fees or "").strip()
    return not fees or bool(_FREE.match(fees))


def last_checked(service: Service) -> date | None:
    """When someone last confirmed the listing: the assured date, else the last edit."""
    if service.assured_date:
        return service.assured_date
    return service.last_modified.date() if service.last_modified else None


def schedule_dict(schedule: Schedule) -> dict[str, Any]:
    """The parts of a schedule ``directory.listings.opening`` reads, as plain JSON values."""
    out = {}
    for name in _SCHEDULE_FIELDS:
        value = getattr(schedule, name)
        if value is not None and value != "":
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _area_codes(service: Service) -> set[str]:
    codes = set()
    for area in service.service_areas:
        kind = (area.extent_type or "").strip().lower()
        extent = (area.extent or "").strip()
        if kind == "local_authority" and extent:
            codes.add(extent.upper())
        elif kind in _NATIONAL_EXTENTS:
            codes.add(NATIONAL)
    return codes


def _hours_fields(schedules: list[Any], today: date) -> dict[str, Any]:
    signature = opening.weekly_signature(schedules, today)
    intervals = [
        (d * 1440 + lo, d * 1440 + hi) for d, spans in signature.items() for lo, hi in spans
    ]
    flags = []
    texts = [t for s in schedules for t in (s.get("description"), s.get("notes"))]
    if opening.text_says_closed_on_bank_holidays(*texts):
        flags.append("bank_holiday_closed")
    days = sorted(opening.open_weekdays(schedules, today))
    return {"hours": encode_hours(intervals), "day": " ".join(map(str, days)), "flags": flags}


class DocumentBuilder:
    """Builds documents with the taxonomy (for ancestors, labels and synonyms) loaded once."""

    def __init__(self, session: Session, gazetteer: Gazetteer | None = None) -> None:
        rows = session.execute(select(TaxonomyTerm)).scalars().all()
        self.vocab = Vocabulary.build(terms_from_rows(rows))
        self.gazetteer = gazetteer if gazetteer is not None else _gazetteer()
        self.today = datetime.now(UTC).date()

    def documents(self, service: Service) -> list[dict[str, Any]]:
        if service.listing_status != ListingStatus.ACTIVE:
            return []
        common = self._common(service)
        docs = []
        for sal in service.service_at_locations:
            location = sal.location
            if location is None or location.kind == LocationKind.VIRTUAL:
                continue
            docs.append(self._venue(service, sal, location, common))
        modes = set(service.delivery_modes or ())
        if not docs or modes & set(REMOTE_MODES):
            docs.append(self._area(service, common))
        return docs

    def _common(self, service: Service) -> dict[str, Any]:
        vocab = self.vocab
        links = [(a.link_type or "need", a.taxonomy_term_id) for a in service.attributes]
        needs = list(dict.fromkeys(t for kind, t in links if kind == "need"))
        groups = list(dict.fromkeys(t for kind, t in links if kind == "client_group"))
        need_tree = list(dict.fromkeys(a for t in needs for a in vocab.ancestors(t)))
        group_tree = list(dict.fromkeys(a for t in groups for a in vocab.ancestors(t)))
        parents = [t for t in need_tree if t not in needs]
        synonyms = [s for t in needs + groups if t in vocab.terms for s in vocab.terms[t].synonyms]
        org = service.organization
        checked = last_checked(service)
        flags = ["free"] if is_free(service) else []
        if service.is_demonstration or (org is not None and org.is_demonstration):
            flags.append("demo")
        return {
            "need_labels": [vocab.label(t) for t in needs],
            "need": " ".join(need_tree),
            "group": " ".join(group_tree),
            "parent_labels": [vocab.label(t) for t in parents],
            "group_labels": [vocab.label(t) for t in groups],
            "synonyms": synonyms,
            "org_name": org.name if org else "",
            "org_id": org.id if org else None,
            "areas": _area_codes(service),
            "modes": [m for m in service.delivery_modes or () if isinstance(m, str)],
            "flags": flags,
            "checked": checked,
            "age_band": " ".join(
                age_bands_for(_age(service.minimum_age), _age(service.maximum_age))
            ),
            "service_schedules": [
                schedule_dict(s) for s in service.schedules if s.service_at_location_id is None
            ],
        }

    def _document(
        self,
        service: Service,
        common: dict[str, Any],
        *,
        doc_id: str,
        kind: str,
        schedules: list[dict[str, Any]],
        place_text: str = "",
        extra_text: str = "",
    ) -> dict[str, Any]:
        description = " ".join(
            t for t in (service.description, extra_text, service.alternate_name) if t
        )
        need_text = ". ".join(
            common["need_labels"] + common["parent_labels"] + common["group_labels"]
        )
        synonyms = ". ".join(common["synonyms"])
        hours = _hours_fields(schedules, self.today)
        min_age, max_age = _age(service.minimum_age), _age(service.maximum_age)
        checked = common["checked"]
        doc: dict[str, Any] = {
            "doc_id": doc_id,
            "service_id": service.id,
            "service_key": service.id.encode("utf-8"),
            "kind": kind,
            "name": service.name or "",
            "organisation": common["org_name"],
            "description": description,
            "needs_text": f"{need_text}. {synonyms}",
            "all": weighted(
                [
                    ("name", service.name or ""),
                    ("alternate_name", service.alternate_name or ""),
                    ("organisation", common["org_name"]),
                    ("description", " ".join(t for t in (service.description, extra_text) if t)),
                    ("eligibility", service.eligibility_description or ""),
                    ("need", ". ".join(common["need_labels"])),
                    ("parent_need", ". ".join(common["parent_labels"] + common["group_labels"])),
                    ("synonym", synonyms),
                    ("place", place_text),
                ]
            ),
            "spell": " ".join(
                [
                    service.name or "",
                    common["org_name"],
                    description,
                    need_text,
                    synonyms,
                    place_text,
                ]
            ),
            "group": common["group"],
            "need": common["need"],
            "mode": " ".join(common["modes"]),
            "flag": " ".join(common["flags"] + hours["flags"]),
            "day": hours["day"],
            "age_band": common["age_band"],
            "hours": hours["hours"],
            "checked": checked.toordinal() if checked else 0,
            "row": {
                "service_id": service.id,
                "name": service.name or "",
                "organisation_name": common["org_name"],
                "organisation_id": common["org_id"],
                "summary": (service.description or "")[:SUMMARY_CHARS],
                "modes": common["modes"],
                "free": "free" in common["flags"],
                "needs": common["need_labels"],
                "checked": checked.isoformat() if checked else None,
                "demo": "demo" in common["flags"],
                "schedules": schedules,
            },
        }
        if min_age is not None:
            doc["age_min"] = min_age
        if max_age is not None:
            doc["age_max"] = max_age
        return doc

    def _venue(
        self, service: Service, sal: ServiceAtLocation, location: Location, common: dict[str, Any]
    ) -> dict[str, Any]:
        postcode = location.postcode
        address = location.addresses[0] if location.addresses else None
        lat, lon = location.latitude, location.longitude
        areas = set(common["areas"])
        place = self.gazetteer.postcode(postcode) if self.gazetteer and postcode else None
        if place is not None:
            areas |= self.gazetteer.authorities_containing(place)
            if lat is None or lon is None:
                lat, lon = place.latitude, place.longitude
        own = [schedule_dict(s) for s in sal.schedules]
        place_text = " ".join(
            t for t in (location.name, address.city if address else None, postcode) if t
        )
        doc = self._document(
            service,
            common,
            doc_id=f"{service.id}:{sal.id}",
            kind="venue",
            schedules=own or common["service_schedules"],
            place_text=place_text,
            extra_text=sal.description or "",
        )
        doc["area"] = " ".join(sorted(areas))
        doc["sal_key"] = sal.id.encode("utf-8")
        doc["row"].update(
            sal_id=sal.id,
            location_id=location.id,
            location_name=location.name,
            location_kind=str(location.kind.value) if location.kind else None,
            postcode=postcode,
            lat=lat,
            lon=lon,
        )
        if lat is not None and lon is not None:
            doc["lat"] = round(lat * COORD_SCALE)
            doc["lon"] = round(lon * COORD_SCALE)
            doc["cell"] = " ".join(cell_terms(lat, lon))
        return doc

    def _area(self, service: Service, common: dict[str, Any]) -> dict[str, Any]:
        doc = self._document(
            service,
            common,
            doc_id=f"{service.id}:area",
            kind="area",
            schedules=common["service_schedules"],
        )
        doc["area"] = " ".join(sorted(common["areas"]))
        doc["row"].update(sal_id=None, location_id=None, location_name=None, location_kind=None)
        doc["row"].update(postcode=None, lat=None, lon=None)
        return doc


def _distinct_words(*texts: str | None) -> str:
    """Each word once: the spelling field only records which words exist."""
    return " ".join(dict.fromkeys(w for t in texts if t for w in t.split()))


def _age(value: float | None) -> int | None:
    if value is None:
        return None
    return max(0, min(255, round(value)))


def _gazetteer() -> Gazetteer | None:
    from directory.places.gazetteer import GazetteerError, get_gazetteer

    try:
        return get_gazetteer()
    except GazetteerError:
        return None


def _load(session: Session, ids: list[str]) -> list[Service]:
    sal = selectinload(Service.service_at_locations)
    query = (
        select(Service)
        .where(Service.id.in_(ids))
        .options(
            sal.selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
            sal.selectinload(ServiceAtLocation.schedules),
            selectinload(Service.schedules),
            selectinload(Service.service_areas),
            selectinload(Service.cost_options),
            selectinload(Service.attributes),
        )
    )
    return list(session.execute(query).scalars().unique())


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def documents_for_services(
    session: Session, service_ids: Iterable[str], *, gazetteer: Gazetteer | None = None
) -> dict[str, list[dict[str, Any]]]:
    """service id -> its documents; an empty list for a service that is not public (or gone)."""
    ids = list(dict.fromkeys(service_ids))
    out: dict[str, list[dict[str, Any]]] = {service_id: [] for service_id in ids}
    if not ids:
        return out
    builder = DocumentBuilder(session, gazetteer)
    for chunk in _chunks(ids, 500):
        for service in _load(session, chunk):
            out[service.id] = builder.documents(service)
    return out


def iter_all_documents(
    session: Session, batch_size: int = 500, *, gazetteer: Gazetteer | None = None
) -> Iterator[dict[str, Any]]:
    """Every document of every public listing, loading ``batch_size`` services at a time.

    Loaded objects are expunged after each batch so a full rebuild's memory stays flat; pass
    a session used for nothing else.
    """
    builder = DocumentBuilder(session, gazetteer)
    ids = list(
        session.execute(
            select(Service.id)
            .where(Service.listing_status == ListingStatus.ACTIVE)
            .order_by(Service.id)
        ).scalars()
    )
    for chunk in _chunks(ids, batch_size):
        services = _load(session, chunk)
        for service in services:
            yield from builder.documents(service)
        session.expunge_all()


def build_memory_index(session: Session, *, gazetteer: Gazetteer | None = None):
    """A complete index held in memory: for tests, tools and measuring relevance. The web
    app's on-disk index is managed by ``search_index.store``."""
    from whoosh.filedb.filestore import RamStorage

    from search_index.schema import build_schema

    index = RamStorage().create_index(build_schema())
    with index.writer() as writer:
        for document in iter_all_documents(session, gazetteer=gazetteer):
            writer.add_document(**document)
    return index
