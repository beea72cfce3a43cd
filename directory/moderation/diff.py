"""Field-by-field differences between two ORUK service records, in words a moderator reads.

A proposal holds a whole record (:mod:`directory.moderation.models`), so "what would change"
is the difference between the proposal's record and the live one. Both are flattened into
*items* (the service, its organisation, each schedule, place, address, contact, phone, cost,
area...) keyed by kind and id, so nested lists are matched by id, never by position: a phone
added beside another is one added phone, not every phone changed. Schedules are shown in words
("Every Tuesday, 10am to midday") with the opening-times helpers the public pages use.

Fields that say where a listing stands rather than what it offers (its status, last change,
duplicate flags, the needs we inferred ourselves) are left out: approval sets those.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from directory.inference import INFERRED_LINK_TYPES
from directory.listings.opening_text import describe_schedule

JSON = dict[str, Any]

#: Keys never compared: links between records, and what approval or the system sets.
SKIPPED = frozenset(
    {
        "id", "service_id", "organization_id", "contact_id", "location_id", "link_id",
        "service_at_location_id", "taxonomy_term_id", "phone_id", "link_entity",
        "last_modified", "assured_date", "x_listing_status", "x_possible_duplicates",
        "x_source_terms", "latitude", "longitude", "service_area",
    }
)  # fmt: skip
#: Schedule fields shown as "When" (in words) and "Recurrence rule" instead of one by one.
RULE_FIELDS = (
    "freq", "interval", "byday", "bymonthday", "byweekno", "byyearday", "wkst", "dtstart",
    "until", "count", "timezone", "opens_at", "closes_at",
)  # fmt: skip
_INFERRED = frozenset(INFERRED_LINK_TYPES.values())

LABELS: dict[str, str] = {
    "name": "Name", "alternate_name": "Other name", "description": "Description",
    "url": "Website", "website": "Website", "email": "Email", "status": "Service status",
    "fees": "Fees", "accreditations": "Accreditations", "minimum_age": "Minimum age",
    "maximum_age": "Maximum age", "assurer_email": "Checked by (email)", "alert": "Alert",
    "application_process": "How to access", "eligibility_description": "Who can use it",
    "x_demonstration": "Demonstration listing", "x_delivery_modes": "How it is delivered",
    "x_data_notes": "Data notes", "x_referral": "Referral", "logo": "Logo", "uri": "Web address",
    "parent_organization_id": "Parent organisation", "identifier_scheme": "Scheme",
    "identifier_type": "Identifier type", "identifier": "Identifier",
    "valid_from": "Valid from", "valid_to": "Valid to", "notes": "Notes",
    "attending_type": "Attending", "schedule_link": "Booking link", "title": "Job title",
    "number": "Number", "extension": "Extension", "type": "Type", "location_type": "Type",
    "external_identifier": "External identifier", "external_identifier_type": "Identifier type",
    "x_kind": "Kind of place", "attention": "For the attention of", "address_1": "Address",
    "address_2": "Address line 2", "city": "Town or city", "region": "Region",
    "state_province": "County", "postal_code": "Postcode", "country": "Country",
    "address_type": "Address type", "details": "Details", "accessibility": "Access",
    "option": "Option", "amount": "Amount", "amount_description": "Amount description",
    "extent": "Extent", "extent_type": "Extent type", "code": "Code", "note": "Note",
    "source": "Source",
}  # fmt: skip


def label(key: str) -> str:
    return LABELS.get(key) or key.removeprefix("x_").replace("_", " ").capitalize()


def text(value: Any) -> str | None:
    """A value as a moderator reads it; None for "not given" (missing, empty or blank)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        words = [t for t in (text(v) for v in value if not isinstance(v, dict)) if t]
        return ", ".join(words) or None
    if isinstance(value, dict):
        return None
    value = str(value)
    return value if value.strip() else None


@dataclass(frozen=True)
class Item:
    """One record inside a service record: ``kind`` is its table, ``title`` how to name it."""

    kind: str
    id: str
    data: JSON
    title: str


def _items(values: Any) -> list[JSON]:
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, dict) and v.get("id")]


def _term_name(attribute: JSON) -> str:
    term = attribute.get("taxonomy_term") or {}
    return str(term.get("name") or attribute.get("taxonomy_term_id") or "a term")


def attribute_title(attribute: JSON, where: str = "") -> str:
    kind = {"need": "Need", "client_group": "Who it is for", "facility": "Facility"}.get(
        str(attribute.get("link_type") or ""), "Term"
    )
    return f"{kind}: {_term_name(attribute)}{where}"


def walk(record: JSON | None) -> Iterator[Item]:
    """Every record inside ``record`` that has an id, with a title for people."""
    if not record:
        return
    if record.get("id"):
        yield Item("service", record["id"], record, "Service")
    org = record.get("organization")
    if isinstance(org, dict) and org.get("id"):
        yield Item("organization", org["id"], org, "Organisation")
        for ident in _items(org.get("organization_identifiers")):
            yield Item("organization_identifier", ident["id"], ident, "Organisation identifier")
    for schedule in _items(record.get("schedules")):
        words = describe_schedule(schedule) or "times not given"
        yield Item("schedule", schedule["id"], schedule, f"When: {words}")
    for sal in _items(record.get("service_at_locations")):
        location = sal.get("location") if isinstance(sal.get("location"), dict) else {}
        name = str(location.get("name") or "a place")
        yield Item("service_at_location", sal["id"], sal, f"Where: {name}")
        if location.get("id"):
            yield Item("location", location["id"], location, f"Place: {name}")
        for address in _items(location.get("addresses")):
            yield Item("address", address["id"], address, f"Address of {name}")
        for access in _items(location.get("accessibility")):
            yield Item("accessibility", access["id"], access, f"Access at {name}")
        for attribute in _items(location.get("attributes")):
            yield Item(
                "attribute", attribute["id"], attribute, attribute_title(attribute, f" at {name}")
            )
    for contact in _items(record.get("contacts")):
        who = str(contact.get("name") or contact.get("title") or "contact")
        yield Item("contact", contact["id"], contact, f"Contact: {who}")
        for phone in _items(contact.get("phones")):
            yield Item("phone", phone["id"], phone, f"Phone for {who}")
    plain = (
        ("cost_options", "cost_option", "Cost", "option"),
        ("service_areas", "service_area", "Area covered", "name"),
        ("languages", "language", "Language", "name"),
        ("funding", "funding", "Funding", "source"),
    )
    for key, kind, title, named in plain:
        for item in _items(record.get(key)):
            yield Item(kind, item["id"], item, f"{title}: {item.get(named) or 'not named'}")
    for attribute in _items(record.get("attributes")):
        if attribute.get("link_type") not in _INFERRED:
            yield Item("attribute", attribute["id"], attribute, attribute_title(attribute))


def _rule(schedule: JSON) -> str | None:
    parts = [f"{k}={schedule[k]}" for k in RULE_FIELDS if text(schedule.get(k)) is not None]
    return "; ".join(parts) or None


def _terms(attributes: Any, link_types: tuple[str, ...] | None) -> str | None:
    names = sorted(
        _term_name(a)
        for a in attributes or []
        if isinstance(a, dict)
        and a.get("link_type") not in _INFERRED
        and (link_types is None or a.get("link_type") in link_types)
    )
    return ", ".join(names) or None


def fields_of(item: Item) -> dict[str, str]:
    """The fields a moderator compares, by label, values in words (absent ones left out)."""
    data, out = item.data, {}
    if item.kind == "attribute":
        return {}
    if item.kind == "schedule":
        out["When"] = describe_schedule(data) or None
        out["Recurrence rule"] = _rule(data)
    for key, value in data.items():
        if (
            key in SKIPPED
            or isinstance(value, dict)
            or (item.kind == "schedule" and key in RULE_FIELDS)
        ):
            continue
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            continue
        out[label(key)] = text(value)
    if item.kind == "service":
        attributes = data.get("attributes")
        out["Needs"] = _terms(attributes, ("need",))
        out["Who it is for"] = _terms(attributes, ("client_group",))
        out["Other terms"] = _terms(
            [a for a in attributes or [] if a.get("link_type") not in ("need", "client_group")],
            None,
        )
    if item.kind == "location":
        out["Facilities"] = _terms(data.get("attributes"), None)
    if item.kind == "location" and data.get("latitude") is not None:
        out["Map position"] = (
            f"{float(data['latitude']):.5f}, {float(data.get('longitude') or 0):.5f}"
        )
    return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"


@dataclass
class Section:
    """One record's changes: ``status`` is added, removed or changed."""

    key: str
    kind: str
    title: str
    status: str
    changes: list[FieldChange] = field(default_factory=list)


def flatten(record: JSON | None) -> dict[str, tuple[Item, dict[str, str]]]:
    """``"<kind>:<id>"`` -> (item, its fields): the form records are compared in. Terms are
    compared as fields of what carries them ("Needs", "Facilities"), not one by one."""
    return {f"{i.kind}:{i.id}": (i, fields_of(i)) for i in walk(record) if i.kind != "attribute"}


def diff_records(old: JSON | None, new: JSON | None) -> list[Section]:
    """What changes when ``new`` replaces ``old`` (``old`` None: everything is added).

    Sections come in ``new``'s order, then the records only ``old`` had."""
    before, after = flatten(old), flatten(new)
    sections: list[Section] = []
    for key in list(after) + [k for k in before if k not in after]:
        was, now = before.get(key), after.get(key)
        item = (now or was)[0]  # type: ignore[index]
        old_fields = was[1] if was else {}
        new_fields = now[1] if now else {}
        labels = list(new_fields) + [k for k in old_fields if k not in new_fields]
        changes = [
            FieldChange(name, old_fields.get(name), new_fields.get(name))
            for name in labels
            if old_fields.get(name) != new_fields.get(name)
        ]
        status = "added" if was is None else "removed" if now is None else "changed"
        if changes or status != "changed":
            sections.append(Section(key, item.kind, item.title, status, changes))
    return sections


def same_content(a: JSON | None, b: JSON | None) -> bool:
    """Whether two records offer the same thing (fields :data:`SKIPPED` aside)."""
    return {k: v[1] for k, v in flatten(a).items()} == {k: v[1] for k, v in flatten(b).items()}
