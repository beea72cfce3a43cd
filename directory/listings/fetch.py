"""Fetching a feed over HTTP(S), politely and within limits.

Council feeds sit on small servers: a run waits between pages (``IMPORT_PAGE_DELAY``, 1 s by
default), names itself in ``User-Agent``, retries what is worth retrying (5xx, timeouts and
dropped connections with exponential backoff; 429 after the ``Retry-After`` the server asks
for), gives up on what is not (4xx), and refuses a response bigger than the file size limit
rather than filling memory. Only the standard library is used (``urllib``), so importing needs
no extra dependency.
"""

from __future__ import annotations

import email.utils
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from directory.listings.limits import MAX_BYTES, SourceError, check_size, decode, parse_json

#: Seconds between pages of a feed by default (the command uses ``IMPORT_PAGE_DELAY`` or
#: ``--delay``).
PAGE_DELAY = 1.0
#: Seconds to wait for a feed by default (the command uses ``IMPORT_TIMEOUT``).
TIMEOUT = 30.0
RETRIES = 4
#: The longest wait a server's Retry-After is honoured for; longer is treated as a failure.
MAX_RETRY_AFTER = 300.0
_CHUNK = 1024 * 1024


class FetchError(SourceError):
    """The feed could not be fetched, after retrying whatever was worth retrying."""


@dataclass
class Fetcher:
    """Fetches JSON documents. ``sleep`` is injectable so tests never really wait."""

    user_agent: str = "community-directory-importer/1.0"
    timeout: float = TIMEOUT
    retries: int = RETRIES
    backoff: float = 1.0
    max_bytes: int = MAX_BYTES
    sleep: Callable[[float], None] = time.sleep
    #: Messages about retries, for the import report.
    log: list[str] | None = None

    def get_json(self, url: str) -> Any:
        """The parsed JSON at ``url``; :class:`FetchError` or ``SourceError`` when it fails."""
        data, what = self.get_bytes(url)
        text, _note = decode(data, what)
        return parse_json(text, what)

    def get_bytes(self, url: str) -> tuple[bytes, str]:
        if not url.lower().startswith(("http://", "https://")):
            raise FetchError(f"{url} is not an http(s) address")
        last: str = ""
        for attempt in range(self.retries + 1):
            wait = self.backoff * (2**attempt)
            try:
                return self._once(url), url
            except urllib.error.HTTPError as exc:
                last = f"{url} answered {exc.code} {exc.reason}"
                if exc.code == 429:
                    wait = _retry_after(exc.headers.get("Retry-After"), wait)
                    if wait > MAX_RETRY_AFTER:
                        raise FetchError(f"{last}; it asks us to wait {wait:.0f} s") from exc
                elif exc.code < 500:
                    raise FetchError(last) from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{url} could not be reached: {reason}"
            if attempt < self.retries:
                self._note(f"{last}; trying again in {wait:.1f} s")
                self.sleep(wait)
        raise FetchError(f"{last} (tried {self.retries + 1} times)")

    def _once(self, url: str) -> bytes:
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit():
                check_size(int(length), f"the response from {url}", self.max_bytes)
            chunks, size = [], 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                check_size(size, f"the response from {url}", self.max_bytes)
                chunks.append(chunk)
            return b"".join(chunks)

    def _note(self, message: str) -> None:
        if self.log is not None:
            self.log.append(message)


def _retry_after(value: str | None, default: float) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
