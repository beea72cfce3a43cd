"""Insights for commissioners: plain functions from the database to :class:`Table` s.

What people asked for and what was offered, by need, by area (outcode) and by month; how
requests ended (matched or not); unmet need by area (people asked, and no offer and no public
listing reaches them); and what residents search for. The page (``/staff/insights``), the CSV
downloads and ``flask --app wsgi insights`` all print these same tables.

Only columns that hold no personal data are ever read: a request's needs, outcode, dates,
status and outcome, never its name, contact details, postcode or words (tested), so the
figures are the same before and after the purge of personal data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus, SelfServed
from directory.insights.models import SearchLog
from directory.insights.reach import NOT_KNOWN, Needs, Reach, default_gazetteer
from directory.insights.search_tables import (
    search_needs,
    searches_monthly,
    top_queries,
    zero_queries,
)
from directory.insights.tables import Chart, Column, Period, Table, month_key

#: How a request ended, in the order the tables show: "open" is any request not closed yet.
OUTCOMES = (
    ("matched", "Matched with an offer or a service"),
    ("signposted", "Signposted to services"),
    ("self_served", "Found help themselves"),
    ("no_match", "No match: nobody could help"),
    ("withdrawn", "Withdrawn"),
    ("not_recorded", "Closed without an outcome"),
    ("open", "Still open"),
)
AREA_NOT_KNOWN = "Not known"


@dataclass(frozen=True)
class _Request:
    month: str
    outcode: str
    needs: frozenset[str]
    outcome: str


@dataclass(frozen=True)
class _OfferRow:
    month: str
    outcode: str
    needs: frozenset[str]


@dataclass
class Data:
    """What the tables are counted from, read once per report: no personal column."""

    period: Period
    needs: Needs
    requests: list[_Request]
    offers: list[_OfferRow]
    self_served: Counter[str]


def outcome_key(status: Any, outcome: Any) -> str:
    if status != RequestStatus.CLOSED:
        return "open"
    if outcome is None:
        return "not_recorded"
    return Outcome(outcome).value


def load(session: Session, period: Period, needs: Needs | None = None) -> Data:
    needs = needs or Needs.load(session)
    rows = session.execute(
        select(
            HelpRequest.created_at,
            HelpRequest.outcode,
            HelpRequest.needs,
            HelpRequest.status,
            HelpRequest.outcome,
        ).where(*period.where(HelpRequest.created_at))
    )
    requests = [
        _Request(month_key(at), oc or NOT_KNOWN, _tops(needs, n), outcome_key(status, outcome))
        for at, oc, n, status, outcome in rows
    ]
    offer_rows = session.execute(
        select(HelpOffer.created_at, HelpOffer.outcode, HelpOffer.needs).where(
            HelpOffer.status != OfferStatus.REJECTED, *period.where(HelpOffer.created_at)
        )
    )
    offers = [
        _OfferRow(month_key(at), oc or NOT_KNOWN, _tops(needs, n)) for at, oc, n in offer_rows
    ]
    visits = session.scalars(select(SelfServed.at).where(*period.where(SelfServed.at)))
    return Data(period, needs, requests, offers, Counter(month_key(at) for at in visits))


def _tops(needs: Needs, term_ids: Any) -> frozenset[str]:
    return frozenset(needs.tops(term_ids)) or frozenset({NOT_KNOWN})


def _area(outcode: str) -> str:
    return outcode or AREA_NOT_KNOWN


def monthly(data: Data) -> Table:
    requests = Counter(r.month for r in data.requests)
    offers = Counter(o.month for o in data.offers)
    months = sorted(set(requests) | set(offers) | set(data.self_served))
    return Table(
        "monthly",
        "Requests and offers by month",
        "Requests for help and offers of help made each month, and visits where someone found "
        "services themselves without asking (no request made).",
        (Column("month", "Month"), Column("requests", "Requests", True),
         Column("offers", "Offers", True), Column("self_served", "Found help themselves", True)),
        [(m, requests[m], offers[m], data.self_served[m]) for m in months],
        Chart("Requests for help by month", "month", "requests", limit=36),
    )  # fmt: skip


def _outcome_columns() -> tuple[Column, ...]:
    return tuple(Column(key, label, True) for key, label in OUTCOMES)


def by_need(data: Data) -> Table:
    asked: dict[str, Counter[str]] = defaultdict(Counter)
    for r in data.requests:
        for need in r.needs:
            asked[need][r.outcome] += 1
    offered = Counter(need for o in data.offers for need in o.needs)
    keys = sorted(
        set(asked) | set(offered), key=lambda k: (-sum(asked[k].values()), data.needs.label(k))
    )
    rows = [
        (data.needs.label(k), sum(asked[k].values()), offered[k],
         *(asked[k][key] for key, _ in OUTCOMES))
        for k in keys
    ]  # fmt: skip
    return Table(
        "needs",
        "Requests and offers by need",
        "A request that asks for two needs counts under each. How requests for each need "
        "ended follows.",
        (Column("need", "Need"), Column("requests", "Requests", True),
         Column("offers", "Offers", True), *_outcome_columns()),
        rows,
        Chart("Requests for help by need", "need", "requests"),
    )  # fmt: skip


def by_area(data: Data) -> Table:
    asked: dict[str, Counter[str]] = defaultdict(Counter)
    for r in data.requests:
        asked[r.outcode][r.outcome] += 1
    offered = Counter(o.outcode for o in data.offers)
    keys = sorted(
        set(asked) | set(offered), key=lambda k: (-sum(asked[k].values()), k == NOT_KNOWN, k)
    )
    rows = [
        (_area(k), sum(asked[k].values()), offered[k], *(asked[k][key] for key, _ in OUTCOMES))
        for k in keys
    ]
    return Table(
        "areas",
        "Requests and offers by area",
        "Areas are postcode districts (outcodes, like CH2): where the person asking, or the "
        "offer, is. Full postcodes are never used here.",
        (Column("area", "Area"), Column("requests", "Requests", True),
         Column("offers", "Offers", True), *_outcome_columns()),
        rows,
        Chart("Requests for help by area", "area", "requests"),
    )  # fmt: skip


def _by_month_and(data: Data, key: str, heading: str, title: str, description: str) -> Table:
    asked: Counter[tuple[str, str]] = Counter()
    offered: Counter[tuple[str, str]] = Counter()
    for r in data.requests:
        for k in r.needs if key == "need" else (r.outcode,):
            asked[(r.month, k)] += 1
    for o in data.offers:
        for k in o.needs if key == "need" else (o.outcode,):
            offered[(o.month, k)] += 1
    name = data.needs.label if key == "need" else _area
    pairs = sorted(set(asked) | set(offered), key=lambda p: (p[0], name(p[1])))
    rows = [(m, name(k), asked[(m, k)], offered[(m, k)]) for m, k in pairs]
    return Table(
        f"{key}s_by_month",
        title,
        description,
        (Column("month", "Month"), Column(key, heading), Column("requests", "Requests", True),
         Column("offers", "Offers", True)),
        rows,
    )  # fmt: skip


def needs_by_month(data: Data) -> Table:
    return _by_month_and(
        data, "need", "Need", "Requests and offers by need and month",
        "Each month's requests and offers for each need.",
    )  # fmt: skip


def areas_by_month(data: Data) -> Table:
    return _by_month_and(
        data, "area", "Area", "Requests and offers by area and month",
        "Each month's requests and offers in each postcode district.",
    )  # fmt: skip


def outcomes(data: Data) -> Table:
    counts = Counter(r.outcome for r in data.requests)
    total = len(data.requests)
    rows = [
        (label, counts[key], round(100 * counts[key] / total, 1) if total else 0.0)
        for key, label in OUTCOMES
    ]
    return Table(
        "outcomes",
        "Matched and unmatched",
        f"How the {total} requests of the period ended. Matched: put in touch with an offer or "
        "a listed service. No match: nobody could help, the clearest sign of unmet need.",
        (Column("outcome", "Outcome"), Column("requests", "Requests", True),
         Column("percent", "Per cent of requests", True)),
        rows,
        Chart("How requests ended", "outcome", "requests"),
    )  # fmt: skip


def unmet(data: Data, reach: Reach) -> Table:
    """Every (area, need) people asked for where no active offer and no public listing
    reaches the area, most asked first. Requests without an area or a need cannot be placed
    and are left out (they are in the other tables)."""
    asked: Counter[tuple[str, str]] = Counter()
    no_match: Counter[tuple[str, str]] = Counter()
    for r in data.requests:
        if r.outcode == NOT_KNOWN:
            continue
        for need in r.needs - {NOT_KNOWN}:
            asked[(r.outcode, need)] += 1
            no_match[(r.outcode, need)] += r.outcome == "no_match"
    rows = []
    for (outcode, need), count in asked.items():
        if reach.offers(outcode, need) == 0 and reach.listings(outcode, need) == 0:
            rows.append((outcode, data.needs.label(need), count, no_match[(outcode, need)]))
    rows.sort(key=lambda row: (-row[2], row[0], row[1]))
    return Table(
        "unmet",
        "Unmet need by area",
        "Needs people asked for in a postcode district where no active offer reaches and no "
        "public listing is found by a search for that need there.",
        (Column("area", "Area"), Column("need", "Need"), Column("requests", "Requests", True),
         Column("no_match", "Of which closed as no match", True)),
        rows,
        Chart("Requests nobody offers or lists for, by area and need", "area+need", "requests"),
    )  # fmt: skip


#: Every table, in the page's order.
TABLE_KEYS = (
    "monthly", "outcomes", "needs", "areas", "unmet", "needs_by_month", "areas_by_month",
    "searches_monthly", "top_queries", "zero_queries", "search_needs",
)  # fmt: skip


def build_tables(
    session: Session,
    period: Period | None = None,
    *,
    keys: Iterable[str] | None = None,
    geo: Any = None,
    use_gazetteer: bool = True,
) -> list[Table]:
    """The insight tables ``keys`` (default: all, in the page's order) for ``period``
    (default: all time). ``geo``: the gazetteer (default: the app's, when there is one)."""
    period = period or Period()
    needs = Needs.load(session)
    if geo is None and use_gazetteer:
        geo = default_gazetteer()
    reach = Reach(session, needs, geo)
    loaded: list[Data] = []

    def data() -> Data:
        if not loaded:
            loaded.append(load(session, period, needs))
        return loaded[0]

    builders: dict[str, Callable[[], Table]] = {
        "monthly": lambda: monthly(data()),
        "outcomes": lambda: outcomes(data()),
        "needs": lambda: by_need(data()),
        "areas": lambda: by_area(data()),
        "unmet": lambda: unmet(data(), reach),
        "needs_by_month": lambda: needs_by_month(data()),
        "areas_by_month": lambda: areas_by_month(data()),
        "searches_monthly": lambda: searches_monthly(session, period),
        "top_queries": lambda: top_queries(session, period),
        "zero_queries": lambda: zero_queries(session, period),
        "search_needs": lambda: search_needs(session, period, reach),
    }
    return [builders[key]() for key in (TABLE_KEYS if keys is None else keys)]


def find(tables: Iterable[Table], key: str) -> Table:
    for table in tables:
        if table.key == key:
            return table
    raise KeyError(key)


def search_count(session: Session, period: Period) -> int:
    return session.scalar(select(func.count(SearchLog.id)).where(*period.where(SearchLog.at))) or 0
