"""Coordinates for locations from their postcode, so distance search works for every venue.

Most directory records give an address but no latitude and longitude. The offline gazetteer
answers a full postcode exactly and, for a postcode too new or too old to be in it, the centre
of its outcode ("CH1"). An online geocoder (geopy, e.g. Nominatim) is consulted only when the
``ONLINE_GEOCODER`` setting names one and the offline look-up found nothing: it is off by
default because production and tests have no network, and a slow remote call should never be
needed to save a record.

A ``before_flush`` listener (installed by :mod:`directory.listeners`) fills in missing
coordinates whenever a location is saved, from a form, the API or an import. Supplied
coordinates are never overwritten; coordinates we derived ourselves (``geocode_source`` set)
are derived again when the postcode changes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from directory.core.events import listen_once
from directory.places.gazetteer import Gazetteer, GazetteerMissing, get_gazetteer
from directory.places.models import Address, Location
from directory.places.postcodes import normalise_outcode, normalise_postcode, outcode_of

log = logging.getLogger(__name__)

_warned_missing: set[str] = set()


@dataclass(frozen=True)
class GeocodeResult:
    latitude: float
    longitude: float
    source: str  # "postcode", "outcode" or the online service's name


class Geocoder:
    """Postcode to coordinates: the offline gazetteer first, then (if configured) online."""

    def __init__(self, gazetteer_path: str | Path | None = None, online: str | None = None):
        self.gazetteer_path = gazetteer_path
        self.online = (online or "").strip().lower() or None
        self._online_client: Any = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Geocoder:
        return cls(config.get("GAZETTEER_PATH"), config.get("ONLINE_GEOCODER"))

    def gazetteer(self) -> Gazetteer | None:
        """The gazetteer, or None (with one warning per process) while it is not built."""
        try:
            return get_gazetteer(self.gazetteer_path)
        except GazetteerMissing as exc:
            key = str(exc.path)
            if key not in _warned_missing:
                _warned_missing.add(key)
                log.warning("Geocoding from postcodes is off: %s", exc)
            return None

    def postcode(self, text: str | None) -> GeocodeResult | None:
        """Coordinates for a postcode (or a bare outcode), or None if it is not known."""
        if not text:
            return None
        gazetteer = self.gazetteer()
        if gazetteer is None:
            return None
        full = normalise_postcode(text)
        if full is not None:
            place = gazetteer.postcode(full)
            if place is not None:
                return GeocodeResult(place.latitude, place.longitude, "postcode")
        outcode = outcode_of(full) if full else normalise_outcode(text)
        if outcode is not None:
            place = gazetteer.outcode(outcode)
            if place is not None:
                return GeocodeResult(place.latitude, place.longitude, "outcode")
        return None

    def lookup(
        self, postal_code: str | None, address_1: str | None = None, city: str | None = None
    ) -> GeocodeResult | None:
        """Coordinates for an address: its postcode offline, else the online service if set."""
        found = self.postcode(postal_code)
        if found is None and self.online:
            found = self._online_lookup(address_1, city, postal_code)
        return found

    def _online_lookup(self, *parts: str | None) -> GeocodeResult | None:
        query = ", ".join(p.strip() for p in parts if p and p.strip())
        if not query:
            return None
        try:
            if self._online_client is None:
                from geopy.geocoders import get_geocoder_for_service

                service = get_geocoder_for_service(self.online)
                self._online_client = service(user_agent="community-directory", timeout=5)
            found = self._online_client.geocode(query, country_codes="gb")
        except Exception as exc:  # any geopy, network or configuration failure
            log.warning("Online geocoder %s failed for %r: %s", self.online, query, exc)
            return None
        if found is None:
            return None
        return GeocodeResult(found.latitude, found.longitude, self.online[:32])


def valid_coordinates(latitude: Any, longitude: Any) -> bool:
    """True for a real point on Earth (the ORUK example's 100, 101 is not)."""
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return False
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return False
    return -90 <= latitude <= 90 and -180 <= longitude <= 180 and (latitude, longitude) != (0, 0)


def geocode_location(location: Location, geocoder: Geocoder) -> GeocodeResult | None:
    """Coordinates for a location from the first of its addresses that gives any."""
    for address in location.addresses:
        found = geocoder.lookup(address.postal_code, address.address_1, address.city)
        if found is not None:
            return found
    return None


def current_geocoder() -> Geocoder:
    """A geocoder from the Flask app's config, or the defaults outside an app."""
    from flask import current_app, has_app_context

    if has_app_context():
        return Geocoder.from_config(current_app.config)
    return Geocoder()


def _postcode_changed(address: Address) -> bool:
    return inspect(address).attrs.postal_code.history.has_changes()


def _locations_to_check(session: Session) -> set[Location]:
    found: set[Location] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Location):
            found.add(obj)
        elif isinstance(obj, Address) and obj.location is not None and _postcode_changed(obj):
            found.add(obj.location)
    return {loc for loc in found if loc not in session.deleted}


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("skip_geocoding"):
        return
    geocoder: Geocoder | None = None
    with session.no_autoflush:
        for location in _locations_to_check(session):
            missing = location.latitude is None or location.longitude is None
            derived_and_moved = location.geocode_source is not None and any(
                _postcode_changed(a) for a in location.addresses
            )
            if not (missing or derived_and_moved) or not location.addresses:
                continue
            geocoder = geocoder or current_geocoder()
            found = geocode_location(location, geocoder)
            if found is None:
                if missing and location.postcode:
                    log.warning(
                        "No coordinates for location %s: postcode %r is not known",
                        location.id,
                        location.postcode,
                    )
                continue
            location.latitude, location.longitude = found.latitude, found.longitude
            location.geocode_source = found.source


def install(session_factory: Any) -> None:
    """Register the listener once on ``session_factory``, ahead of the change-tracking hook so
    its log sees the new coordinates (called by :func:`directory.listeners.install`)."""
    listen_once(session_factory, "before_flush", _before_flush, insert=True)
