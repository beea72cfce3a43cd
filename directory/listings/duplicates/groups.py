"""One card per real service: duplicate groups for the search index.

A group is a connected set of public listings joined by ``likely`` open flags or ``confirmed``
ones (``possible`` flags and pairs staff marked ``not_duplicate`` join nothing). Its key is the
id of its representative, the listing a resident should see: the most complete, then the most
recently checked (``assured_date``), then the most recently changed, then the lowest id so the
choice is stable.

When a flag or a member listing changes, a group's key can change too: whoever indexes should
re-read the key of every member of the groups it touched (:func:`group_members` gives them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from directory.listings.duplicates.candidates import _chunks
from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.listings.models import Contact, Service
from directory.listings.visibility import public_clause
from directory.places.models import Location, ServiceAtLocation

_JOINING = or_(
    and_(DuplicateFlag.status == FlagStatus.OPEN, DuplicateFlag.strength == Strength.LIKELY),
    DuplicateFlag.status == FlagStatus.CONFIRMED,
)


def _edges(session: Session) -> list[tuple[str, str]]:
    a, b = aliased(Service), aliased(Service)
    query = (
        select(DuplicateFlag.service_a_id, DuplicateFlag.service_b_id)
        .join(a, a.id == DuplicateFlag.service_a_id)
        .join(b, b.id == DuplicateFlag.service_b_id)
        .where(_JOINING, public_clause(entity=a), public_clause(entity=b))
    )
    return [(x, y) for x, y in session.execute(query)]


def _components(edges: list[tuple[str, str]]) -> list[set[str]]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for x, y in edges:
        neighbours[x].add(y)
        neighbours[y].add(x)
    seen: set[str] = set()
    groups: list[set[str]] = []
    for start in neighbours:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node in group:
                continue
            group.add(node)
            todo.extend(neighbours[node] - group)
        seen |= group
        groups.append(group)
    return groups


def _completeness(service: Service) -> int:
    """How much a resident can act on: a description, ways to get in touch, a place, times."""
    phones = any(c.phones for c in service.contacts)
    emails = bool(service.email) or any(c.email for c in service.contacts)
    places = any(sal.location.postcode for sal in service.service_at_locations)
    return sum(
        bool(x)
        for x in (
            service.description,
            service.url,
            emails,
            phones,
            places,
            service.schedules,
            service.cost_options,
            service.eligibility_description,
        )
    )


def _rank(service: Service) -> tuple:
    checked = service.assured_date or date.min
    changed = service.last_modified or datetime.min.replace(tzinfo=UTC)
    return (-_completeness(service), -checked.toordinal(), -changed.timestamp(), service.id)


def _representatives(session: Session, groups: list[set[str]]) -> dict[str, str]:
    members = sorted(set().union(*groups)) if groups else []
    services: dict[str, Service] = {}
    for chunk in _chunks(members):
        query = (
            select(Service)
            .where(Service.id.in_(chunk))
            .options(
                selectinload(Service.contacts).selectinload(Contact.phones),
                selectinload(Service.service_at_locations)
                .selectinload(ServiceAtLocation.location)
                .selectinload(Location.addresses),
                selectinload(Service.schedules),
                selectinload(Service.cost_options),
            )
        )
        services.update((s.id, s) for s in session.scalars(query))
    keys: dict[str, str] = {}
    for group in groups:
        best = min((services[m] for m in group), key=_rank).id
        keys.update((m, best) for m in group)
    return keys


def duplicate_groups(session: Session, service_ids: Iterable[str]) -> dict[str, str]:
    """Each of ``service_ids`` -> its group key (its own id when it is in no group)."""
    ids = list(dict.fromkeys(service_ids))
    wanted = set(ids)
    groups = [g for g in _components(_edges(session)) if g & wanted]
    keys = _representatives(session, groups)
    return {sid: keys.get(sid, sid) for sid in ids}


def group_members(session: Session, service_id: str) -> set[str]:
    """Every public listing in the same group as ``service_id`` (itself included)."""
    for group in _components(_edges(session)):
        if service_id in group:
            return group
    return {service_id}
