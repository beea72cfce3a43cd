"""schema.org ``Service`` data for a service page, so search engines and assistants can answer
"when is it open" and "where is it" from the listing itself.

The description is given as plain text (feeds often send HTML) and every link passes
:func:`~directory.listings.links.safe_url`, so a ``javascript:`` address stored by any route
never reaches a consumer as the service's ``url``.

The result goes inside ``<script type="application/ld+json">``. It is data, never run, but an
HTML parser still ends the element at ``</script>``, so ``<``, ``>`` and ``&`` are written as
JSON unicode escapes: the text stays valid JSON and cannot close the element.
"""

from __future__ import annotations

import json
from typing import Any

from directory.listings.html import html_to_text
from directory.listings.links import safe_email, safe_url
from directory.listings.opening_rules import parse_rule
from directory.models import Location, Schedule, Service

SCHEMA_DAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def service_json_ld(service: Service, page_url: str | None = None) -> str:
    """The service as schema.org JSON-LD text, safe to place inside a script element."""
    return dumps_for_script(service_data(service, page_url))


def dumps_for_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def service_data(service: Service, page_url: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Service"}
    if page_url:
        data["@id"] = page_url
    data["name"] = service.name
    _put(data, "alternateName", service.alternate_name)
    _put(data, "description", html_to_text(service.description))
    _put(data, "url", safe_url(service.url))
    org = service.organization
    if org is not None:
        provider: dict[str, Any] = {"@type": "Organization", "name": org.name}
        _put(provider, "url", safe_url(org.website))
        _put(provider, "email", safe_email(org.email))
        data["provider"] = provider
    areas = [
        {"@type": "AdministrativeArea", "name": area.name or area.extent}
        for area in service.service_areas
        if area.name or area.extent
    ]
    if areas:
        data["areaServed"] = areas
    hours = opening_hours(service.schedules)
    if hours:
        data["hoursAvailable"] = hours
    channels = _channels(service)
    if channels:
        data["availableChannel"] = channels
    return data


def opening_hours(schedules: list[Schedule]) -> list[dict[str, Any]]:
    """Weekly schedules with known times as ``OpeningHoursSpecification``; other patterns
    (fortnightly, monthly) have no schema.org form and are left to the page's words."""
    specs = []
    for schedule in schedules:
        rule = parse_rule(schedule)
        if rule is None or rule.freq != "WEEKLY" or rule.interval != 1 or rule.opens is None:
            continue
        spec: dict[str, Any] = {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [f"https://schema.org/{SCHEMA_DAYS[d.weekday]}" for d in rule.days],
            "opens": rule.opens.strftime("%H:%M:%S"),
        }
        if rule.closes is not None:
            spec["closes"] = rule.closes.strftime("%H:%M:%S")
        if rule.first:
            spec["validFrom"] = rule.first.isoformat()
        if rule.last:
            spec["validThrough"] = rule.last.isoformat()
        specs.append(spec)
    return specs


def _channels(service: Service) -> list[dict[str, Any]]:
    channels = []
    for sal in service.service_at_locations:
        channels.append({"@type": "ServiceChannel", "serviceLocation": place_data(sal.location)})
    for contact in service.contacts:
        for phone in contact.phones:
            if phone.number:
                point: dict[str, Any] = {"@type": "ContactPoint", "telephone": phone.number}
                _put(point, "name", contact.name)
                _put(point, "email", safe_email(contact.email))
                channels.append({"@type": "ServiceChannel", "servicePhone": point})
    url = safe_url(service.url)
    if url:
        channels.append({"@type": "ServiceChannel", "serviceUrl": url})
    return channels


def place_data(location: Location) -> dict[str, Any]:
    place: dict[str, Any] = {"@type": "Place"}
    _put(place, "name", location.name)
    for address in location.addresses[:1]:
        postal: dict[str, Any] = {"@type": "PostalAddress"}
        street = ", ".join(p for p in (address.address_1, address.address_2) if p)
        _put(postal, "streetAddress", street)
        _put(postal, "addressLocality", address.city)
        _put(postal, "addressRegion", address.state_province)
        _put(postal, "postalCode", address.postal_code)
        _put(postal, "addressCountry", address.country)
        place["address"] = postal
    if location.latitude is not None and location.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    return place


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        target[key] = value
