"""Write checked, canonical records into the database, changing only what differs.

"Re-importing the same file changes nothing" is the rule everything here serves: a value is
assigned only when it differs from the stored one, nested items are matched by id, and nested
lists in a record replace the stored ones (items not in the file are removed) only when the
record has that list at all. Our ``x_`` extension fields and ``last_modified`` are left alone
when a record does not carry them, so a plain ORUK file from elsewhere does not reset them.

Organisations, locations and taxonomy terms are shared by many services: each occurrence
updates the one stored row, and taxonomy terms nested in attributes only update the fields they
carry (they are usually a summary of the term; the taxonomy file is the full record).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON as JSONType
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from directory.listings.cleaning import Issues
from directory.listings.location_kinds import infer_kind_on_import
from directory.listings.models import (
    Contact,
    CostOption,
    Funding,
    Language,
    ListingStatus,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
)
from directory.listings.records import ENTITIES, JSON, RecordError
from directory.places.geocode import Geocoder
from directory.places.models import (
    Accessibility,
    Address,
    Location,
    LocationKind,
    ServiceAtLocation,
)
from directory.places.postcodes import is_postcode
from directory.taxonomy.models import Attribute, Taxonomy, TaxonomyTerm

MODELS: dict[str, type] = {
    "service": Service,
    "organization": Organization,
    "organization_identifier": OrganizationIdentifier,
    "schedule": Schedule,
    "service_area": ServiceArea,
    "language": Language,
    "funding": Funding,
    "cost_option": CostOption,
    "contact": Contact,
    "phone": Phone,
    "service_at_location": ServiceAtLocation,
    "location": Location,
    "address": Address,
    "accessibility": Accessibility,
    "attribute": Attribute,
    "taxonomy_term": TaxonomyTerm,
    "taxonomy": Taxonomy,
}
_ATTRS = {
    "x_listing_status": "listing_status",
    "x_demonstration": "is_demonstration",
    "x_data_notes": "data_notes",
    "x_delivery_modes": "delivery_modes",
    "x_referral": "referral",
    "x_kind": "kind",
    "x_synonyms": "synonyms",
    "x_phrases": "phrases",
}
#: JSON field -> model attribute, where they differ (read by the length checks too).
FIELD_ATTRIBUTES = _ATTRS
#: Keys set through relationships or by the writer itself, not copied as plain values.
_LINKS = {
    "service_id", "contact_id", "organization_id", "link_id", "link_entity",
    "taxonomy_term_id", "service_at_location_id", "taxonomy_id", "location_id",
    "latitude", "longitude",
}  # fmt: skip
_PYTHON: dict[str, Callable[[Any], Any]] = {
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "time": time.fromisoformat,
    "number": float,
    "listing_status": ListingStatus,
    "location_kind": LocationKind,
}
_STATUS_RANK = {"unchanged": 0, "updated": 1, "created": 2}
_SHARED = (Organization, Location, Taxonomy, TaxonomyTerm)


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, datetime) and isinstance(new, datetime):
        return abs((current - new).total_seconds()) < 0.001
    if isinstance(current, float | int) and isinstance(new, float | int):
        return abs(current - new) < 1e-9
    return bool(current == new)


def _empty(obj: Any, attr: str) -> Any:
    """The value a NOT NULL column takes when the record has none."""
    column = inspect(type(obj)).columns[attr]
    if column.nullable:
        return None
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    return [] if isinstance(column.type, JSONType) else ""


class Writer:
    """Applies records for one import run; ``statuses`` says what happened to each row."""

    def __init__(self, session: Session, geocoder: Geocoder) -> None:
        self.session = session
        self.geocoder = geocoder
        self.statuses: dict[tuple[str, str], str] = {}
        self._record_statuses: dict[tuple[str, str], str] = {}
        self._pending: dict[tuple[type, str], Any] = {}
        #: Ids known not to be stored (see :meth:`expect`).
        self._absent: dict[type, set[str]] = {}
        #: Rows many records share (organisations, places, terms), held so that each later
        #: record finds them without a query (the session only holds clean rows weakly).
        self._shared: dict[tuple[type, str], Any] = {}
        self.issues = Issues()

    def start_record(self, issues: Issues) -> None:
        """Begin one record: what it creates is only counted once :meth:`finish_record` runs
        (a record rolled back to its savepoint leaves no trace in the counts)."""
        self._pending.clear()
        self._record_statuses = {}
        self.issues = issues

    def finish_record(self) -> None:
        for key, status in self._record_statuses.items():
            if _STATUS_RANK[status] >= _STATUS_RANK[self.statuses.get(key, "unchanged")]:
                self.statuses[key] = status
        for (model, ident), obj in self._pending.items():
            if model in _SHARED:
                self._shared[(model, ident)] = obj

    def forget_shared(self) -> None:
        """The transaction was rolled back: objects kept from it are no longer valid."""
        self._shared.clear()
        self._absent.clear()

    def expect(self, ids_by_kind: dict[str, set[str]]) -> None:
        """Look up at once which of the ids a batch will write are not stored yet, so that
        creating each needs no SELECT of its own (an 800-service feed spent a quarter of its
        time asking one by one for rows that did not exist)."""
        for kind, ids in ids_by_kind.items():
            model = MODELS[kind]
            wanted = sorted(ids)
            found: set[str] = set()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(self.session.scalars(select(model.id).where(model.id.in_(chunk))))
            self._absent.setdefault(model, set()).update(ids - found)

    def _get(self, model: type, ident: str) -> Any:
        pending = self._pending.get((model, ident)) or self._shared.get((model, ident))
        if pending is not None:
            return pending
        if ident in self._absent.get(model, ()):
            return None
        return self.session.get(model, ident)

    def _get_or_new(self, kind: str, ident: str) -> tuple[Any, bool]:
        model = MODELS[kind]
        obj = self._get(model, ident)
        if obj is not None:
            return obj, False
        obj = model(id=ident)
        self._pending[(model, ident)] = obj
        self._absent.get(model, set()).discard(ident)
        self.session.add(obj)
        return obj, True

    def note(self, kind: str, ident: str, created: bool, changed: bool) -> str:
        status = "created" if created else "updated" if changed else "unchanged"
        key = (kind, ident)
        if _STATUS_RANK[status] >= _STATUS_RANK[self._record_statuses.get(key, "unchanged")]:
            self._record_statuses[key] = status
        return status

    def _set(self, obj: Any, attr: str, value: Any) -> bool:
        if _same(getattr(obj, attr), value):
            return False
        setattr(obj, attr, value)
        return True

    def _fields(self, kind: str, obj: Any, data: JSON, partial: bool = False) -> bool:
        changed = False
        for key, field_kind in ENTITIES[kind].fields.items():
            attr = _ATTRS.get(key, key)
            if key == "id" or key in _LINKS or not hasattr(type(obj), attr):
                continue
            if key not in data and (partial or key.startswith("x_") or key == "last_modified"):
                continue
            value = data.get(key)
            if value is None:
                if key == "last_modified":
                    continue
                value = _empty(obj, attr)
            elif field_kind in _PYTHON:
                value = _PYTHON[field_kind](value)
            elif isinstance(value, str):
                value = self._fit(kind, obj, key, attr, value)
            changed |= self._set(obj, attr, value)
        return changed

    def _fit(self, kind: str, obj: Any, key: str, attr: str, value: str) -> Any:
        """Text longer than its column is an error for a required field, else left out."""
        length = getattr(inspect(type(obj)).columns[attr].type, "length", None)
        if length is None or len(value) <= length:
            return value
        message = f"{key} is longer than {length} characters"
        if key in ENTITIES[kind].required:
            raise RecordError(f"{kind} {obj.id}: {message}")
        self.issues.warn(f"{kind} {obj.id}: {message}; left out")
        return _empty(obj, attr)

    def _sync(
        self,
        kind: str,
        collection: list[Any],
        items: list[JSON],
        apply: Callable[[Any, JSON], bool | None],
    ) -> bool:
        """Make ``collection`` hold exactly ``items`` (by id), each applied with ``apply``."""
        changed = False
        current = {obj.id: obj for obj in collection}
        wanted: set[str] = set()
        for item in items:
            obj = current.get(item["id"])
            if obj is None:
                obj, created = self._get_or_new(kind, item["id"])
                if apply(obj, item) is None:
                    if created:
                        self.session.expunge(obj)
                        self._pending.pop((type(obj), obj.id), None)
                    continue
                collection.append(obj)
                changed = True
            else:
                result = apply(obj, item)
                if result is None:
                    continue
                changed |= result
            wanted.add(obj.id)
        for obj in list(collection):
            if obj.id not in wanted:
                collection.remove(obj)
                # Deleted explicitly (not left to delete-orphan at flush time) so that the
                # change-tracking hook, which runs before the flush, logs the deletion.
                if inspect(obj).persistent:
                    self.session.delete(obj)
                changed = True
        return changed

    def _plain(self, kind: str) -> Callable[[Any, JSON], bool]:
        return lambda obj, item: self._fields(kind, obj, item)

    # -- shared records ------------------------------------------------------------------

    def organization(self, data: JSON) -> str:
        organization, created = self._get_or_new("organization", data["id"])
        changed = self._fields("organization", organization, data)
        if "organization_identifiers" in data:

            def identifier(item: OrganizationIdentifier, values: JSON) -> bool:
                # Set now, not at flush: the change hook looks services up by this column and
                # a None would match every service that has no organisation.
                changed = self._set(item, "organization_id", organization.id)
                return self._fields("organization_identifier", item, values) or changed

            changed |= self._sync(
                "organization_identifier",
                organization.identifiers,
                data["organization_identifiers"],
                identifier,
            )
        if "attributes" in data:
            changed |= self._attributes(organization, "organization", data["attributes"])
        self.note("organization", organization.id, created, changed)
        return organization.id

    def location(self, data: JSON) -> str:
        location, created = self._get_or_new("location", data["id"])
        changed = self._fields("location", location, data)
        if "addresses" in data:
            changed |= self._sync(
                "address", location.addresses, data["addresses"], self._plain("address")
            )
        if "accessibility" in data:
            changed |= self._sync(
                "accessibility",
                location.accessibility,
                data["accessibility"],
                self._plain("accessibility"),
            )
        if "attributes" in data:
            changed |= self._attributes(location, "location", data["attributes"])
        changed |= infer_kind_on_import(self.session, location, data, created)
        changed |= self._coordinates(location, data, created)
        self.note("location", location.id, created, changed)
        return location.id

    def _coordinates(self, location: Location, data: JSON, created: bool) -> bool:
        """Coordinates from the record when it has them, otherwise from the postcode.

        Supplied coordinates that match the stored ones keep their ``geocode_source``, so
        re-importing our own export (which carries derived coordinates) changes nothing.
        """
        lat, lon = data.get("latitude"), data.get("longitude")
        if lat is not None and lon is not None:
            moved = not (_same(location.latitude, lat) and _same(location.longitude, lon))
            changed = self._set(location, "latitude", float(lat))
            changed |= self._set(location, "longitude", float(lon))
            if moved or created:
                changed |= self._set(location, "geocode_source", None)
            return changed
        if location.location_type == "virtual" or location.kind == LocationKind.VIRTUAL:
            found = None
        else:
            found = self._geocode(location)
        changed = self._set(location, "latitude", found.latitude if found else None)
        changed |= self._set(location, "longitude", found.longitude if found else None)
        return self._set(location, "geocode_source", found.source if found else None) or changed

    def _geocode(self, location: Location) -> Any:
        postcodes = [a.postal_code for a in location.addresses if is_postcode(a.postal_code)]
        for address in location.addresses:
            found = self.geocoder.lookup(address.postal_code, address.address_1, address.city)
            if found is not None:
                if found.source == "outcode":
                    self.issues.warn(
                        f"location {location.id}: postcode {address.postal_code} is not known; "
                        "placed at the centre of its outcode"
                    )
                return found
        if postcodes and self.geocoder.gazetteer() is not None:
            self.issues.warn(
                f"location {location.id}: postcode {postcodes[0]} is not a known UK postcode; "
                "no coordinates"
            )
        return None

    def _attributes(
        self,
        owner: Any,
        entity: str,
        items: list[JSON],
        scope: Callable[[Attribute], bool] | None = None,
    ) -> bool:
        """Make the owner's attributes match ``items``; with ``scope``, only the attributes it
        selects (source terms are synced apart from curated links, so neither list of a
        record removes the other's)."""

        def apply(attribute: Attribute, item: JSON) -> bool | None:
            term = None
            if item.get("taxonomy_term"):
                term = self.taxonomy_term(item["taxonomy_term"], partial=True)
            elif item.get("taxonomy_term_id"):
                term = self._get(TaxonomyTerm, item["taxonomy_term_id"])
            if term is None:
                self.issues.warn(f"attribute {item['id']}: taxonomy term not known; left out")
                return None
            changed = self._fields("attribute", attribute, item)
            changed |= self._set(attribute, "link_id", owner.id)
            changed |= self._set(attribute, "link_entity", entity)
            if attribute.taxonomy_term is not term:
                attribute.taxonomy_term = term
                changed = True
            return changed

        if scope is None:
            return self._sync("attribute", owner.attributes, items, apply)
        subset = [a for a in owner.attributes if scope(a)]
        before = list(subset)
        changed = self._sync("attribute", subset, items, apply)
        for attribute in before:
            if attribute not in subset:
                owner.attributes.remove(attribute)
        for attribute in subset:
            if attribute not in before:
                owner.attributes.append(attribute)
        return changed

    def taxonomy_term(self, data: JSON, partial: bool = False) -> TaxonomyTerm:
        """A term; its taxonomy link changes only when the record names one (ORUK term
        records often give the taxonomy's name in ``taxonomy`` instead)."""
        term, created = self._get_or_new("taxonomy_term", data["id"])
        changed = self._fields("taxonomy_term", term, data, partial=partial and not created)
        taxonomy_id = data.get("taxonomy_id")
        if taxonomy_id and self._get(Taxonomy, taxonomy_id) is None:
            self.issues.warn(
                f"taxonomy_term {term.id}: taxonomy {taxonomy_id} is not known; left out"
            )
        elif "taxonomy_id" in data:
            changed |= self._set(term, "taxonomy_id", taxonomy_id)
        self.note("taxonomy_term", term.id, created, changed)
        return term

    def taxonomy(self, data: JSON) -> str:
        """A taxonomy and the terms it lists. Terms missing from the list are kept: services
        may still be linked to them, and a vocabulary is only ever added to by a file."""
        taxonomy, created = self._get_or_new("taxonomy", data["id"])
        changed = self._fields("taxonomy", taxonomy, data)
        status = self.note("taxonomy", taxonomy.id, created, changed)
        for term in data.get("taxonomy_terms") or []:
            self.taxonomy_term({**term, "taxonomy_id": term.get("taxonomy_id") or taxonomy.id})
        return status
