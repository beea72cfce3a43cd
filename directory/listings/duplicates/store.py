"""Flags in the database: found by :func:`flag_duplicates`, decided by :func:`resolve`.

These are plain functions on a ``Session`` that never commit, so the import hook, the command
line and the staff screens (a later issue) share one behaviour and each owns its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.listings.duplicates.candidates import Blocks, _chunks, bulk_objects, load_listings
from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.listings.duplicates.rules import Listing, Verdict, compare
from directory.listings.duplicates.serialise import forget_flagged_ids
from directory.listings.models import ListingChange, Service

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    """The canonical order of two service ids, as stored."""
    return (a, b) if a < b else (b, a)


def flags_touching(session: Session, ids: Iterable[str]) -> dict[Pair, DuplicateFlag]:
    """Every stored flag (any status) with one of ``ids`` on either side."""
    found: dict[Pair, DuplicateFlag] = {}
    for chunk in _chunks(sorted(set(ids))):
        query = select(DuplicateFlag).where(
            or_(DuplicateFlag.service_a_id.in_(chunk), DuplicateFlag.service_b_id.in_(chunk))
        )
        for flag in session.scalars(query):
            found[(flag.service_a_id, flag.service_b_id)] = flag
    return found


def find_pairs(listings: dict[str, Listing], ids: Iterable[str]) -> dict[Pair, Verdict]:
    """Compare each of ``ids`` with its candidates among ``listings``; the pairs worth a flag."""
    wanted = [sid for sid in dict.fromkeys(ids) if sid in listings]
    chosen = set(wanted)
    blocks = Blocks(listings, None if len(wanted) == len(listings) else wanted)
    verdicts: dict[Pair, Verdict] = {}
    for sid in wanted:
        listing = listings[sid]
        for other in blocks.candidates(sid):
            # A pair of two checked listings is compared once, from its lower id.
            if other in chosen and other < sid:
                continue
            match = listings[other]
            if not listing.gate & match.gate:
                continue
            key = pair(sid, other)
            verdict = compare(listings[key[0]], listings[key[1]])
            if verdict is not None:
                verdicts[key] = verdict
    return verdicts


def flag_duplicates(session: Session, service_ids: Iterable[str]) -> list[DuplicateFlag]:
    """Check ``service_ids`` against each other and the whole directory; store the flags.

    Returns the flags that are new or still open (``is_new`` tells which), likely first, for
    the import report. A pair staff marked ``not_duplicate`` is never flagged again and a
    ``confirmed`` one keeps its decision (only ``last_seen`` moves). An open flag on these
    services whose pair no longer matches (a phone was corrected, a listing closed) is removed:
    nothing was decided on it. Flushes, never commits.
    """
    ids = list(dict.fromkeys(service_ids))
    forget_flagged_ids(session)
    with bulk_objects():
        listings = load_listings(session)
        verdicts = find_pairs(listings, ids)
    stored = flags_touching(session, ids)
    now = utcnow()
    touched: list[DuplicateFlag] = []
    # Pairs that joined or left a likely group: those listings gain or lose their own card in
    # search (one card per likely duplicate group), so their documents are rebuilt everywhere.
    regrouped: set[str] = set()
    for key, verdict in verdicts.items():
        flag = stored.get(key)
        was_likely = flag is not None and flag.strength == Strength.LIKELY
        if flag is None:
            flag = DuplicateFlag(service_a_id=key[0], service_b_id=key[1], first_seen=now)
            flag.status = FlagStatus.OPEN
            flag.is_new = True
            session.add(flag)
        flag.last_seen = now
        if flag.status != FlagStatus.OPEN:
            continue
        flag.strength, flag.score, flag.reasons = verdict.strength, verdict.score, verdict.reasons
        flag.labels = (_label(listings[key[0]]), _label(listings[key[1]]))
        touched.append(flag)
        if was_likely != (verdict.strength == Strength.LIKELY):
            regrouped.update(key)
    for key, flag in stored.items():
        if flag.status == FlagStatus.OPEN and key not in verdicts:
            if flag.strength == Strength.LIKELY:
                regrouped.update(key)
            session.delete(flag)
    session.flush()
    mark_changed(session, regrouped)
    return sorted(touched, key=lambda f: (f.strength != Strength.LIKELY, f.labels or ()))


def mark_changed(session: Session, service_ids: Iterable[str]) -> None:
    """Record a listing change for each service, so every search index rebuilds its
    documents (``search_index.sync`` reads the change sequence)."""
    now = utcnow()
    for service_id in sorted(set(service_ids)):
        session.add(ListingChange(service_id=service_id, changed_at=now))
    session.flush()


def report_lines(flags: list[DuplicateFlag], most: int = 10) -> list[str]:
    """Lines for an import report: the counts, then up to ``most`` flags, likely first.

    A feed can hold hundreds of look-alikes; the report says how many and where to see all.
    """
    if not flags:
        return []
    likely = sum(f.strength == Strength.LIKELY for f in flags)
    new = sum(f.is_new for f in flags)
    lines = [
        f"{likely} likely and {len(flags) - likely} possible duplicate pair(s), {new} new "
        "(all: flask --app wsgi duplicates list)"
    ]
    lines += [str(f) for f in flags[:most]]
    if len(flags) > most:
        lines.append(f"... and {len(flags) - most} more")
    return lines


def _label(listing: Listing) -> str:
    return f"{listing.name or '(no name)'!r} ({listing.id})"


class DecisionError(ValueError):
    """A decision that cannot be recorded; the message says why."""


def resolve(
    session: Session, a: str, b: str, status: FlagStatus | str, decided_by: str
) -> DuplicateFlag:
    """Record staff's decision on a pair: ``not_duplicate``, ``confirmed``, or ``open`` again.

    Works on a pair that was never flagged too (staff may know better than the rules), so it
    is stored and respected from now on. Nothing is merged: a confirmed pair shows as one card
    in search, and which listing to close stays staff's call. Flushes, never commits.
    """
    try:
        status = FlagStatus(status)
    except ValueError as exc:
        raise DecisionError(f"{status!r} is not one of open, not_duplicate, confirmed") from exc
    if a == b:
        raise DecisionError("a listing cannot be a duplicate of itself")
    from directory.listings.duplicates.groups import group_members

    key = pair(a, b)
    found = set(session.scalars(select(Service.id).where(Service.id.in_(key))))
    missing = [sid for sid in key if sid not in found]
    if missing:
        raise DecisionError(f"no listing with id {', '.join(missing)}")
    flag = session.scalars(
        select(DuplicateFlag).where(
            DuplicateFlag.service_a_id == key[0], DuplicateFlag.service_b_id == key[1]
        )
    ).one_or_none()
    if flag is None:
        listings = load_listings(session, key)
        verdict = compare(*[listings[k] for k in key]) if len(listings) == 2 else None
        flag = DuplicateFlag(service_a_id=key[0], service_b_id=key[1])
        flag.strength = verdict.strength if verdict else Strength.POSSIBLE
        flag.score = verdict.score if verdict else 0.0
        flag.reasons = verdict.reasons if verdict else ["raised by staff"]
        session.add(flag)
    before = group_members(session, a) | group_members(session, b)
    forget_flagged_ids(session)
    flag.status = status
    flag.decided_by = decided_by if status != FlagStatus.OPEN else None
    flag.decided_at = utcnow() if status != FlagStatus.OPEN else None
    session.flush()
    # The decision can change who leads the group, so every member's card may change.
    mark_changed(session, before | group_members(session, a) | group_members(session, b))
    return flag


def open_flags(session: Session, strength: Strength | str | None = None) -> list[DuplicateFlag]:
    """Every open flag (of one strength if given), likely first, then most similar."""
    query = select(DuplicateFlag).where(DuplicateFlag.status == FlagStatus.OPEN)
    if strength:
        query = query.where(DuplicateFlag.strength == Strength(strength))
    flags = list(session.scalars(query))
    return sorted(flags, key=lambda f: (f.strength != Strength.LIKELY, -f.score, f.service_a_id))
