"""The daily sweep: tell every search index about listings that crossed a freshness line.

Nothing about a listing changes when it turns 12 or 15 months unchecked, so no edit writes the
``listing_change`` row the indexes follow. Ranking works the "over a year" demotion out at
search time from the last-checked day stored in each document, but a listing that is now
hidden must leave every index, and one written while stale must be rewritten. The sweep finds
each listing whose stale or hidden state differs between the day of the last sweep and today
and writes a ``listing_change`` row for it, so every web process (each with its own index)
re-reads it, and ``search_index.documents`` (which asks ``visibility.is_public``) drops it.

``send-reminders`` runs the sweep after the reminders; ``flask --app wsgi freshness sweep``
runs it alone. Running it twice on one day records nothing the second time. The first sweep
(no earlier day known) records every listing that is stale or hidden today.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import unit_of_work
from directory.freshness.models import FreshnessSweep
from directory.freshness.services import CLOCK_COLUMNS, today_utc
from directory.listings import visibility
from directory.listings.models import ListingChange, ListingStatus, Service

log = logging.getLogger(__name__)

ACTOR = Actor.system("freshness-sweep")
_ROW = 1


@dataclass
class SweepReport:
    today: date
    since: date | None
    now_stale: int = 0
    now_hidden: int = 0
    back: int = 0
    dry_run: bool = False

    @property
    def recorded(self) -> int:
        return self.now_stale + self.now_hidden + self.back

    def lines(self) -> list[str]:
        since = self.since.isoformat() if self.since else "never"
        verb = "to record" if self.dry_run else "recorded"
        return [
            f"Freshness sweep for {self.today.isoformat()} (last sweep: {since}):",
            f"  now not checked for over a year (ranked lower): {self.now_stale}",
            f"  now hidden until checked: {self.now_hidden}",
            f"  no longer stale or hidden: {self.back}",
            f"  changes {verb} for the search indexes: {self.recorded}",
        ]


def _state(row: Any, day: date | None) -> tuple[bool, bool]:
    if day is None:
        return False, False
    return visibility.is_stale(row, day), visibility.is_hidden_as_stale(row, day)


def crossed(session: Session, since: date | None, today: date) -> dict[str, str]:
    """service id -> "stale", "hidden" or "fresh" for the active listings whose state
    differs between ``since`` and ``today``."""
    out: dict[str, str] = {}
    query = select(*CLOCK_COLUMNS).where(Service.listing_status == ListingStatus.ACTIVE)
    for row in session.execute(query):
        before, now = _state(row, since), _state(row, today)
        if before == now:
            continue
        stale, hidden = now
        out[row.id] = "hidden" if hidden else "stale" if stale else "fresh"
    return out


def sweep(session: Session, today: date | None = None, *, dry_run: bool = False) -> SweepReport:
    """Record a ``listing_change`` for each listing that crossed a line since the last sweep,
    and remember ``today`` as the last sweep's day (one transaction)."""
    today = today or today_utc()
    state = session.get(FreshnessSweep, _ROW)
    since = state.swept_on if state is not None else None
    report = SweepReport(today=today, since=since, dry_run=dry_run)
    changes = crossed(session, since, today)
    for now in changes.values():
        if now == "hidden":
            report.now_hidden += 1
        elif now == "stale":
            report.now_stale += 1
        else:
            report.back += 1
    if dry_run:
        session.rollback()
        return report
    with unit_of_work(session, ACTOR):
        changed_at = datetime.now(UTC)
        for service_id, now in sorted(changes.items()):
            session.add(
                ListingChange(
                    service_id=service_id,
                    changed_at=changed_at,
                    extra={"reason": "freshness", "now": now},
                )
            )
        if state is None:
            session.add(FreshnessSweep(id=_ROW, swept_on=today, swept_at=utcnow()))
        else:
            state.swept_on, state.swept_at = today, utcnow()
    log.info("freshness sweep: %d change(s) recorded", report.recorded)
    return report
