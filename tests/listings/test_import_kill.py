"""kill -9 an import part-way, for real, then check the database and the next run.

The import runs as ``flask --app wsgi import-hsds`` in a subprocess, slowed by a per-record
delay that only these tests set (``DIRECTORY_IMPORT_TEST_DELAY``), and is killed with SIGKILL
while it writes. A file import must have written nothing (one transaction); a paged feed must
hold exactly the pages it committed, and the next run must say what happened and resume.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from directory.db import db
from directory.listings.importer import TEST_DELAY_VARIABLE
from directory.models import ImportRun, Service
from tests.listings.feed_server import feed_server
from tests.listings.fixtures.feeds.generate_council_feed import pages
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _records(count: int) -> list[dict]:
    return [
        {"id": f"9c1d0000-0000-4000-8000-{n:012d}", "name": f"Club {n}", "status": "active",
         "description": "A weekly club."}
        for n in range(count)
    ]  # fmt: skip


def _start(app, tmp_path: Path, *args: str, delay: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "test-secret",
        "SEARCH_INDEX_DIR": str(tmp_path / "child-index"),
        "GAZETTEER_PATH": app.config["GAZETTEER_PATH"],
        TEST_DELAY_VARIABLE: delay,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "import-hsds", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _poll(url: str, query: str, until, timeout: float = 60.0):
    """Run ``query`` on a separate connection until ``until(result)`` holds."""
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                rows = conn.execute(text(query)).all()
            if until(rows):
                return rows
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError(f"timed out waiting on: {query}")


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture
def kill_app(any_app, import_gazetteer):  # noqa: F811
    any_app.config["GAZETTEER_PATH"] = import_gazetteer
    return any_app


def test_a_file_import_killed_part_way_leaves_nothing_and_the_next_run_says_so(kill_app, tmp_path):
    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(_records(60)))
    url = kill_app.config["DATABASE_URL"]

    child = _start(kill_app, tmp_path, str(feed), delay="0.1")
    _poll(url, "SELECT status FROM import_run", lambda rows: rows == [("running",)])
    time.sleep(1.5)  # well into the 6 s of writing
    assert child.poll() is None, child.stdout.read().decode()
    _kill(child)

    with kill_app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(Service)) == 0
        (dead,) = session.scalars(select(ImportRun)).all()
        assert dead.status == "running"

    result = kill_app.test_cli_runner().invoke(args=["import-hsds", str(feed)])

    assert result.exit_code == 0, result.output
    assert "was interrupted before it finished; it wrote nothing" in result.output
    with kill_app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(Service)) == 60
        statuses = dict(session.execute(select(ImportRun.id, ImportRun.status)).all())
        assert statuses[dead.id] == "interrupted"
        assert sorted(statuses.values()) == ["completed", "interrupted"]


def test_a_paged_import_killed_part_way_keeps_whole_pages_and_resumes(kill_app, tmp_path):
    records = _records(40)
    url = kill_app.config["DATABASE_URL"]
    with feed_server() as server:
        for number, page in enumerate(pages(records, 10), start=1):
            server.serve(f"/feed?page={number}", page)
        child = _start(
            kill_app, tmp_path, server.url("/feed"), "--all-pages", "--delay", "0.5",
            delay="0.05",
        )  # fmt: skip
        rows = _poll(
            url,
            "SELECT cursor FROM import_run "
            "WHERE status = 'running' AND CAST(cursor AS TEXT) LIKE '%pages%'",
            lambda rows: len(rows) == 1,
        )
        assert child.poll() is None
        _kill(child)

        with kill_app.app_context():
            session = db.session
            (dead,) = session.scalars(select(ImportRun)).all()
            done = dead.cursor["pages"]
            assert dead.status == "running" and 1 <= done < 4, rows
            written = session.scalar(select(func.count()).select_from(Service))
            assert written == 10 * done  # whole pages only, each with its cursor
            assert dead.cursor["next"] == server.url(f"/feed?page={done + 1}")

        server.requests.clear()
        result = kill_app.test_cli_runner().invoke(
            args=["import-hsds", server.url("/feed"), "--all-pages", "--delay", "0"]
        )

    assert result.exit_code == 0, result.output
    assert "was interrupted before it finished; the pages it committed are kept" in result.output
    assert f"resumed the walk of run {dead.id} from page {done + 1}" in result.output
    assert server.paths() == [f"/feed?page={n}" for n in range(done + 1, 5)]
    with kill_app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(Service)) == 40
        runs = {r.id: r for r in session.scalars(select(ImportRun))}
        assert runs[dead.id].status == "interrupted"
        (latest,) = [r for r in runs.values() if r.id != dead.id]
        assert (latest.status, latest.complete, latest.walk_id) == ("completed", True, dead.id)
