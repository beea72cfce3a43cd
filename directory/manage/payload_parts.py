"""The parts of a payload about where and when (the venue link, the sessions, the area
covered) and the small helpers every part uses. See :mod:`directory.manage.payload`."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import ServiceArea
from directory.manage import wizard
from directory.manage.sessions import MAX_SESSIONS, schedule_from_session
from directory.places.models import Location

JSON = dict[str, Any]
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:manage")


def derived_id(*parts: str) -> str:
    """A stable id for a nested item, derived from the listing's id: saving the same answers
    twice gives the same record."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def text_or_none(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def first_sal_id(record: JSON) -> str | None:
    sals = record.get("service_at_locations") or []
    return sals[0].get("id") if sals else None


def repoint_schedules(record: JSON, sal_id: str | None) -> None:
    """Where changed but the times did not: the sessions move to the new place."""
    for schedule in record.get("schedules") or []:
        if schedule.get("service_at_location_id") or schedule.get("location_id"):
            schedule.pop("location_id", None)
            if sal_id:
                schedule["service_at_location_id"] = sal_id
            else:
                schedule.pop("service_at_location_id", None)


def build_where(
    session: Session, state: wizard.State, record: JSON, service_id: str, proposal_id: str
) -> str | None:
    """Rebuild the venue link and delivery modes; the id of the link, if any."""
    a = wizard.answers(state, "where")
    mode = a.get("mode")
    also = [m for m in ("phone", "online") if m in (a.get("also") or [])]
    old = record.get("service_at_locations") or []
    sal: JSON | None = None
    if mode == "place":
        location_id = wizard.answers(state, "place").get("location_id")
        if location_id and session.get(Location, location_id) is not None:
            same = [s for s in old if s.get("location_id") == location_id]
            sal_id = same[0]["id"] if same else derived_id(service_id, "at", location_id)
            sal = {"id": sal_id, "location_id": location_id}
    elif mode == "address":
        sal = _new_place(state, service_id, proposal_id)
    record["service_at_locations"] = [sal] if sal else []
    record["x_delivery_modes"] = (["in_person"] if sal else []) + also
    return sal["id"] if sal else None


def _new_place(state: wizard.State, service_id: str, proposal_id: str) -> JSON:
    a = wizard.answers(state, "address")
    location_id = derived_id(service_id, "location", proposal_id)
    address = {
        "id": derived_id(location_id, "address"),
        "address_1": text_or_none(a.get("address_1")) or "",
        "address_2": text_or_none(a.get("address_2")),
        "city": text_or_none(a.get("town")) or "",
        "state_province": "",
        "postal_code": text_or_none(a.get("postcode")) or "",
        "country": "GB",
        "address_type": "physical",
    }
    location = {
        "id": location_id,
        "name": text_or_none(a.get("venue_name")) or text_or_none(a.get("address_1")),
        "location_type": "physical",
        "x_kind": "venue",
        "addresses": [{k: v for k, v in address.items() if v is not None}],
    }
    return {"id": derived_id(service_id, "at", location_id), "location": location}


def build_when(state: wizard.State, record: JSON, service_id: str, sal_id: str | None) -> None:
    a = wizard.answers(state, "when")
    old = [s.get("id") for s in record.get("schedules") or [] if s.get("id")]
    schedules = []
    sessions = [s for s in a.get("sessions") or [] if isinstance(s, dict)][:MAX_SESSIONS]
    for i, item in enumerate(sessions):
        sid = old[i] if i < len(old) else derived_id(service_id, "schedule", str(i))
        schedules.append(schedule_from_session(item, sid))
    notes = text_or_none(a.get("notes"))
    if notes:
        i = len(schedules)
        sid = old[i] if i < len(old) else derived_id(service_id, "schedule", "notes")
        schedules.append({"id": sid, "description": notes})
    for schedule in schedules:
        if sal_id:
            schedule["service_at_location_id"] = sal_id
    record["schedules"] = schedules


def build_areas(session: Session, state: wizard.State, record: JSON, service_id: str) -> None:
    a = wizard.answers(state, "area")
    old = record.get("service_areas") or []
    by_key = {(s.get("extent") or s.get("name") or "").lower(): s for s in old}
    known = dict(area_choices(session))
    areas = []
    for code in a.get("areas") or []:
        if code in known:
            kept = by_key.get(code.lower())
            areas.append(
                kept
                or {
                    "id": derived_id(service_id, "area", code),
                    "name": known[code],
                    "service_area": known[code],
                    "extent": code,
                    "extent_type": "local_authority",
                }
            )
    for line in (a.get("other") or "").splitlines():
        name = line.strip()[:250]
        if name:
            kept = by_key.get(name.lower())
            areas.append(
                kept
                or {
                    "id": derived_id(service_id, "area", name.lower()),
                    "name": name,
                    "service_area": name,
                }
            )
    unique = {area["id"]: area for area in areas}
    record["service_areas"] = list(unique.values())


def area_choices(session: Session) -> list[tuple[str, str]]:
    """Council areas a listing can say it covers: the home area and every local authority
    area the directory's listings already name, by ONS code."""
    from flask import current_app, has_app_context

    found: dict[str, str] = {}
    if has_app_context():
        code = current_app.config.get("HOME_AREA_CODE")
        if code:
            found[code] = current_app.config.get("HOME_AREA_NAME") or code
    rows = session.execute(
        select(ServiceArea.extent, ServiceArea.name)
        .where(ServiceArea.extent_type == "local_authority", ServiceArea.extent.is_not(None))
        .distinct()
        .limit(200)
    )
    for extent, name in rows:
        if extent and extent not in found and len(extent) <= 16:
            found[extent] = name or extent
    return sorted(found.items(), key=lambda item: item[1].lower())
