"""Redis unreachable or hung (issue 14, scopes 8 and 9): nothing was logged and each request
stalled 5-10 seconds (redis-py's default retries with backoff). Now the limiter's Redis client
has short timeouts and no retries (``REDIS_TIMEOUT``), limits fail open to this process's
memory, and one warning is logged per process per outage.

Both faults are real: a port nothing listens on, and a TCP server that accepts connections and
never answers (a hung Redis).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest

from directory.extensions import limiter

WARNING = "Rate-limit storage"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hung_redis() -> Iterator[tuple[int, list[socket.socket]]]:
    """A listening socket that accepts and then says nothing, ever."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "directory.ops.ratelimits" and r.getMessage().startswith(WARNING)
    ]


def _pages_still_answer(app, caplog) -> None:
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="directory.ops.ratelimits"):
        statuses = [client.get(path).status_code for path in ("/privacy", "/", "/privacy")]
        statuses += [client.get("/cookies").status_code for _ in range(3)]
    assert statuses == [200] * 6
    [warning] = _warnings(caplog)  # once, however many requests
    assert "unreachable" in warning and "memory" in warning
    assert "secret" not in warning  # the URL's password is never logged


def test_a_closed_port_fails_open_with_one_warning(make_app, caplog):
    app = make_app(
        RATELIMIT_ENABLED=True,
        REDIS_URL=f"redis://:secret@127.0.0.1:{_closed_port()}/0",
    )
    _pages_still_answer(app, caplog)


def test_a_hung_redis_fails_open_with_one_warning(make_app, caplog, hung_redis):
    port, accepted = hung_redis
    app = make_app(RATELIMIT_ENABLED=True, REDIS_URL=f"redis://:secret@127.0.0.1:{port}/0")
    _pages_still_answer(app, caplog)
    assert accepted, "the requests did try the hung server"


def test_the_redis_client_waits_briefly_and_does_not_retry(make_app, hung_redis):
    port, _ = hung_redis
    make_app(RATELIMIT_ENABLED=True, REDIS_URL=f"redis://127.0.0.1:{port}/0", REDIS_TIMEOUT=0.3)
    client = limiter.storage.storage  # the redis-py client behind the limiter
    options = client.connection_pool.connection_kwargs
    assert options["socket_timeout"] == 0.3
    assert options["socket_connect_timeout"] == 0.3
    assert client.get_retry().get_retries() == 0


def test_limits_are_still_counted_while_redis_is_down(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_PAGES="3 per minute",
        REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    client = app.test_client()
    statuses = [client.get("/privacy").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[-1] == 429
