"""Offers and answers in words: the check-answers rows and the text staff pages show
("Monday: morning, evening", "Within 5 km of CH1 2HJ", the needs' everyday names)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from directory.help_offers.forms import km_text
from directory.help_offers.services import DAYS, PARTS
from directory.public.guided import plain_label
from directory.public.search_params import TermIndex

__all__ = ["DAYS", "PARTS", "availability_text", "check_rows", "needs_text", "where_lines"]

_DAY_NAMES = dict(DAYS)
_PART_NAMES = dict(PARTS)


def availability_text(slots: Iterable[str], any_time: bool = False) -> list[str]:
    """One line a day: ``["Monday: morning, evening", ...]``; ``["Any time"]`` for none."""
    chosen = set(slots or [])
    if any_time or not chosen:
        return ["Any time"]
    lines = []
    for day, day_name in DAYS:
        parts = [name.lower() for part, name in PARTS if f"{day}-{part}" in chosen]
        if parts:
            lines.append(f"{day_name}: {', '.join(parts)}")
    return lines


def needs_text(term_ids: Iterable[str], terms: TermIndex) -> list[str]:
    """The needs in everyday words, as the need list shows them."""
    out = []
    for term_id in term_ids or []:
        term = terms.by_id.get(term_id)
        out.append(plain_label(term) if term else "A need no longer in the list")
    return out


def where_lines(
    postcode: str | None,
    radius_km: float | None,
    areas: Iterable[str],
    area_names: Mapping[str, str],
) -> list[str]:
    """Where an offer reaches: the distance from a postcode (or outcode), then each area."""
    lines = []
    if postcode and radius_km:
        lines.append(f"Within {km_text(radius_km)} km of {postcode}")
    lines += [area_names.get(area, area) for area in areas or []]
    return lines or ["Not given"]


def _row(key: str, lines: list[str], slug: str, change_url: Callable[[str], str]) -> dict:
    return {"key": key, "lines": lines, "href": change_url(slug), "slug": slug}


def check_rows(
    answers: dict[str, Any],
    *,
    terms: TermIndex,
    areas: Mapping[str, str],
    listings: Mapping[str, str],
    change_url: Callable[[str], str],
    show_listing: bool,
) -> list[dict]:
    """The rows of "Check your answers": a key, the answer's lines and its "Change" link."""
    organisation = answers.get("kind") == "organisation"
    rows = [
        _row(
            "Who is offering help",
            ["An organisation or group" if organisation else "Me, as a volunteer"],
            "who",
            change_url,
        )
    ]
    if show_listing:
        listing = answers.get("listing")
        rows.append(
            _row("Listing", [listings.get(listing, "None of these")], "listing", change_url)
        )
    capacity = answers.get("capacity")
    rows += [
        _row(
            "What you can help with", needs_text(answers.get("needs"), terms), "needs", change_url
        ),
        _row("About the help", [answers.get("description") or ""], "description", change_url),
        _row(
            "Where",
            where_lines(
                answers.get("postcode"),
                answers.get("radius_km"),
                [*(answers.get("area_codes") or []), *(answers.get("places") or [])],
                areas,
            ),
            "where",
            change_url,
        ),
        _row(
            "When",
            availability_text(answers.get("availability") or [], bool(answers.get("any_time"))),
            "when",
            change_url,
        ),
        _row(
            "How many people at once",
            [str(capacity) if capacity else "No set limit"],
            "capacity",
            change_url,
        ),
    ]
    contact = []
    if answers.get("organisation_name"):
        contact.append(answers["organisation_name"])
    contact += [answers.get(key) for key in ("name", "phone", "email") if answers.get(key)]
    rows.append(_row("Contact details", contact, "contact", change_url))
    return rows
