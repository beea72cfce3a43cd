"""Which links a listing may carry, checked twice: when a feed is imported and when a page,
JSON-LD or a handover shows the link.

Feeds are written by many hands and sometimes by hostile ones. A ``url`` of
``javascript:alert(1)`` stored and then placed in ``href`` runs script on our domain when a
resident clicks "Visit the website", so only ``http`` and ``https`` web addresses are kept
(and ``mailto``/``tel`` where an email or phone link is made). The import rule
(:func:`web_address`) rejects anything else with a reason the import report shows; the output
rule (:func:`safe_url`) repeats the check, so a value that reached the database another way
(an old import, a hand edit, a migration) still never becomes a live link.

Browsers ignore tabs and newlines inside a URL and trim control characters around it, so
``java\\tscript:`` is ``javascript:`` to them: both checks remove those characters before
reading the scheme, exactly as a browser would.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

WEB_SCHEMES = frozenset({"http", "https"})
#: Schemes a link inside a listing's own description may use.
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
REJECTED = "is not a web address (only http and https links are kept)"

# Every C0 control character, DEL and the C1 controls: none belongs in a link, and browsers
# drop tabs and newlines silently, which is how "java\tscript:" gets past a naive check.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# A host name: labels of letters (any script), digits and hyphens, at least one dot.
_HOST = re.compile(r"^(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_][\w-]*\.?$")
_BARE = re.compile(r"^(?:[^\W_][\w-]*\.)+[^\W\d_][\w-]*\.?(?::\d{1,5})?(?:[/?#]|$)")
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[^@\s<>()\[\]\\,;:\".]+$")


def _shown(text: str) -> str:
    """The value as a warning quotes it: short, and with no control characters."""
    text = _CONTROL.sub("", text)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _unwrap(text: str) -> str:
    """Remove what a browser would ignore: control characters and surrounding spaces."""
    return _CONTROL.sub("", text).strip(" \u00a0")


def scheme_of(text: str) -> str | None:
    """The scheme a browser would read from ``text`` (lower case), or None for none.

    "example.org:8080/x" has a port, not a scheme: a "scheme" with a dot in it is a host."""
    match = _SCHEME.match(_unwrap(text))
    if match is None or "." in match.group(1):
        return None
    return match.group(1).lower()


def web_address(text: str | None) -> str | None:
    """The canonical form of a web address from a feed; ValueError when it is not one.

    ``https://`` is added to a bare domain ("example.org/x", "www.x.org") and to a
    protocol-relative "//x.org"; spaces after the host are encoded; the host must be a host
    name with a dot, ``localhost`` or an IP address. Every other scheme is refused with
    :data:`REJECTED`, so the import report says what was left out and why.
    """
    if text is None:
        return None
    raw = text
    text = _unwrap(text)
    if not text:
        return None
    scheme = scheme_of(text)
    if scheme is None:
        if text.startswith("//"):
            text = "https:" + text
        elif _BARE.match(text):
            text = "https://" + text
        else:
            raise ValueError(f"{_shown(raw)} {REJECTED}")
    elif scheme not in WEB_SCHEMES:
        raise ValueError(f"{_shown(raw)} {REJECTED}")
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname or "", parts.port  # a bad port ("x.org:99999") raises
    except ValueError:
        raise ValueError(f"{_shown(raw)} {REJECTED}") from None
    if not _is_host(host) or " " in parts.netloc:
        raise ValueError(f"{_shown(raw)} {REJECTED}")
    rest = (part.replace(" ", "%20") for part in (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme.lower(), parts.netloc, *rest))


def _is_host(host: str) -> bool:
    """A host name with a dot, ``localhost`` or an IP address: what a web address can reach."""
    if host == "localhost" or _HOST.match(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def safe_url(value: object, schemes: frozenset[str] = WEB_SCHEMES) -> str | None:
    """``value`` when it is a link with one of ``schemes``, else None: the check made at output
    time, wherever a listing's link becomes an ``href`` or JSON-LD ``url``.

    It never rewrites what it keeps beyond trimming what a browser would ignore, so a page
    shows the listing's own address; a bare domain (stored before imports added ``https://``)
    is given ``https://`` so it still works as a link."""
    if not isinstance(value, str):
        return None
    text = _unwrap(value)
    if not text or " " in text:
        return None
    scheme = scheme_of(text)
    if scheme is None:
        return "https://" + text if "https" in schemes and _BARE.match(text) else None
    if scheme not in schemes:
        return None
    if scheme in WEB_SCHEMES:
        try:
            parts = urlsplit(text)
            host, _port = parts.hostname or "", parts.port  # a bad port raises
        except ValueError:
            return None
        if not _is_host(host):
            return None
    return text


def safe_link(value: object) -> str | None:
    """A link inside a description: a web address, an email (``mailto:``) or a phone
    (``tel:``) link; anything else is None."""
    return safe_url(value, LINK_SCHEMES)


def safe_email(value: object) -> str | None:
    """``value`` when it reads as an email address, for a ``mailto:`` link; else None."""
    if not isinstance(value, str):
        return None
    text = _unwrap(value)
    return text if _EMAIL.match(text) else None
