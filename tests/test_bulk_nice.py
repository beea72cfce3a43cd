"""Bulk jobs run at a lower CPU priority than serving (``BULK_JOB_NICE``, directory/priority.py).

Each test runs a real process: a probe that lowers its priority (by the function, or by running
``flask reindex`` / ``flask import-hsds`` in itself), then reads the niceness of every one of its
threads from the kernel (one thread was started before, as an app's own threads are) and of a
process it spawns afterwards the way the rebuild starts its build workers (multiprocessing's
"spawn"). Niceness is a property of the process the test cannot undo, hence the subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from directory.config import PROJECT_ROOT
from tests.factories import make_service

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux only")

PROBE = """
import json, multiprocessing, os, sys, threading


def main():
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()  # a thread started before
    if sys.argv[1] == "function":
        from directory.priority import lower_bulk_priority

        lower_bulk_priority({"BULK_JOB_NICE": int(sys.argv[2])})
        code, output = 0, ""
    else:
        from wsgi import app

        result = app.test_cli_runner().invoke(args=sys.argv[2:])
        code, output = result.exit_code, result.output
    threads = {
        tid: os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in os.listdir("/proc/self/task")
    }
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        child = pool.apply(os.nice, (0,))
    stop.set()
    print(json.dumps({"exit": code, "output": output, "threads": threads, "child": child}))


if __name__ == "__main__":
    main()
"""


def _probe(tmp_path: Path, *args: str, start_at: int = 0, env: dict | None = None) -> dict:
    script = tmp_path / "nice_probe.py"
    script.write_text(PROBE)
    done = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=(lambda: os.nice(start_at)) if start_at else None,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_niceness(report: dict, expected: int) -> None:
    assert report["exit"] == 0, report["output"]
    assert len(report["threads"]) >= 2
    assert set(report["threads"].values()) == {expected}, report["threads"]
    assert report["child"] == expected


def _base() -> int:
    """This test process's own niceness now, which its probes inherit: a CI runner may be
    niced, and a command run in-process by another test (an app whose ``BULK_JOB_NICE`` is
    not 0) lowers it for good. Read at each test, not at import."""
    return os.nice(0)


@pytest.mark.parametrize(
    ("setting", "start_at", "expected"),
    [
        (10, 0, lambda base: max(base, 10)),  # the default: every thread and a child at 10
        (0, 0, lambda base: base),  # 0 leaves the priority alone
        (10, 15, lambda base: max(min(base + 15, 19), 10)),  # never raised back up
        (40, 0, lambda base: 19),  # the kernel's lowest priority at most
    ],
    ids=["default", "zero", "already-lower", "past-the-lowest"],
)
def test_the_setting_lowers_every_thread_and_a_spawned_child(tmp_path, setting, start_at, expected):
    report = _probe(tmp_path, "function", str(setting), start_at=start_at)
    _assert_niceness(report, expected(_base()))


def _command_env(app, niceness: int) -> dict[str, str]:
    """The test app's database and index for a command run in another process."""
    names = ("DATABASE_URL", "SEARCH_INDEX_DIR", "PAGE_CACHE_DIR", "GAZETTEER_PATH")
    env = {name: str(app.config[name]) for name in names if app.config.get(name)}
    return env | {"SECRET_KEY": "test-secret", "BULK_JOB_NICE": str(niceness)}


def test_reindex_runs_niced_and_its_build_processes_too(app, session, tmp_path):
    make_service(session, "Lache Community Larder")
    session.commit()
    report = _probe(tmp_path, "command", "reindex", "--procs", "2", env=_command_env(app, 7))
    assert "Done: generation" in report["output"]
    _assert_niceness(report, max(_base(), 7))


def test_import_runs_niced(app, tmp_path):
    feed = tmp_path / "feed.json"
    record = {
        "id": "9c1d0000-0000-4000-8000-000000000001",
        "name": "Knit and Natter",
        "status": "active",
        "description": "A weekly club.",
    }
    feed.write_text(json.dumps([record]))
    report = _probe(tmp_path, "command", "import-hsds", str(feed), env=_command_env(app, 7))
    _assert_niceness(report, max(_base(), 7))


def test_without_the_setting_the_commands_keep_their_priority(app, tmp_path):
    report = _probe(tmp_path, "command", "reindex", env=_command_env(app, 0))
    _assert_niceness(report, _base())


EARLY = """
import json, os, sys

sys.argv = ["flask", "--app", "wsgi", *sys.argv[1:]]
import directory

made = {}
real = directory.create_app


def spy(*args, **kwargs):
    made["niceness"] = os.nice(0)  # when wsgi.py makes the app
    return real(*args, **kwargs)


directory.create_app = spy
import wsgi  # noqa: E402,F401

print(json.dumps(made))
"""


@pytest.mark.parametrize(
    ("argv", "lowered"),
    [
        (["reindex", "--procs", "2"], True),
        (["import-hsds", "feed.json"], True),
        (["search-index", "check", "--repair"], True),
        (["search-index", "check"], False),  # a check that only reads
        (["routes"], False),
    ],
)
def test_a_bulk_command_is_niced_before_the_app_is_made(app, tmp_path, argv, lowered):
    script = tmp_path / "early_probe.py"
    script.write_text(EARLY)
    done = subprocess.run(
        [sys.executable, str(script), *argv],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **_command_env(app, 7)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])["niceness"]
    assert found == (max(_base(), 7) if lowered else _base())


def test_a_bad_setting_leaves_the_priority_to_the_app(monkeypatch):
    from directory import priority

    monkeypatch.setenv("BULK_JOB_NICE", "lots")
    assert priority.lower_priority_before_the_app(["flask", "reindex"]) is None
    assert priority.lower_priority_before_the_app(["gunicorn", "-c", "gunicorn.conf.py"]) is None
