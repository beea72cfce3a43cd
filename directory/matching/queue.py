"""The console's list of requests: open ones most urgent first, then the longest waiting, with
an ageing warning once a request has waited too many working days.

Working days leave out weekends and the bank holidays of the home nation (from
``HOME_AREA_CODE``), so a request made on a Friday is not "over 2 working days" on Monday.
The thresholds are ``REQUEST_AGEING_DAYS`` ("2,5": amber over 2, red over 5).

No personal data is read here: the list shows references, needs, outcodes and dates, so
looking at it is not an access to anyone's details.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy.orm import Session

from directory.accounts.models import StaffRole, User
from directory.help_requests.models import HelpRequest, RequestStatus, Urgency
from directory.listings.opening_closures import bank_holidays
from directory.public.search_params import TermIndex

log = logging.getLogger(__name__)
DEFAULT_AGEING = (2, 5)
URGENCY_LABELS = {
    Urgency.TODAY: "Today",
    Urgency.THIS_WEEK: "This week",
    Urgency.NOT_URGENT: "Not urgent",
}
URGENCY_ORDER = {Urgency.TODAY: 0, Urgency.THIS_WEEK: 1, Urgency.NOT_URGENT: 2}
#: The console's status filter: key -> label. "open" (the default) is every request not closed.
STATUS_FILTERS = {
    "open": "Open (not closed)",
    "unassigned": "Open and not assigned",
    "mine": "Assigned to me",
    "assigned": "Assigned to anyone",
    "closed": "Closed",
}
STATUS_LABELS = {
    RequestStatus.OPEN: "Open",
    RequestStatus.ASSIGNED: "Assigned",
    RequestStatus.CLOSED: "Closed",
}
OPEN_STATES = (RequestStatus.OPEN, RequestStatus.ASSIGNED)


def ageing_thresholds(value: object) -> tuple[int, int]:
    """``REQUEST_AGEING_DAYS`` ("2,5") as (amber, red) working days. A value that is not two
    whole numbers, the first smaller, is logged and the default used: a typo in a setting must
    not take the console down."""
    numbers = [int(n) for n in re.findall(r"\d+", str(value or ""))[:3]]
    if len(numbers) == 2 and 0 < numbers[0] < numbers[1]:
        return numbers[0], numbers[1]
    log.warning("REQUEST_AGEING_DAYS should be two numbers such as 2,5; using 2,5")
    return DEFAULT_AGEING


def working_days_between(start: date, end: date, region: str = "ENG") -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not
    later): Monday to Friday, less the region's bank holidays."""
    if end <= start:
        return 0
    holidays = bank_holidays(range(start.year, end.year + 1), region)
    days = 0
    day = start + timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in holidays:
            days += 1
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Ageing:
    working_days: int
    label: str | None = None  # "Over 5 working days"
    colour: str | None = None  # a GOV.UK tag colour: "orange" (amber) or "red"


def ageing(
    created: datetime, now: datetime, thresholds: tuple[int, int], region: str = "ENG"
) -> Ageing:
    days = working_days_between(created.date(), now.date(), region)
    amber, red = thresholds
    if days > red:
        return Ageing(days, f"Over {red} working days", "red")
    if days > amber:
        return Ageing(days, f"Over {amber} working days", "orange")
    return Ageing(days)


@dataclass
class QueuePage:
    requests: list[HelpRequest]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.total > self.page * self.per_page


def _with_needs(query, need_ids: set[str]):  # type: ignore[no-untyped-def]
    """Requests holding any of ``need_ids`` (a need and the needs below it). ``needs`` is a
    JSON list of ids, read as text so one query works on SQLite and PostgreSQL."""
    text = cast(HelpRequest.needs, String)
    return query.where(or_(*(text.contains(f'"{n}"', autoescape=True) for n in need_ids)))


def _with_status(query, status: str, user_id: str | None):  # type: ignore[no-untyped-def]
    if status == "closed":
        return query.where(HelpRequest.status == RequestStatus.CLOSED)
    if status == "unassigned":
        return query.where(HelpRequest.status == RequestStatus.OPEN)
    if status == "assigned":
        return query.where(HelpRequest.status == RequestStatus.ASSIGNED)
    if status == "mine":
        return query.where(HelpRequest.status.in_(OPEN_STATES), HelpRequest.assigned_to == user_id)
    return query.where(HelpRequest.status.in_(OPEN_STATES))


def request_queue(
    session: Session,
    *,
    status: str = "open",
    need_ids: set[str] | None = None,
    user_id: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """One page of requests for the console. Open ones: most urgent first, then oldest;
    closed ones: the most recently closed first."""
    status = status if status in STATUS_FILTERS else "open"
    query = _with_status(select(HelpRequest), status, user_id)
    if need_ids:
        query = _with_needs(query, need_ids)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if status == "closed":
        order = (HelpRequest.closed_at.desc(), HelpRequest.id)
    else:
        urgency = case(
            {u.value: rank for u, rank in URGENCY_ORDER.items()},
            value=cast(HelpRequest.urgency, String),
            else_=len(URGENCY_ORDER),
        )
        order = (urgency, HelpRequest.created_at, HelpRequest.id)
    page = max(1, page)
    rows = session.scalars(query.order_by(*order).offset((page - 1) * per_page).limit(per_page))
    return QueuePage(list(rows), total, page, per_page)


def status_counts(session: Session, user_id: str | None = None) -> dict[str, int]:
    """How many requests each status filter holds, for the filter's labels."""
    return {
        key: session.scalar(
            select(func.count()).select_from(
                _with_status(select(HelpRequest.id), key, user_id).subquery()
            )
        )
        or 0
        for key in STATUS_FILTERS
    }


def open_count(session: Session) -> int:
    """Requests not closed: the staff home's count."""
    return (
        session.scalar(
            select(func.count(HelpRequest.id)).where(HelpRequest.status.in_(OPEN_STATES))
        )
        or 0
    )


def staff_people(session: Session) -> list[User]:
    """Who a request can be assigned to: moderators and admins whose accounts work."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.staff_role.in_((StaffRole.MODERATOR, StaffRole.ADMIN)),
                User.is_disabled.is_(False),
            )
            .order_by(User.name, User.email)
        )
    )


def need_options(terms: TermIndex) -> list[tuple[str, str]]:
    """(id, label) of every need, as an indented tree, for the filter."""
    out: list[tuple[str, str]] = []

    def walk(term_id: str, depth: int) -> None:
        if depth > 6:
            return
        out.append((term_id, "\u2003" * depth + terms.label(term_id)))
        for child in sorted(terms.children.get(term_id, ()), key=terms.label):
            walk(child, depth + 1)

    for root in terms.top_level_needs():
        walk(root.id, 0)
    return out


def subtree(terms: TermIndex, term_id: str) -> set[str]:
    """A need and every need below it: the need filter's ids."""
    found: set[str] = set()
    todo = [term_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(terms.children.get(current, ()))
    return found
