"""Only safe links: http(s) web addresses from feeds, and the same check when a link is shown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.listings.links import (
    REJECTED,
    safe_email,
    safe_link,
    safe_url,
    scheme_of,
    web_address,
)
from directory.listings.records import CONVERTERS

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript\x00:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.org/",
    "mailto:someone@example.org",
    "tel:01632960001",
    "//",
    "https://",
    "http://exa mple.org/",
    "See our Facebook page",
    "info@example.org",
    "https://x.example.org:99999/",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_feed_value_that_is_not_a_web_address_is_refused(value):
    with pytest.raises(ValueError, match=r"not a web address \(only http and https"):
        web_address(value)
    with pytest.raises(ValueError, match="only http and https links are kept"):
        CONVERTERS["url"](value)
    assert safe_url(value) is None


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://www.example.org/help", "https://www.example.org/help"),
        ("HTTP://Example.org/Path?q=1#top", "http://Example.org/Path?q=1#top"),
        ("example.org/x", "https://example.org/x"),
        ("www.x", "https://www.x"),
        ("www.blacontrust.example.org.uk", "https://www.blacontrust.example.org.uk"),
        ("//cdn.example.org/a", "https://cdn.example.org/a"),
        ("example.org:8080/x", "https://example.org:8080/x"),
        ("  https://example.org/a b  ", "https://example.org/a%20b"),
        ("https://exam\tple.org/", "https://example.org/"),
        ("http://192.168.0.1/", "http://192.168.0.1/"),
        ("https://café.example/menu", "https://café.example/menu"),
        (None, None),
        ("", None),
    ],
)
def test_web_addresses_are_kept_and_bare_domains_get_https(value, stored):
    assert web_address(value) == stored


def test_the_warning_quotes_a_short_clean_value():
    with pytest.raises(ValueError) as caught:
        web_address("javascript:" + "x" * 500 + "\x07")
    message = str(caught.value)
    assert message.endswith(REJECTED) and len(message) < 160 and "\x07" not in message


def test_links_in_descriptions_may_also_email_or_phone():
    assert safe_link("mailto:help@example.org") == "mailto:help@example.org"
    assert safe_link("tel:01632960001") == "tel:01632960001"
    assert safe_link("javascript:alert(1)") is None and safe_link("/relative") is None
    assert safe_url("tel:01632960001") is None


def test_scheme_is_read_as_a_browser_reads_it():
    assert scheme_of("java\tscript:x") == "javascript"
    assert scheme_of("example.org:8080") is None
    assert scheme_of("no scheme here") is None


def test_safe_email():
    assert safe_email(" help@example.org ") == "help@example.org"
    assert safe_email("javascript:alert(1)") is None and safe_email(None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_whatever_is_kept_is_an_http_link(value):
    for found in (safe_url(value), _kept(value)):
        if found is not None:
            assert scheme_of(found) in {"http", "https"}
            assert safe_url(found) == found


def _kept(value: str) -> str | None:
    try:
        return web_address(value)
    except ValueError:
        return None
