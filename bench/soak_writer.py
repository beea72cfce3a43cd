"""The soak's writer: edits listings through the app's own domain code while the load runs.

Run by bench/soak.py as its own process, with the soak's environment except for the search
index folder: an empty one, so this process is "another machine" with no index of its own
and every edit must reach the site's index through the change feed (the updater where there
is one, else the catch-up). Each edit puts a unique made-up word (a token such as
``zqxbcdf``) into one service's description, in one unit of work
(``directory.core.uow.unit_of_work``) as the system actor ``soak-writer``, exactly as a staff
edit is saved. One edit in ten goes back to a service edited before and replaces its token,
so a stale document (the old token still found) counts as a fault too.

A database error (the soak restarts PostgreSQL) rolls back and retries the same edit, which
is idempotent: the description is set, not appended to. An edit counts once committed.

A prober thread asks the site's API for one committed token in ``PROBE_EVERY`` until the
service is found and records how long that took (what a resident would see, queueing
included); bench/soak.py also times every edit's arrival in the index from the index's state.
Records go to ``--out`` as JSON lines; SIGTERM ends the run after the edit in hand.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LETTERS = "bcdfghjklmnpqrstvwxz"
#: One edit in this many is probed over HTTP while the soak runs (the rest are checked at the
#: end): the prober's requests queue with everyone else's, and probing every edit made it the
#: biggest client during an overload.
PROBE_EVERY = 10


def token(n: int, prefix: str = "zqx") -> str:
    """A made-up word no listing has: ``prefix`` and eight letters drawn from ``n``. Drawn, not
    counted: consecutive tokens one letter apart were found for each other (the search forgives
    a typo), which looked like stale documents."""
    rng = random.Random(f"{prefix}{n}")
    return prefix + "".join(rng.choice(LETTERS) for _ in range(8))


def prober(port: int, todo: queue.Queue, out, lock: threading.Lock) -> None:
    """Ask the API about every committed edit not yet seen, round after round, until each is
    found (or two minutes pass): how long an edit takes to be searchable."""
    from soak_load import get

    pending: list[tuple[str, str, float]] = []
    finished = False
    while not (finished and not pending):
        while True:
            try:
                item = todo.get(timeout=0.2 if pending else 1.0)
            except queue.Empty:
                break
            if item is None:
                finished = True
                break
            pending.append(item)
        for item in list(pending):
            word, service_id, committed = item
            status, body = get(port, f"/api/services?search={word}&per_page=5", timeout=10)
            found = status == 200 and service_id.encode() in body
            if found or time.time() - committed > 120:
                pending.remove(item)
                seconds = time.time() - committed if found else None
                with lock:
                    out.write(json.dumps({"probe": word, "seconds": seconds}) + "\n")
                    out.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", required=True, help="file of service ids, one a line")
    parser.add_argument("--rate", type=float, default=2.0, help="edits per second")
    parser.add_argument("--port", type=int, required=True, help="the site, for the prober")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    from sqlalchemy import func, select
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from directory import create_app
    from directory.core.actor import Actor
    from directory.core.uow import unit_of_work
    from directory.db import db
    from directory.listings.models import ListingChange, Service

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ids = Path(args.services).read_text().split()
    rng = random.Random(11)
    rng.shuffle(ids)
    app = create_app({"SEARCH_LOGGING": False})
    actor = Actor.system("soak-writer")
    originals: dict[str, str] = {}
    edited: list[str] = []
    out = Path(args.out).open("a")  # noqa: SIM115 (shared with the prober thread; closed below)
    lock = threading.Lock()
    todo: queue.Queue = queue.Queue()
    probe = threading.Thread(target=prober, args=(args.port, todo, out, lock), daemon=True)
    probe.start()
    n = 0
    next_at = time.monotonic()
    while not stop.is_set():
        next_at += 1 / args.rate
        time.sleep(max(0.0, next_at - time.monotonic()))
        if edited and rng.random() < 0.1:
            service_id = rng.choice(edited)  # replace an earlier edit's token
        else:
            service_id = ids[len(edited) % len(ids)]
        word = token(n)
        n += 1
        attempts, errors = 0, []
        began = time.time()
        while True:
            attempts += 1
            try:
                with app.app_context():
                    session = db.session
                    with unit_of_work(session, actor):
                        service = session.get(Service, service_id)
                        assert service is not None
                        if service_id not in originals:
                            originals[service_id] = service.description or ""
                        service.description = f"{originals[service_id]} {word}"
                    seq = session.scalar(
                        select(func.max(ListingChange.seq)).where(
                            ListingChange.service_id == service_id
                        )
                    )
                break
            except (DBAPIError, SQLAlchemyError) as exc:
                errors.append(exc.__class__.__name__)
                if time.time() - began > 120:
                    raise
                time.sleep(0.5)
        committed = time.time()
        if service_id not in edited:
            edited.append(service_id)
        record = {
            "token": word,
            "seq": seq,
            "service_id": service_id,
            "committed": committed,
            "attempts": attempts,
            "errors": errors,
        }
        with lock:
            out.write(json.dumps(record) + "\n")
            out.flush()
        if n % PROBE_EVERY == 1:
            todo.put((word, service_id, committed))
    todo.put(None)
    probe.join(150)
    out.close()


if __name__ == "__main__":
    main()
