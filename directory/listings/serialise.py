"""Turn models into ORUK 3.0 JSON, the one shape used by the API, the export and the tests.

Values that are unknown are left out rather than sent as ``null``: the ORUK schemas type most
fields as plain strings, so a ``null`` would fail validation in every consuming system. Our own
additions use the ``x_`` prefix (and HSDS 3.0 core names where one exists) so that consumers who
only know the UK profile can ignore them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from directory.listings.duplicates.serialise import possible_duplicates_json
from directory.listings.links import safe_url
from directory.listings.models import (
    Contact,
    CostOption,
    Funding,
    Language,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
)
from directory.places.models import Accessibility, Address, Location, ServiceAtLocation
from directory.taxonomy.models import Attribute, Taxonomy, TaxonomyTerm

JSON = dict[str, Any]


def iso_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` and milliseconds, as in the ORUK examples."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: Fields holding a web address: only http(s) ones are served, whatever reached the database
#: (imports already refuse others; this is the last line, as ``safe_url`` is on the pages).
URL_FIELDS = frozenset({"url", "website", "logo", "uri", "schedule_link", "term_uri"})


def _pick(obj: Any, fields: tuple[str, ...], **renamed: str) -> JSON:
    out: JSON = {}
    for field in fields:
        value = getattr(obj, renamed.get(field, field))
        if field in URL_FIELDS and value is not None:
            value = safe_url(value)
        if value is None or (value == "" and field not in {"description"}):
            continue
        out[field] = _value(value)
    return out


def taxonomy_term_json(term: TaxonomyTerm) -> JSON:
    return _pick(
        term,
        ("id", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "term_uri", "term"),
    ) | ({"description": term.description or ""})


def taxonomy_term_full_json(term: TaxonomyTerm) -> JSON:
    """A term with our search vocabulary, for the taxonomy endpoints and the export."""
    out = taxonomy_term_json(term)
    if term.synonyms:
        out["x_synonyms"] = list(term.synonyms)
    if term.phrases:
        out["x_phrases"] = list(term.phrases)
    return out


def taxonomy_json(taxonomy: Taxonomy) -> JSON:
    out = _pick(taxonomy, ("id", "name", "description", "uri", "version"))
    out["description"] = taxonomy.description or ""
    return out


def attribute_json(attribute: Attribute) -> JSON:
    out = _pick(attribute, ("id", "link_id", "link_type", "taxonomy_term_id", "link_entity"))
    out["taxonomy_term"] = taxonomy_term_json(attribute.taxonomy_term)
    return out


def organization_json(org: Organization, *, full: bool = True) -> JSON:
    out = _pick(
        org,
        ("id", "name", "description", "email", "website", "logo", "uri", "parent_organization_id"),
    )
    out["description"] = org.description or ""
    if full:
        out["organization_identifiers"] = [identifier_json(i) for i in org.identifiers]
        out["attributes"] = [attribute_json(a) for a in org.attributes]
        out["x_demonstration"] = bool(org.is_demonstration)
    return out


def identifier_json(identifier: OrganizationIdentifier) -> JSON:
    return _pick(
        identifier,
        ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    )


def address_json(address: Address) -> JSON:
    return _pick(
        address,
        (
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    ) | {
        # Required by the schema even where a UK address has no county.
        "address_1": address.address_1 or "",
        "city": address.city or "",
        "state_province": address.state_province or "",
        "postal_code": address.postal_code or "",
        "country": address.country or "GB",
        "address_type": address.address_type or "physical",
    }


def accessibility_json(item: Accessibility) -> JSON:
    out = _pick(item, ("id", "location_id", "description", "details", "url"))
    if item.description:
        out["accessibility"] = item.description
    return out


def location_json(location: Location, *, full: bool = True) -> JSON:
    out = _pick(
        location,
        (
            "id",
            "location_type",
            "name",
            "description",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
    )
    out["location_type"] = location.location_type or "physical"
    out["x_kind"] = location.kind.value
    if full:
        out["addresses"] = [address_json(a) for a in location.addresses]
        out["accessibility"] = [accessibility_json(a) for a in location.accessibility]
        out["attributes"] = [attribute_json(a) for a in location.attributes]
    return out


def schedule_json(schedule: Schedule) -> JSON:
    return _pick(
        schedule,
        (
            "id",
            "service_id",
            "service_at_location_id",
            "location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ),
    )


def service_area_json(area: ServiceArea) -> JSON:
    out = _pick(area, ("id", "service_id", "name", "extent", "extent_type", "uri"))
    if area.name:
        out["service_area"] = area.name
    return out


def language_json(language: Language) -> JSON:
    return _pick(language, ("id", "service_id", "phone_id", "name", "code", "note"))


def funding_json(funding: Funding) -> JSON:
    return _pick(funding, ("id", "service_id", "source"))


def cost_option_json(cost: CostOption) -> JSON:
    return _pick(
        cost,
        ("id", "service_id", "valid_from", "valid_to", "option", "amount", "amount_description"),
    )


def phone_json(phone: Phone) -> JSON:
    return _pick(phone, ("id", "contact_id", "number", "extension", "type", "description"))


def contact_json(contact: Contact) -> JSON:
    out = _pick(contact, ("id", "service_id", "name", "title", "email"))
    out["phones"] = [phone_json(p) for p in contact.phones]
    return out


_SERVICE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "accreditations",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "last_modified",
)


def _service_extensions(service: Service) -> JSON:
    out = _pick(service, ("alternate_name", "application_process", "eligibility_description"))
    out["x_listing_status"] = service.listing_status.value
    out["x_demonstration"] = bool(service.is_demonstration)
    out["x_delivery_modes"] = list(service.delivery_modes or [])
    if service.data_notes:
        out["x_data_notes"] = service.data_notes
    if service.referral:
        out["x_referral"] = service.referral
    return out


def service_list_json(service: Service) -> JSON:
    """The one-to-one fields of a service, for ``/api/services`` pages."""
    out = _pick(service, _SERVICE_FIELDS)
    if service.organization is not None:
        out["organization"] = organization_json(service.organization, full=False)
    return out | _service_extensions(service)


def service_json(service: Service) -> JSON:
    """A fully nested service, for ``/api/services/{id}`` and the export."""
    out = _pick(service, _SERVICE_FIELDS)
    out["schedules"] = [schedule_json(s) for s in service.schedules]
    out["service_areas"] = [service_area_json(a) for a in service.service_areas]
    out["service_at_locations"] = [
        service_at_location_json(sal, with_service=False) for sal in service.service_at_locations
    ]
    out["languages"] = [language_json(lang) for lang in service.languages]
    if service.organization is not None:
        out["organization"] = organization_json(service.organization)
    out["funding"] = [funding_json(f) for f in service.funding]
    out["cost_options"] = [cost_option_json(c) for c in service.cost_options]
    out["contacts"] = [contact_json(c) for c in service.contacts]
    out["attributes"] = [attribute_json(a) for a in service.attributes] + _inferred(service)
    if duplicates := possible_duplicates_json(service):
        out["x_possible_duplicates"] = duplicates
    return out | _service_extensions(service)


def _inferred(service: Service) -> list[JSON]:
    """Inferred needs and client groups, as attributes of their own taxonomy so a consumer can
    tell them from curated ones (:mod:`directory.inference.mirror`)."""
    from directory.inference.mirror import inferred_attributes_json

    return inferred_attributes_json(service)


def service_at_location_json(
    sal: ServiceAtLocation, *, with_service: bool = True, full: bool = True
) -> JSON:
    out = _pick(sal, ("id", "service_id", "location_id", "description"))
    out["location"] = location_json(sal.location, full=full)
    if with_service:
        if full:
            service = service_json(sal.service)
            service.pop("service_at_locations", None)
        else:
            service = service_list_json(sal.service)
        out["service"] = service
    return out
