"""Safety pages and request size (issue 14, scope 9): searches about domestic abuse carried no
``Cache-Control: no-store``, and there was no ``MAX_CONTENT_LENGTH`` (a 200 MB upload to the
report form was accepted).

Every page rendered with the "Exit this page" button (a safety search, a journey or a listing
about abuse) and the cover-your-tracks advice are no-store now; bodies over
``MAX_CONTENT_LENGTH`` (1 MB by default) get a 413 page, refused before they are read.
"""

from __future__ import annotations

import io

import pytest

from directory.db import db
from tests.factories import make_service

SAFETY_SEARCHES = ["domestic abuse", "my partner hits me", "refuge near Chester"]
ORDINARY_SEARCHES = ["food bank", "lunch club"]


@pytest.fixture
def service_id(app) -> str:
    with app.app_context():
        found = make_service(db.session, "Upton Repair Cafe").id
        db.session.commit()
    return found


@pytest.mark.parametrize("words", SAFETY_SEARCHES)
def test_safety_searches_are_never_stored(client, service_id, words):
    response = client.get("/search", query_string={"q": words})
    assert response.status_code == 200
    assert "Exit this page" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("words", ORDINARY_SEARCHES)
def test_ordinary_searches_may_be_cached(client, service_id, words):
    response = client.get("/search", query_string={"q": words})
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_cover_your_tracks_is_never_stored(client):
    response = client.get("/cover-your-tracks")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_safety_journey_page_is_never_stored(client):
    """ "Someone is in danger" in the guided journey shows the exit button; no-store follows."""
    response = client.get("/find-help/who", query_string={"need": "urgent"})
    assert response.status_code == 200
    assert "Exit this page" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


class Endless(io.RawIOBase):
    """A request body of ``size`` bytes made on demand (never held in memory), counting what
    the server reads. Seekable only so the test client can work out its length."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), self.size - self.position))
        buffer[:count] = b"a" * count
        self.position += count
        self.read_so_far += count
        return count


HUGE = 200 * 1024 * 1024


def test_a_200_mb_report_is_refused_unread(client, service_id):
    body = Endless(HUGE)
    response = client.post(
        f"/services/{service_id}/report",
        input_stream=body,
        content_length=HUGE,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Sorry, what you sent was too large" in page
    assert body.read_so_far < 2 * 1024 * 1024


def test_a_chunked_body_without_a_length_is_cut_off_too(client, service_id):
    body = Endless(HUGE)
    response = client.post(
        f"/services/{service_id}/report",
        input_stream=body,
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert response.status_code == 413
    assert body.read_so_far < 4 * 1024 * 1024


def test_an_ordinary_report_still_goes_through(client, service_id):
    response = client.post(
        f"/services/{service_id}/report", data={"problem": "x" * 1000, "email": ""}
    )
    assert response.status_code == 303


def test_the_limit_is_a_setting(app, service_id):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    client = app.test_client()
    response = client.post(
        f"/services/{service_id}/report", data={"problem": "x" * 3000, "email": ""}
    )
    assert response.status_code == 413


def test_a_view_that_says_503_gets_the_unavailable_page_not_a_500(app):
    """``abort(503)`` (maintenance, a repair) is a planned "not now": the 503 page, its
    ``Retry-After`` kept, never stored; before, every HTTP error of 500 or over became a 500."""
    from werkzeug.exceptions import ServiceUnavailable

    def unavailable():
        raise ServiceUnavailable(retry_after=7)

    app.add_url_rule("/_test/unavailable", "test_unavailable", unavailable)
    response = app.test_client().get("/_test/unavailable")
    assert response.status_code == 503
    # Flask-Limiter raises it to the end of the rate-limit window when that is later, and
    # rounds the absolute time down first: 7 can come out as 6, never less.
    assert int(response.headers["Retry-After"]) >= 6
    assert response.headers["Cache-Control"] == "no-store"
    assert b"Sorry, the service is unavailable" in response.data
