"""A real HTTP server on localhost serving fixture pages, for the paged-feed tests (no network).

Each route (path and query, as requested) answers with a queue of responses: a test can make
a page fail with 500 or 429 a few times before it answers, or stall past the client's timeout.
The last response in a queue is repeated. Every request is logged with its headers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (to trip the client's timeout).
    stall: float = 0.0
    raw: bytes | None = None


@dataclass
class FeedServer:
    base: str = ""
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def serve(self, path: str, *replies: Reply | Any) -> None:
        """Answer ``path`` (with its query) with these replies in turn (JSON bodies or Reply)."""
        self.routes[path] = [r if isinstance(r, Reply) else Reply(body=r) for r in replies]

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]

    def url(self, path: str) -> str:
        return self.base + path


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers)))
            queue = server.routes.get(self.path)
            if not queue:
                self.send_error(404)
                return
            reply = queue.pop(0) if len(queue) > 1 else queue[0]
            if reply.stall:
                time.sleep(reply.stall)
            data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                for key, value in {"Content-Type": "application/json", **reply.headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout tests)

        def log_message(self, *_args: Any) -> None:
            return None

    return Handler


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
