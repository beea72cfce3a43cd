"""Walking a paged feed: which page comes next, when the last one has been read, and what
identifies the feed whatever page a URL points at.

Feeds page in different ways, all handled: a ``next`` link (``next``, ``links.next``,
``_links.next.href``, ``next_page_url``); ORUK 3.0's ``page_number``/``total_pages``/
``last_page``; Spring's ``number``/``totalPages``/``last``/``first`` as ORUK 1.0 APIs and
Outpost serve them (``number`` counted from 0 by Spring, from 1 by Outpost, told apart by the
echo); or nothing at all (a bare list is the whole feed). The walk is *complete* only when a
page says it is the last, or the page count is reached, or an empty page ends a feed that gave
no count: only a complete walk may retire listings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from directory.listings.fetch import Fetcher, FetchError
from directory.listings.sources import page_records

#: Query parameters that choose a page rather than what the feed holds.
PAGING_PARAMS = frozenset({
    "page", "per_page", "perpage", "page_size", "pagesize", "size", "limit", "offset",
    "page_number", "pagenumber", "pageno", "start",
})  # fmt: skip
MAX_PAGES = 100_000


def _split(url: str) -> tuple[Any, list[tuple[str, str]]]:
    parts = urlsplit(url.strip())
    return parts, parse_qsl(parts.query, keep_blank_values=True)


def feed_identity(url: str) -> str:
    """The feed a URL belongs to: scheme and host in lower case, paging parameters and the
    fragment removed, the rest of the query sorted."""
    parts, query = _split(url)
    kept = sorted((k, v) for k, v in query if k.lower() not in PAGING_PARAMS)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(kept), ""))


def with_page(url: str, page: int, per_page: int | None = None) -> str:
    """``url`` asking for ``page`` (and ``per_page`` when given)."""
    parts, query = _split(url)
    wanted = {"page": str(page), **({"per_page": str(per_page)} if per_page else {})}
    query = [(k, wanted.pop(k) if k in wanted else v) for k, v in query]
    query.extend(wanted.items())
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def page_of(url: str) -> int | None:
    for key, value in _split(url)[1]:
        if key == "page" and value.lstrip("-").isdigit():
            return int(value)
    return None


def _number(data: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _next_link(data: dict[str, Any], url: str) -> tuple[bool, str | None]:
    """(the feed uses next links, the next page's URL or None for the last)."""
    candidates: list[Any] = [data.get("next"), data.get("next_page_url")]
    for key in ("links", "_links"):
        links = data.get(key)
        if isinstance(links, dict):
            candidates.append(links.get("next"))
    uses = any(k in data for k in ("next", "next_page_url")) or any(
        isinstance(data.get(k), dict) and "next" in data[k] for k in ("links", "_links")
    )
    for value in candidates:
        if isinstance(value, dict):
            value = value.get("href")
        if isinstance(value, str) and value.strip():
            return True, urljoin(url, value.strip())
    return uses, None


@dataclass
class Page:
    url: str
    records: list[Any]
    #: The next page's URL; None when this page is the feed's last.
    next_url: str | None
    total_items: int | None = None
    #: True when the feed said this page was its last (or the page count was reached).
    says_last: bool = False


def read_page(data: Any, url: str, *, zero_based: bool = False) -> Page:
    """One page of a feed: its records and the URL of the next page (None at the end)."""
    records = page_records(data)
    if records is None:
        # A bare list, or a single object: the whole feed in one go.
        found = data if isinstance(data, list) else [data]
        return Page(url, found, None, len(found), says_last=True)
    total_items = _number(data, "totalElements", "total_items", "total", "count")
    uses_links, link = _next_link(data, url)
    if uses_links:
        return Page(url, records, link, total_items, says_last=link is None)
    if data.get("last") is True or data.get("last_page") is True or not records:
        return Page(url, records, None, total_items, says_last=True)
    requested = page_of(url) or (0 if zero_based else 1)
    total_pages = _number(data, "totalPages", "total_pages")
    if total_pages is not None and requested + (1 if zero_based else 0) >= total_pages:
        return Page(url, records, None, total_items, says_last=True)
    if data.get("last") is False or data.get("last_page") is False or total_pages is not None:
        return Page(url, records, with_page(url, requested + 1), total_items)
    # No sign of paging at all: an envelope holding the whole feed.
    return Page(url, records, None, total_items, says_last=True)


def _fingerprint(records: list[Any]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()).hexdigest()


def walk(
    fetcher: Fetcher,
    url: str,
    *,
    per_page: int | None = None,
    all_pages: bool = True,
    resume: bool = False,
    delay: float = 0.0,
) -> Iterator[Page]:
    """The pages of a feed from ``url`` (a resumed cursor's URL when ``resume``), fetched
    with ``delay`` seconds between them; stops after the first page unless ``all_pages``."""
    explicit = page_of(url) is not None
    if resume or (explicit and not per_page):
        current = url
    else:
        current = with_page(url, page_of(url) or 1, per_page)
    data = fetcher.get_json(current)
    zero_based = False
    if not explicit and not resume and isinstance(data, dict) and data.get("first") is False:
        if _number(data, "number") == 1:  # Spring counts pages from 0: go back for page 0
            current = with_page(url, 0, per_page)
            data = fetcher.get_json(current)
            zero_based = True
    elif resume and isinstance(data, dict):
        zero_based = _number(data, "number") == (page_of(current) or 1) - 1
    previous = None
    for _ in range(MAX_PAGES):
        page = read_page(data, current, zero_based=zero_based)
        fingerprint = _fingerprint(page.records)
        if page.records and fingerprint == previous:
            raise FetchError(f"{current} returned the same records as the page before; stopped")
        previous = fingerprint
        yield page
        if page.next_url is None or not all_pages:
            return
        if delay:
            fetcher.sleep(delay)
        current = page.next_url
        data = fetcher.get_json(current)
    raise FetchError(f"{url} has more than {MAX_PAGES} pages; stopped")
