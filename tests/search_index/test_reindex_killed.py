"""``kill -9`` of ``flask reindex`` takes its build workers with it.

A killed rebuild used to leave its worker processes behind, blocked for ever on their result
queue (140 to 700 MB each). Each worker now asks the kernel to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``) and watches its parent's pid as well. Here a real ``flask
reindex --procs 2`` over a few thousand generated services is killed with SIGKILL while its
workers build, and every process it started must be gone soon after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import insert

from directory.config import PROJECT_ROOT
from directory.core.ids import new_id
from directory.models import Location, Organization, Service, ServiceAtLocation

SERVICES = 5200  # a parallel rebuild from 5,000 (IndexSync.parallel_min_services)
#: CPU seconds after which a build worker is past its start-up (imports, opening the database)
#: and building. Since the rebuild got faster, these 5,200 services take less than 2 s of a
#: worker's CPU, so waiting for 2 s (as this test once did) let the rebuild finish first.
BUILDING_CPU = 1.2
WORDS = [
    "lunch", "club", "befriending", "walk", "choir", "food", "bank", "debt", "advice", "carers",
    "memory", "cafe", "knit", "natter", "shed", "dementia", "support", "group", "warm", "space",
]  # fmt: skip


def _word(number: int) -> str:
    """A made-up word per number ("qbfa"): many distinct words make each worker's result (its
    segment and spelling dictionary) larger than a pipe's buffer, as in a real directory."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += chr(97 + digit)
        if not number:
            return letters + "ov"


def _generate(session) -> None:
    org = new_id()
    session.execute(insert(Organization), [{"id": org, "name": "Cheshire Community Action"}])
    services, locations, sals = [], [], []
    for n in range(SERVICES):
        service, location = new_id(), new_id()
        words = " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 30))
        words += " " + " ".join(_word(n * 5 + k) for k in range(5))
        services.append(
            {
                "id": service,
                "organization_id": org,
                "name": f"Chester {words[:40]} {n}",
                "description": f"{words}. Number {n}.",
                "status": "active",
                "listing_status": "active",
                "delivery_modes": ["in_person"],
            }
        )
        locations.append({"id": location, "name": f"Hall {n}", "kind": "venue",
                          "latitude": 53.19 + n % 100 / 1000, "longitude": -2.89})  # fmt: skip
        sals.append({"id": new_id(), "service_id": service, "location_id": location})
    for model, rows in ((Service, services), (Location, locations), (ServiceAtLocation, sals)):
        session.execute(insert(model), rows)
    session.commit()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper (this machine's init may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_of_reindex_leaves_no_build_worker_behind(app, session, tmp_path):
    _generate(session)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "SEARCH_REINDEX_PROCS": "2",
        "SECRET_KEY": "test-secret",
        "INSTANCE_DIR": str(tmp_path / "instance"),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reindex"]
    reindex = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and reindex.poll() is None:
            started = [p for p in _children(reindex.pid) if _alive(p)]
            workers = [p for p in started if "spawn_main" in _cmdline(p)]
            if len(workers) == 2 and all(_cpu_seconds(p) > BUILDING_CPU for p in workers):
                break  # both past start-up and building
            time.sleep(0.05)
        assert reindex.poll() is None, "the rebuild finished before it could be killed"
        assert len(workers) == 2
        everything = [p for p in _children(reindex.pid) if _alive(p)]
        os.kill(reindex.pid, signal.SIGKILL)
        reindex.wait(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(_alive(p) for p in everything):
            time.sleep(0.1)
        survivors = [p for p in everything if _alive(p)]
        assert survivors == [], [_cmdline(p) for p in survivors]
    finally:
        if reindex.poll() is None:
            reindex.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
