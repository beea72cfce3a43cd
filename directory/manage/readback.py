"""A live listing (ORUK JSON) read back into the wizard's answers, so an edit starts with
every page filled in as the listing is now.

These answers are also kept as the edit's ``base_answers``: a step whose answers still equal
them leaves the live values untouched (:mod:`directory.manage.payload`), so a listing the form
cannot describe exactly (three contacts, a daily rota, fees written in words) is not rewritten
by an edit that did not touch that part.
"""

from __future__ import annotations

from typing import Any

from directory.listings.cost import cost_status, is_donation
from directory.listings.html import html_to_text
from directory.manage.payload import ACCESS_DEFAULT, ACCESS_REFERRAL, JSON
from directory.manage.sessions import schedule_words, session_from_schedule

_REFERRED = {"referral_needed", "referral", "professional"}


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def organisation_answers(org: JSON | None, phone: str = "") -> dict[str, Any]:
    org = org or {}
    return {
        "name": _s(org.get("name")),
        "description": _s(org.get("description")),
        "website": _s(org.get("website")),
        "email": _s(org.get("email")),
        "phone": phone,
    }


def answers_from_record(
    record: JSON, area_codes: set[str], term_kinds: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Each step's answers for ``record``. ``area_codes``: the council areas the area step
    offers as checkboxes; ``term_kinds``: need or client_group for each term the form offers."""
    out: dict[str, dict[str, Any]] = {}
    out["organisation"] = organisation_answers(record.get("organization"))
    out["service"] = {
        "name": _s(record.get("name")),
        "description": _plain(record.get("description")),
        "website": _s(record.get("url")),
    }
    terms = [
        (a.get("link_type"), a.get("taxonomy_term_id") or (a.get("taxonomy_term") or {}).get("id"))
        for a in record.get("attributes") or []
    ]
    out["who"] = {
        "client_groups": [t for kind, t in terms if kind == "client_group" and t in term_kinds],
        "minimum_age": _s(record.get("minimum_age")),
        "maximum_age": _s(record.get("maximum_age")),
        "eligibility": _plain(record.get("eligibility_description")),
    }
    out["cost"] = _cost(record)
    out["access"] = _access(record)
    out["contact"] = _contact(record)
    out.update(_where(record))
    out["when"] = _when(record)
    out["area"] = _areas(record, area_codes)
    out["needs"] = {"needs": [t for kind, t in terms if kind == "need" and t in term_kinds]}
    return out


def _plain(value: Any) -> str:
    text = _s(value)
    return html_to_text(text) if "<" in text else text


class _Option:
    def __init__(self, item: JSON) -> None:
        self.amount = item.get("amount")
        self.option = item.get("option")
        self.amount_description = item.get("amount_description")


def _cost(record: JSON) -> dict[str, Any]:
    options = [_Option(o) for o in record.get("cost_options") or []]

    class _Listing:
        cost_options = options
        fees = record.get("fees")

    status = cost_status(_Listing)
    words = " ".join(
        filter(
            None,
            [
                *(f"{o.option or ''} {o.amount_description or ''}" for o in options),
                record.get("fees") or "",
            ],
        )
    )
    amounts = [float(o.amount) for o in options if isinstance(o.amount, int | float) and o.amount]
    details = next(
        (o.amount_description for o in options if o.amount_description), record.get("fees") or ""
    )
    if status == "paid":
        kind = "paid"
    elif is_donation(words):
        kind = "donation"
    elif status == "free":
        kind = "free"
    else:
        kind = ""
    amount = f"{amounts[0]:.2f}" if kind == "paid" and amounts else ""
    return {"cost": kind, "amount": amount, "details": _s(details)}


def _access(record: JSON) -> dict[str, Any]:
    referral = _s(record.get("x_referral")).strip().lower()
    how = _plain(record.get("application_process"))
    if referral in _REFERRED:
        access = "referral"
    elif referral and referral not in ACCESS_REFERRAL.values():
        access = ""
    elif "book" in how.lower():
        access = "book"
    elif referral or how:
        access = "drop_in"
    else:
        access = ""
    if how == ACCESS_DEFAULT.get(access):
        how = ""
    return {"access": access, "how": how}


def _contact(record: JSON) -> dict[str, Any]:
    contacts = record.get("contacts") or []
    first = contacts[0] if contacts else {}
    phones = first.get("phones") or []
    return {
        "contact_name": _s(first.get("name")),
        "phone": _s(phones[0].get("number")) if phones else "",
        "email": _s(record.get("email") or first.get("email")),
    }


def _where(record: JSON) -> dict[str, dict[str, Any]]:
    modes = record.get("x_delivery_modes") or []
    also = [m for m in ("phone", "online") if m in modes]
    sals = record.get("service_at_locations") or []
    if not sals:
        return {"where": {"mode": "remote" if also else "", "also": also}}
    sal = sals[0]
    location = sal.get("location") or {}
    location_id = sal.get("location_id") or location.get("id") or ""
    return {"where": {"mode": "place", "also": also}, "place": {"location_id": location_id}}


def _when(record: JSON) -> dict[str, Any]:
    sessions, notes = [], []
    for schedule in record.get("schedules") or []:
        found = session_from_schedule(schedule)
        if found is not None:
            sessions.append(found)
        elif words := schedule_words(schedule):
            notes.append(words)
    return {"sessions": sessions, "notes": "\n".join(dict.fromkeys(notes))}


def _areas(record: JSON, area_codes: set[str]) -> dict[str, Any]:
    areas, other = [], []
    for area in record.get("service_areas") or []:
        code = area.get("extent")
        if code and code in area_codes:
            areas.append(code)
        elif name := _s(area.get("name") or area.get("service_area")).strip():
            other.append(name)
    return {"areas": list(dict.fromkeys(areas)), "other": "\n".join(other)}
