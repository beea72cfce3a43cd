"""Reading the change feed (``listing_change``): its position, and the rows an index has not
applied yet (past its ``last_seq``, and the gaps it still waits for: see ``SyncState``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from directory.listings.models import ListingChange
from search_index.store import SyncState

#: The channel migration 0017's trigger notifies with each INSERT's highest seq (PostgreSQL):
#: a wake-up for ``search_index.updater``; the table stays the truth.
CHANNEL = "listing_change"


def max_seq(session: Session) -> int:
    return session.scalar(select(func.max(ListingChange.seq))) or 0


def _ranges(seqs: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for seq in sorted(seqs):
        if out and seq == out[-1][1] + 1:
            out[-1] = (out[-1][0], seq)
        else:
            out.append((seq, seq))
    return out


def changes_after(session: Session, state: SyncState, limit: int) -> list[tuple[int, str]]:
    """Rows past ``last_seq`` and rows filling known gaps, oldest first."""
    seq = ListingChange.seq
    ranges = _ranges(state.gaps)
    if len(ranges) > 100:  # too many ORs: over-read from the lowest gap, filter below
        condition = seq >= ranges[0][0]
    else:
        condition = or_(seq > state.last_seq, *(seq.between(a, b) for a, b in ranges))
    query = select(seq, ListingChange.service_id).where(condition).order_by(seq).limit(limit)
    rows = [(s, sid) for s, sid in session.execute(query)]
    return [(s, sid) for s, sid in rows if s > state.last_seq or s in state.gaps]
