"""Which listings a feed holds, and retiring the ones it has dropped.

A scheduled re-import of the same feed updates and adds listings, and retires those that came
from this feed before and are gone from it now: ``listing_status`` becomes ``retired`` (not
public, nothing deleted), and back to ``active`` if the feed brings the listing back. A listing
staff closed stays closed whatever the feed says. Retiring happens only after a run that read
the whole feed, in the same transaction as that run's last data, and never for more than half
of a feed's listings at once unless asked (``--allow-mass-retire``): a broken feed that returns
an empty page must not empty a directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.listings.models import ListingStatus, Service
from directory.listings.runs import FeedListing

_CHUNK = 500


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def record_seen(session: Session, feed: str, service_ids: Iterable[str], walk_id: str) -> int:
    """Note that this walk of ``feed`` holds these services (those that exist), and make any
    that had been retired active again. Returns how many were brought back."""
    ids = list(dict.fromkeys(service_ids))
    now = utcnow()
    restored = 0
    for chunk in _chunks(ids):
        services = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(chunk)))}
        rows = {
            row.service_id: row
            for row in session.scalars(
                select(FeedListing).where(
                    FeedListing.feed == feed, FeedListing.service_id.in_(chunk)
                )
            )
        }
        for ident in chunk:
            service = services.get(ident)
            if service is None:
                continue
            row = rows.get(ident)
            if row is None:
                row = FeedListing(feed=feed, service_id=ident, first_seen_at=now)
                session.add(row)
            row.last_seen_at, row.last_walk_id, row.retired_at = now, walk_id, None
            if service.listing_status == ListingStatus.RETIRED:
                service.listing_status = ListingStatus.ACTIVE
                restored += 1
    session.flush()
    return restored


@dataclass
class Retirement:
    retired: list[tuple[str, str]]
    #: (would be retired, active listings of the feed) when refused as too many at once.
    refused: tuple[int, int] | None = None


def retire_missing(session: Session, feed: str, walk_id: str, *, allow_mass: bool) -> Retirement:
    """Retire the feed's active listings this walk did not see."""
    query = (
        select(FeedListing, Service)
        .join(Service, Service.id == FeedListing.service_id)
        .where(
            FeedListing.feed == feed,
            FeedListing.retired_at.is_(None),
            Service.listing_status == ListingStatus.ACTIVE,
        )
    )
    members = session.execute(query).all()
    gone = [(row, service) for row, service in members if row.last_walk_id != walk_id]
    if gone and 2 * len(gone) > len(members) and not allow_mass:
        return Retirement([], (len(gone), len(members)))
    now = utcnow()
    for row, service in gone:
        service.listing_status = ListingStatus.RETIRED
        row.retired_at = now
    session.flush()
    return Retirement(sorted((service.id, service.name) for _row, service in gone))
