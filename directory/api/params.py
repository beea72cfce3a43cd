"""Read and check the API's query parameters, so the queries only ever see clean values.

Everything a client sends is hostile until parsed here: numbers are matched against a plain
ASCII pattern before ``int``/``float`` see them (Python would otherwise accept ``"5_000"``,
``"nan"``, ``"1e400"`` and Arabic-Indic digits), every value has a length limit, and every
failure is a :class:`~directory.api.errors.BadParameter` naming the parameter and saying why in
plain English. Unknown parameters are ignored, as most ORUK APIs do; an empty value counts as
not given (what an HTML form sends for a blank field).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, time

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from directory.api.errors import BadParameter, Unavailable
from directory.api.filters import MAX_PROXIMITY_METRES, Place, ServiceFilters
from directory.api.queries import Paging
from directory.core.ids import normalise_uuid
from directory.listings.models import Organization
from directory.places.gazetteer import GazetteerMissing, get_gazetteer
from directory.places.postcodes import normalise_outcode, normalise_postcode
from directory.taxonomy.models import Taxonomy, TaxonomyTerm

logger = logging.getLogger(__name__)

DEFAULT_PER_PAGE = 50
#: Far beyond any real directory, and small enough that OFFSET never overflows a database.
MAX_PAGE = 100_000
#: Nobody is older; anything above is a typo or a probe.
MAX_AGE = 150
#: About the length of Great Britain: further than this is not "nearby" by any reading.
MAX_VALUE_LENGTH = 200

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,18}(?:\.[0-9]{1,12})?")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DATE_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# "+01:00" arrives as " 01:00" when a client forgets to percent-encode the plus sign.
_LOST_PLUS = re.compile(r"T[0-9:.]+ ([0-9]{2}:?[0-9]{2})$")

_DAYS = {
    "MO": ("MO", "MON", "MONDAY"),
    "TU": ("TU", "TUE", "TUES", "TUESDAY"),
    "WE": ("WE", "WED", "WEDNESDAY"),
    "TH": ("TH", "THU", "THUR", "THURS", "THURSDAY"),
    "FR": ("FR", "FRI", "FRIDAY"),
    "SA": ("SA", "SAT", "SATURDAY"),
    "SU": ("SU", "SUN", "SUNDAY"),
}
_DAY_CODES = {alias: code for code, aliases in _DAYS.items() for alias in aliases}


def text_value(args: MultiDict[str, str], name: str) -> str | None:
    """One parameter's value, stripped; None when absent or blank.

    A parameter given twice is refused rather than silently using one of the values: the
    client evidently meant something we would not do.
    """
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, f"{name} was given {len(values)} times; give it once.")
    if not values:
        return None
    value = values[0].strip()
    if len(value) > MAX_VALUE_LENGTH:
        raise BadParameter(name, f"{name} is too long (at most {MAX_VALUE_LENGTH} characters).")
    return value or None


def whole_number(
    args: MultiDict[str, str], name: str, *, default: int, minimum: int, maximum: int
) -> int:
    value = text_value(args, name)
    if value is None:
        return default
    if not _WHOLE.fullmatch(value):
        raise BadParameter(name, f"{name} must be a whole number, such as {default}.")
    number = int(value)
    if not minimum <= number <= maximum:
        raise BadParameter(name, f"{name} must be between {minimum} and {maximum}.")
    return number


def decimal_number(
    args: MultiDict[str, str], name: str, *, minimum: float, maximum: float, unit: str = ""
) -> float | None:
    value = text_value(args, name)
    if value is None:
        return None
    if not _DECIMAL.fullmatch(value):
        raise BadParameter(name, f"{name} must be a number, such as 18 or 2.5.")
    number = float(value)
    if not minimum <= number <= maximum:
        raise BadParameter(
            name, f"{name} must be between {_plain(minimum)} and {_plain(maximum)}{unit}."
        )
    return number


def _plain(number: float) -> str:
    """1000000 rather than 1e+06, 2.5 rather than 2.500000."""
    return f"{number:,.12f}".rstrip("0").rstrip(".").replace(",", "")


def uuid_value(args: MultiDict[str, str], name: str) -> str | None:
    value = text_value(args, name)
    if value is None:
        return None
    normal = normalise_uuid(value)
    if normal is None:
        raise BadParameter(
            name, f"{name} must be a UUID, such as 3fa85f64-5717-4562-b3fc-2c963f66afa6."
        )
    return normal


def day_value(args: MultiDict[str, str], name: str = "day") -> str | None:
    """An RFC 5545 weekday code ("MO") from "MO", "Mon" or "Monday" in any case."""
    value = text_value(args, name)
    if value is None:
        return None
    code = _DAY_CODES.get(value.upper())
    if code is None:
        raise BadParameter(
            name, f"{name} must be a day of the week: MO, TU, WE, TH, FR, SA, SU or e.g. Monday."
        )
    return code


def time_value(args: MultiDict[str, str], name: str) -> time | None:
    value = text_value(args, name)
    if value is None:
        return None
    match = _TIME.fullmatch(value)
    hour, minute, second = (int(g or 0) for g in match.groups()) if match else (99, 0, 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadParameter(name, f"{name} must be a time of day as HH:MM or HH:MM:SS, e.g. 09:30.")
    return time(hour, minute, second)


def datetime_value(args: MultiDict[str, str], name: str) -> datetime | None:
    """An ISO 8601 date or date-time; a date means its midnight, no offset means UTC."""
    value = text_value(args, name)
    if value is None:
        return None
    value = _LOST_PLUS.sub(lambda m: m.group(0).replace(" ", "+"), value)
    try:
        if not _DATE_START.match(value):
            raise ValueError(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            name,
            f"{name} must be an ISO 8601 date or date-time, such as 2025-01-31 or "
            "2025-01-31T09:00:00Z.",
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def paging(args: MultiDict[str, str], max_per_page: int) -> Paging:
    return Paging(
        page=whole_number(args, "page", default=1, minimum=1, maximum=MAX_PAGE),
        per_page=whole_number(
            args,
            "per_page",
            default=min(DEFAULT_PER_PAGE, max_per_page),
            minimum=1,
            maximum=max_per_page,
        ),
    )


def _place(args: MultiDict[str, str], gazetteer_path: str | None) -> Place | None:
    """The postcode's centroid and local authorities, from the offline gazetteer.

    A full postcode is what ORUK asks for; an outcode ("CH1") is accepted too and stands for
    the middle of that district.
    """
    value = text_value(args, "postcode")
    if value is None:
        return None
    postcode, outcode = normalise_postcode(value), normalise_outcode(value)
    if postcode is None and outcode is None:
        raise BadParameter("postcode", f"{value!r} is not a UK postcode, such as CH1 2HJ.")
    try:
        gazetteer = get_gazetteer(gazetteer_path)
    except GazetteerMissing:
        # Logged for the operator; the client learns only that this filter is out of action.
        logger.exception("postcode filter used but the gazetteer is not built")
        raise Unavailable(
            "Searching by postcode is not available at the moment.", parameter="postcode"
        ) from None
    found = gazetteer.postcode(postcode) if postcode else gazetteer.outcode(outcode)
    if found is None:
        raise BadParameter("postcode", f"The postcode {postcode or outcode} was not found.")
    return Place(
        postcode=postcode or outcode,
        latitude=found.latitude,
        longitude=found.longitude,
        authority_codes=frozenset(gazetteer.authorities_containing(found)),
    )


def _must_exist(session: Session, model: type, value: str | None, name: str, what: str) -> None:
    if value is not None and session.get(model, value) is None:
        raise BadParameter(name, f"There is no {what} with id {value}.")


def service_filters(
    args: MultiDict[str, str], session: Session, gazetteer_path: str | None = None
) -> ServiceFilters:
    """The filters shared by ``/services`` and ``/service_at_locations``.

    Ids that name nothing are a 400, not an empty page: a typo in a taxonomy id would otherwise
    look exactly like "no services of that kind", and the client would never know.
    """
    filters = ServiceFilters(
        search=text_value(args, "search"),
        taxonomy_term_id=uuid_value(args, "taxonomy_term_id"),
        taxonomy_id=uuid_value(args, "taxonomy_id"),
        organization_id=uuid_value(args, "organization_id"),
        minimum_age=decimal_number(args, "minimum_age", minimum=0, maximum=MAX_AGE),
        maximum_age=decimal_number(args, "maximum_age", minimum=0, maximum=MAX_AGE),
        day=day_value(args),
        start_time=time_value(args, "start_time"),
        end_time=time_value(args, "end_time"),
        modified_after=datetime_value(args, "modified_after"),
        proximity=decimal_number(
            args, "proximity", minimum=1, maximum=MAX_PROXIMITY_METRES, unit=" metres"
        ),
        place=_place(args, gazetteer_path),
    )
    if (
        filters.minimum_age is not None
        and filters.maximum_age is not None
        and filters.minimum_age > filters.maximum_age
    ):
        raise BadParameter("maximum_age", "maximum_age must not be less than minimum_age.")
    if filters.proximity is not None and filters.place is None:
        raise BadParameter("proximity", "proximity needs a postcode to measure the distance from.")
    _must_exist(
        session, TaxonomyTerm, filters.taxonomy_term_id, "taxonomy_term_id", "taxonomy term"
    )
    _must_exist(session, Taxonomy, filters.taxonomy_id, "taxonomy_id", "taxonomy")
    _must_exist(session, Organization, filters.organization_id, "organization_id", "organisation")
    return filters


def taxonomy_term_filters(args: MultiDict[str, str], session: Session) -> str | None:
    """``/taxonomy_terms?taxonomy_id=``: the terms of one taxonomy."""
    taxonomy_id = uuid_value(args, "taxonomy_id")
    _must_exist(session, Taxonomy, taxonomy_id, "taxonomy_id", "taxonomy")
    return taxonomy_id
