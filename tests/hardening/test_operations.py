"""Operations (issue 14, scope 7): ``/healthz`` and ``/readyz``, structured JSON logs without
personal data, and rate limits keyed for a contact centre behind one address."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from directory import create_app
from directory.config import ConfigError
from directory.db import db
from directory.ops import logs
from search_index.store import get_store
from tests.factories import make_service

# Health and readiness --------------------------------------------------------------------------


def _ready_app(make_app, **overrides):
    app = make_app(**overrides)
    get_store(app)  # build the search index, as the deploy or the first search does
    return app


def test_healthz_answers_without_the_database(make_app):
    app = make_app()
    app.config["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_when_everything_is(make_app):
    response = _ready_app(make_app).test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "search_index": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung database)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.parametrize("fault", ["closed", "hung"])
def test_readyz_says_the_database_is_not_ready(make_app, fault, silent_server):
    app = _ready_app(make_app, READINESS_TIMEOUT=1.0)
    port = _closed_port() if fault == "closed" else silent_server
    app.config["DATABASE_URL"] = f"postgresql+psycopg://secretuser:pw@127.0.0.1:{port}/x"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    reason = body["checks"]["database"]
    assert reason.startswith("unreachable (") or reason == "no answer within 1 seconds"
    assert "secretuser" not in response.get_data(as_text=True)


def test_readyz_says_migrations_are_behind(make_app):
    app = _ready_app(make_app)
    engine = create_engine(app.config["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    engine.dispose()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"].startswith("at 0007, not at head")


def test_readyz_says_the_index_is_missing(make_app):
    response = make_app().test_client().get("/readyz")  # nothing has built an index yet
    assert response.status_code == 503
    assert response.get_json()["checks"]["search_index"] == "no index yet"


def test_probes_are_never_rate_limited(make_app):
    app = _ready_app(make_app, RATELIMIT_ENABLED=True, RATELIMIT_PAGES="2 per minute")
    client = app.test_client()
    assert [client.get("/privacy").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get("/healthz").status_code for _ in range(10)} == {200}
    assert {client.get("/readyz").status_code for _ in range(5)} == {200}


# Logs -------------------------------------------------------------------------------------------


@pytest.fixture
def json_log(make_app) -> Iterator[tuple[object, io.StringIO]]:
    """An app with LOG_FORMAT=json, its log lines captured; the root logger put back after."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    app = make_app(LOG_FORMAT="json", PROPAGATE_EXCEPTIONS=False)
    buffer = io.StringIO()
    ours = [h for h in root.handlers if isinstance(h, logs._OurHandler)]
    assert len(ours) == 1
    ours[0].setStream(buffer)
    yield app, buffer
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger(logs.REQUEST_LOGGER).setLevel(logging.NOTSET)


def _lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_one_json_line_per_request_without_query_strings_or_personal_data(json_log):
    app, buffer = json_log
    with app.app_context():
        service_id = make_service(db.session, "Upton Repair Cafe").id
        db.session.commit()
    client = app.test_client()
    client.get("/search", query_string={"q": "Jane Doe debt", "where": "CH1 2HJ"})
    client.post(
        f"/services/{service_id}/report",
        data={"problem": "Ring Jane on 07700 900982", "email": "jane.doe@example.net"},
    )
    client.post("/account/sign-in", data={"email": "jane.doe@example.net", "password": "pw"})
    client.get("/account/reset/a-secret-reset-token")
    client.get("/no/such/page?name=Jane")

    requests = [line for line in _lines(buffer) if line["logger"] == logs.REQUEST_LOGGER]
    assert [(r["method"], r["endpoint"], r["status"]) for r in requests] == [
        ("GET", "public.search", 200),
        ("POST", "public.report", 303),
        ("POST", "accounts.sign_in", 200),
        ("GET", "accounts.reset_with_token", 400),
        ("GET", "-", 404),
    ]
    for line in requests:
        assert set(line) == {
            "time", "level", "logger", "message", "request_id", "method", "endpoint",
            "status", "duration_ms",
        }  # fmt: skip
        assert isinstance(line["duration_ms"], float)
    everything = buffer.getvalue()
    for private in ("Jane", "jane", "CH1", "07700", "a-secret-reset-token", "q=", "/services/"):
        assert private not in everything, private


def test_exceptions_are_logged_by_type_and_endpoint_not_message_or_path(json_log):
    app, buffer = json_log

    address = "-".join(["jane", "doe@example.net"])  # data, not in the code's own text

    def boom(token: str) -> str:
        raise ValueError(f"could not save {address} ({token})")

    app.add_url_rule("/boom/<token>", "boom", boom)
    response = app.test_client().get("/boom/secret-token-123")
    assert response.status_code == 500
    [error] = [line for line in _lines(buffer) if line["level"] == "ERROR"]
    assert error["message"] == "Exception on boom [GET]"
    assert error["exception"] == "ValueError"
    assert "raise ValueError" in error["stack"]
    assert "jane" not in buffer.getvalue() and "secret-token-123" not in buffer.getvalue()


def test_the_request_id_is_passed_through_or_made(make_app):
    client = make_app().test_client()
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_x"})
    assert given.headers["X-Request-ID"] == "lb-7f3a.2_x"
    for bad in ("has spaces", "x" * 65, "semi;colon", ""):
        made = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert made != bad and len(made) == 32


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_FORMAT", "xml"),
        ("LOG_LEVEL", "LOUD"),
        ("RATELIMIT_KEY", "cookie"),
        ("RATELIMIT_ROUTES", "not json"),
        ("RATELIMIT_ROUTES", '["public.search"]'),
        ("RATELIMIT_ROUTES", '{"public.search": "lots"}'),
        ("RATELIMIT_ROUTES", '{"public.nowhere": "5 per minute"}'),
    ],
)
def test_bad_operations_settings_stop_the_app_at_start_up(app, name, value):
    with pytest.raises(ConfigError, match=name):
        create_app({**app.config, name: value})


# Rate-limit keys --------------------------------------------------------------------------------


def _limited(make_app, **overrides):
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_PAGES="3 per minute", **overrides)


def test_by_default_everyone_behind_one_address_shares_a_limit(make_app):
    app = _limited(make_app)
    first, second = app.test_client(), app.test_client()
    assert [first.get("/privacy").status_code for _ in range(3)] == [200] * 3
    assert second.get("/privacy").status_code == 429


def test_ip_and_session_counts_each_browser_behind_the_address(make_app):
    app = _limited(make_app, RATELIMIT_KEY="ip+session")
    first, second = app.test_client(), app.test_client()
    # A browser's first request counts against the address and gives it its own count.
    assert [first.get("/privacy").status_code for _ in range(4)] == [200] * 4
    assert first.get("/privacy").status_code == 429
    assert [second.get("/privacy").status_code for _ in range(4)] == [200] * 4
    assert second.get("/privacy").status_code == 429


def test_ip_and_session_gives_a_cookieless_client_only_the_address(make_app):
    app = _limited(make_app, RATELIMIT_KEY="ip+session")
    bot = app.test_client(use_cookies=False)
    assert [bot.get("/privacy").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_ip_and_session_leaves_the_api_per_address_and_cookieless(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_API="2 per minute", RATELIMIT_KEY="ip+session")
    first, second = app.test_client(), app.test_client()
    answers = [first.get("/api/"), first.get("/api/")]
    assert all("Set-Cookie" not in a.headers for a in answers)
    assert second.get("/api/").status_code == 429


def test_a_route_can_have_its_own_limit(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_PAGES="100 per minute",
        RATELIMIT_REPORTS="50 per minute",
        RATELIMIT_ROUTES=json.dumps(
            {"public.privacy": "2 per minute", "public.report": "1/minute"}
        ),
    )
    with app.app_context():
        service_id = make_service(db.session, "Upton Repair Cafe").id
        db.session.commit()
    client = app.test_client()
    assert [client.get("/privacy").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/cookies").status_code == 200
    report = {"problem": "The phone number is wrong", "email": ""}
    assert client.post(f"/services/{service_id}/report", data=report).status_code == 303
    assert client.post(f"/services/{service_id}/report", data=report).status_code == 429
