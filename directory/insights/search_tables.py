"""What residents search for, from the anonymous search log (:mod:`directory.insights.logging`):
searches by month and channel, the most searched words, the words that found nothing, and
the needs searched for in each area against the public listings that serve them there."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from directory.insights.logging import CHANNELS
from directory.insights.models import SearchLog
from directory.insights.reach import Needs, Reach
from directory.insights.tables import Chart, Column, Period, Table, month_key

#: How many of the most searched words, and of (area, need) pairs, the tables show.
TOP_QUERIES = 50
MAX_AREA_NEEDS = 200
CHANNEL_NAMES = {
    "site": "Search box",
    "guided": "Find help questions",
    "api": "API",
    "ask": "Ask for help",
}


def searches_monthly(session: Session, period: Period) -> Table:
    counts: Counter[tuple[str, str]] = Counter()
    zero: Counter[str] = Counter()
    rows = session.execute(
        select(SearchLog.at, SearchLog.channel, SearchLog.zero_results).where(
            *period.where(SearchLog.at)
        )
    )
    for at, channel, none_found in rows:
        month = month_key(at)
        counts[(month, channel if channel in CHANNELS else "site")] += 1
        zero[month] += bool(none_found)
    months = sorted({m for m, _ in counts})
    return Table(
        "searches_monthly",
        "Searches by month",
        "Every search counted once (paging through results is not another search), and how "
        "many found nothing, by where the search was made.",
        (
            Column("month", "Month"),
            Column("searches", "Searches", True),
            Column("zero_results", "Found nothing", True),
            *(Column(c, CHANNEL_NAMES[c], True) for c in CHANNELS),
        ),
        [
            (m, sum(counts[(m, c)] for c in CHANNELS), zero[m], *(counts[(m, c)] for c in CHANNELS))
            for m in months
        ],
        Chart("Searches by month", "month", "searches", limit=36),
    )


def _top_words(session: Session, period: Period, zero_only: bool) -> list[tuple[str, int, int]]:
    searches = func.count(SearchLog.id)
    nothing = func.sum(func.cast(SearchLog.zero_results, Integer))
    query = (
        select(SearchLog.query, searches, nothing)
        .where(SearchLog.query != "", *period.where(SearchLog.at))
        .group_by(SearchLog.query)
        .order_by(searches.desc(), SearchLog.query)
        .limit(TOP_QUERIES)
    )
    if zero_only:
        query = query.where(SearchLog.zero_results.is_(True))
    return [(words, int(count), int(none or 0)) for words, count, none in session.execute(query)]


def top_queries(session: Session, period: Period) -> Table:
    return Table(
        "top_queries",
        "Most searched words",
        f"The {TOP_QUERIES} most searched sets of words, as stored: lower case, with names, "
        "numbers, email addresses and postcodes taken out.",
        (Column("words", "Words searched"), Column("searches", "Searches", True),
         Column("zero_results", "Found nothing", True)),
        _top_words(session, period, zero_only=False),
        Chart("Most searched words", "words", "searches", limit=15),
    )  # fmt: skip


def zero_queries(session: Session, period: Period) -> Table:
    rows = [(words, count) for words, count, _ in _top_words(session, period, zero_only=True)]
    return Table(
        "zero_queries",
        "Searches that found nothing",
        "Words that found no service at all: help people look for that the directory does not "
        "list, or words it does not understand yet.",
        (Column("words", "Words searched"), Column("searches", "Searches", True)),
        rows,
        Chart("Searches that found nothing", "words", "searches", limit=15),
    )  # fmt: skip


def search_needs(session: Session, period: Period, reach: Reach) -> Table:
    """Needs searched for in each area (the search asked for them, or its words meant them)
    against the public listings a search there finds for them."""
    needs: Needs = reach.needs
    searched: Counter[tuple[str, str]] = Counter()
    zero: Counter[tuple[str, str]] = Counter()
    rows = session.execute(
        select(SearchLog.outcode, SearchLog.needs, SearchLog.zero_results).where(
            SearchLog.outcode.is_not(None), *period.where(SearchLog.at)
        )
    )
    for outcode, term_ids, none_found in rows:
        for need in needs.tops(term_ids):
            searched[(outcode, need)] += 1
            zero[(outcode, need)] += bool(none_found)
    pairs = sorted(searched, key=lambda p: (-searched[p], p[0], needs.label(p[1])))
    out = [
        (outcode, needs.label(need), searched[(outcode, need)], zero[(outcode, need)],
         reach.listings(outcode, need))
        for outcode, need in pairs[:MAX_AREA_NEEDS]
    ]  # fmt: skip
    return Table(
        "search_needs",
        "Needs searched for by area, against the listings that serve them",
        f"Up to {MAX_AREA_NEEDS} (area, need) pairs, most searched first. Listings: public "
        "listings a search for that need in that postcode district finds today.",
        (Column("area", "Area"), Column("need", "Need"), Column("searches", "Searches", True),
         Column("zero_results", "Found nothing", True),
         Column("listings", "Public listings that serve it", True)),
        out,
    )  # fmt: skip
