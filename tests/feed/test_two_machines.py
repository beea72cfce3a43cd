"""Two machines on one PostgreSQL database, one killed and restarted mid-stream: nothing missed.

Machine A is this process (an app with its own index folder and its updater, as a web worker
runs them); machine B is a separate process (``tests.feed.machine``) with its own index
folder, which learns of A's edits only through the change feed. A stream of edits goes
through A, each to a different listing with a word of its own; B is killed with SIGKILL
after a third of them and started again after two thirds, so some edits land while B is
busy, some while it is dead, and some after it restarted. Afterwards both indexes must find
every word. Deadlines only stop a broken build from hanging; no timing is asserted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.config import PROJECT_ROOT
from directory.db import db
from directory.models import ListingChange, Service
from search_index.sync import get_sync
from search_index.updater import start_updater
from tests.factories import make_service
from tests.feed.conftest import ids_matching

EDITS = 45
#: Consonants only: "feedwordae" and "feedwordas" would stem alike.
LETTERS = "bcdfghjkmnpqrtvwxz"


def _word(n: int) -> str:
    """A word of edit ``n``'s own, unchanged by the analyser."""
    return "feedword" + LETTERS[n // len(LETTERS)] + LETTERS[n % len(LETTERS)]


class Machine:
    """Machine B: a ``tests.feed.machine`` process and the way to ask it things."""

    def __init__(self, database_url: str, index_dir: Path, workdir: Path) -> None:
        self.database_url, self.index_dir, self.workdir = database_url, index_dir, workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        port_file = self.workdir / f"port{self.starts}"
        log = open(self.workdir / f"machine{self.starts}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.feed.machine", self.database_url,
             str(self.index_dir), str(port_file)],
            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "MACHINE_INTERVAL": "2"},
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 120
        while not port_file.exists():
            assert self.proc.poll() is None, (
                self.workdir / f"machine{self.starts}.log"
            ).read_text()
            assert time.monotonic() < deadline, "machine B did not start"
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def ask(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as answer:
            return json.load(answer)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_machine_killed_mid_stream_misses_no_edit(pg_machines, tmp_path):
    a = pg_machines("a")
    with a.app_context():
        ids = [make_service(db.session, f"Community Larder {n}").id for n in range(EDITS)]
        db.session.commit()
    sync_a = get_sync(a)
    sync_a.ready_store()
    start_updater(a)
    b = Machine(a.config["DATABASE_URL"], tmp_path / "b_index", tmp_path)
    b.start()
    try:
        with a.app_context():
            for n, service_id in enumerate(ids):
                if n == EDITS // 3:
                    b.kill()  # whatever it was doing
                if n == 2 * EDITS // 3:
                    b.start()  # the same index folder, behind by a third of the stream
                db.session.get(Service, service_id).name = f"Community Pantry {_word(n)}"
                db.session.commit()
                db.session.close()
                time.sleep(0.02)
            last = db.session.scalar(select(func.max(ListingChange.seq)))
        deadline = time.monotonic() + 120
        while True:  # B's updater catches up by itself: wait until it says so
            state = b.ask("/state")
            if state["last_seq"] >= last and not state["gaps"]:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.1)
        missing_b = [n for n, sid in enumerate(ids) if b.ask(f"/search?word={_word(n)}")["ids"]
                     != [sid]]  # fmt: skip
        searcher = sync_a.store.searcher()
        missing_a = [n for n, sid in enumerate(ids) if ids_matching(searcher, _word(n)) != {sid}]
    finally:
        b.kill()
    assert b.starts == 2
    assert missing_b == [] and missing_a == []
    assert sync_a.store.read_state().last_seq >= last
