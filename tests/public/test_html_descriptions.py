"""A listing as a council's feed sends it (HTML description, hostile links) on every page and
output a resident or a consumer sees: the service, organisation and place pages, the results
page, JSON-LD, the calendar feed, the handover sheet, its PDF, Easy Read and the email, and
the API after an import."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from directory import create_app
from directory.db import db
from directory.listings.importer import import_services
from directory.models import Service
from search_index.sync import get_sync
from tests.conftest import _app_config
from tests.factories import make_organization, make_service
from tests.listings.test_html import COUNCIL, elements
from tests.mylist.smtp import Inbox, mail_config, smtp_server
from tests.public.conftest import json_ld, text_of

HOSTILE_URL = "javascript:alert(document.cookie)"
#: What no output may contain: markup or entities from the feed, or a script link.
LEAKS = ("<p", "p>", "&nbsp;", "&amp;nbsp;", "&lt;", "o:p", "MsoNormal", "alert(", "javascript:")
WORDS = "Glitch is a friendly group for young people aged 11 to 18"


@pytest.fixture
def site(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[SimpleNamespace]:
    """An app with an HTML-described listing whose links are hostile, as if stored by an old
    import, and a search index built over it; a real SMTP server for the email."""
    with smtp_server() as inbox:
        path = tmp_path / "directory.sqlite"
        shutil.copy(migrated_sqlite_template, path)
        config = _app_config(f"sqlite:///{path}", tmp_path)
        app = create_app({**config, "RATELIMIT_ENABLED": False, **mail_config(inbox)})
        with app.app_context():
            session = db.session
            org = make_organization(
                session, "Glitch Youth", description=COUNCIL, website="JaVaScRiPt:alert(1)"
            )
            service = make_service(
                session, "Glitch", organization=org, description=COUNCIL, url=HOSTILE_URL
            )
            location = service.service_at_locations[0].location
            location.description = "<p>Step&nbsp;free&nbsp;<b>entrance</b></p><script>x</script>"
            session.commit()
            ids = SimpleNamespace(service=service.id, org=org.id, place=location.id)
            get_sync(app).rebuild(procs=1)
        yield SimpleNamespace(app=app, client=app.test_client(), inbox=inbox, ids=ids)
        app.extensions["database"].engine.dispose()


def get(client: FlaskClient, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.data.decode()


def assert_clean(text: str, where: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} in {where}"


def main_part(html: str) -> str:
    """The page's own content, between the header and the footer."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_service_page_shows_sanitised_markup_and_no_hostile_link(site):
    html = get(site.client, f"/services/{site.ids.service}")
    content = main_part(html)
    assert '<ul class="govuk-list govuk-list--bullet"><li>Games &amp; films</li>' in content
    assert '<p class="govuk-body"><strong>What we do</strong></p>' in content
    assert "<script" not in content and "onerror" not in content and "o:p" not in content
    assert "javascript:" not in html.lower()
    assert "Visit the Glitch website" not in content, "a hostile link is not offered at all"
    assert 'href="https://glitch.example.org"' in content  # the description's safe link
    meta = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert meta.startswith(WORDS) and "&lt;" not in meta and "&amp;nbsp;" not in meta


def test_json_ld_gives_plain_text_and_no_hostile_url(site):
    data = json_ld(get(site.client, f"/services/{site.ids.service}").encode())
    assert data["description"].startswith(WORDS + " who are LGBTQ+ or questioning.\n\n")
    assert "• Games & films" in data["description"]
    assert "url" not in data and "url" not in data["provider"]
    assert not any("serviceUrl" in channel for channel in data["availableChannel"])


def test_the_results_page_summary_is_plain_words(site):
    html = get(site.client, "/search?q=glitch")
    summary = re.search(r'<p class="govuk-body govuk-!-margin-bottom-2">(.*?)</p>', html, re.S)
    assert summary is not None
    text = re.sub(r"</?mark>", "", summary.group(1))
    assert text.startswith(WORDS), text
    assert_clean(text, "the result summary")


def test_organisation_and_place_pages(site):
    org = main_part(get(site.client, f"/organisations/{site.ids.org}"))
    assert '<p class="govuk-body"><strong>What we do</strong></p>' in org
    assert "javascript:" not in org.lower() and "Visit the Glitch Youth website" not in org
    card = org.split('class="app-card-list__item"', 1)[1].split("</li>", 1)[0]
    summary = re.search(r'<p class="govuk-body">(.*?)</p>', card, re.S).group(1)
    assert summary.startswith(WORDS)
    assert_clean(summary, "the organisation's list of services")
    place = main_part(get(site.client, f"/places/{site.ids.place}"))
    assert '<p class="govuk-body">Step free <b>entrance</b></p>' in place
    card = place.split('class="app-card-list__item"', 1)[1].split("</li>", 1)[0]
    summary = re.search(r'<p class="govuk-body">(.*?)</p>', card, re.S).group(1)
    assert summary.startswith(WORDS)
    assert_clean(summary, "the place's list of services")


def test_the_calendar_feed_gives_plain_text(site):
    feed = get(site.client, f"/places/{site.ids.place}/sessions.ics")
    unfolded = feed.replace("\r\n ", "")
    description = re.search(r"DESCRIPTION:(.*)", unfolded).group(1)
    assert description.startswith(WORDS.replace(",", "\\,"))
    assert_clean(unfolded, "the calendar feed")


def test_the_list_handover_pdf_easy_read_and_email(site):
    client = site.client
    assert client.post("/my-list/add", data={"service_id": site.ids.service}).status_code == 303
    for url in ("/my-list", "/my-list/print", "/my-list/easy-read"):
        page = main_part(get(client, url))
        assert "Glitch" in page
        assert_clean(text_of(page.encode()), url)
        assert "javascript:" not in page.lower()
    for url in ("/my-list/handover.pdf", "/my-list/easy-read.pdf"):
        response = client.get(url)
        assert response.status_code == 200
        words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        assert "Glitch" in words
        assert_clean(words, url)
    assert client.post("/my-list/email", data={"email": "jo@example.net"}).status_code == 303
    inbox: Inbox = site.inbox
    message = inbox.messages[0]
    plain, html = message.part("plain"), message.part("html")
    assert "Glitch" in plain and "Glitch" in html
    assert_clean(plain, "the email's text")
    assert "javascript:" not in html.lower()


def test_an_imported_hostile_url_is_left_out_with_a_warning_and_the_api_has_none(app):
    """Stored as given; served on the API without anything that could run."""
    record = {
        "id": "5a3f2b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2c",
        "name": "Hostile Link Club",
        "status": "active",
        "description": COUNCIL,
        "url": " java\tscript:alert(1)",
        "organization": {
            "id": "5a3f2b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2d",
            "name": "Hostile Org",
            "website": "data:text/html;base64,PHNjcmlwdD4=",
        },
    }
    with app.app_context():
        report = import_services(db.session, [record])
        warnings = "\n".join(str(w) for w in report.warnings)
        assert warnings.count("not a web address (only http and https links are kept)") == 2
        service = db.session.get(Service, record["id"])
        assert service.url is None and service.organization.website is None
        assert service.description == COUNCIL, "a description is stored as given"
    client = app.test_client()
    body = client.get(f"/api/services/{record['id']}").get_json()
    assert body.get("url") is None
    assert (body.get("organization") or {}).get("website") is None
    assert "javascript" not in str(body).lower() and "data:text" not in str(body)
    # The API keeps the feed's markup but nothing a consumer rendering it could run.
    described = body["description"]
    assert "<ul><li>Games &amp; films</li>" in described
    assert '<a href="https://glitch.example.org">our site</a>' in described
    assert "<script" not in described and "<style" not in described and "evil" not in described


def test_a_bare_domain_from_a_feed_becomes_a_web_address(app):
    record = {"id": "5a3f2b1c-0d4e-4f5a-8b6c-7d8e9f0a1b30", "name": "Bare", "status": "active",
              "url": "glitch.example.org/youth"}  # fmt: skip
    with app.app_context():
        import_services(db.session, [record])
        assert db.session.get(Service, record["id"]).url == "https://glitch.example.org/youth"


def test_elements_helper_sees_attributes():
    """The helper the safety checks rely on does see what a browser would."""
    found = elements('<a href="x" onclick="y">z</a>')
    assert found.tags == ["a"] and ("a", "onclick", "y") in found.attributes


def test_the_api_never_serves_a_hostile_url_that_reached_the_database(site):
    """Imports refuse such links; a value that got in another way is still not served."""
    body = site.client.get(f"/api/services/{site.ids.service}").get_json()
    assert "javascript:" not in json.dumps(body).lower()
    assert "url" not in body and "website" not in body.get("organization", {})
