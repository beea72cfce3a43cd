"""A second "machine" for the two-machine test, run as its own process.

``python -m tests.feed.machine DATABASE_URL INDEX_DIR PORT_FILE``: builds or checks its own
index, starts the background updater as a web worker would, and answers on 127.0.0.1 (the
port is written to PORT_FILE once it is ready):

- ``GET /state``: ``{"last_seq": n, "gaps": [...]}`` of its live generation;
- ``GET /search?word=w``: the service ids whose document has ``w``.

It never catches up itself: only its updater does.
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

from directory import create_app
from search_index.sync import get_sync
from search_index.updater import start_updater
from tests.feed.conftest import ids_matching


def main(database_url: str, index_dir: str, port_file: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": index_dir,
            "SEARCH_SYNC_INTERVAL": float(os.environ.get("MACHINE_INTERVAL", "2")),
        }
    )
    sync = get_sync(app)
    sync.ready_store()
    start_updater(app)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/state":
                state = sync.store.read_state()
                body = {"last_seq": state.last_seq, "gaps": sorted(state.gaps)}
            elif url.path == "/search":
                word = parse_qs(url.query)["word"][0]
                body = {"ids": sorted(ids_matching(sync.store.searcher(), word))}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            return  # quiet: the test reads answers, not logs

    server = HTTPServer(("127.0.0.1", 0), Handler)
    tmp = f"{port_file}.tmp"
    with open(tmp, "w") as out:
        out.write(str(server.server_address[1]))
    os.replace(tmp, port_file)
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:4])
