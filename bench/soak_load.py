"""The soak's HTTP client: realistic mixed URLs, a closed loop to find capacity, then an
open loop paced at a fixed rate.

Open loop: request ``i`` is due at ``start + i / rate`` whatever happened before it, and its
latency is counted from when it was due, not from when a thread got round to sending it, so a
stall (a database restart) shows in the percentiles instead of quietly lowering the rate. A
pool of threads sends them; if all are busy, requests queue and their waiting is counted.
gunicorn's sync workers close every connection, so each request opens its own; that also lets
the kernel hand requests to both workers.

A request more than ``max_lag`` seconds late when a thread is free to send it is not sent but
recorded as skipped (like k6's dropped iterations): otherwise, once a fault has halved the
capacity, the backlog grows without end and the rest of the run measures the queue, not the
site.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

#: Share of each kind of request in the mix (residents' searches dominate).
MIX = (
    ("search", 35),
    ("search_place", 15),
    ("service", 20),
    ("home", 10),
    ("api", 15),
    ("api_place", 5),
)
#: What a request that got no HTTP answer is recorded as.
ERROR_CODES = {"reset": -1, "timeout": -2, "refused": -3, "other": -4, "skipped": -5}


def url_mix(data: dict, service_paths: list[str], seed: int, count: int) -> list[tuple[str, str]]:
    """``count`` (kind, path) pairs, the same for the same data and seed."""
    rng = random.Random(seed)
    words = [w for w in data["words"] if len(w) > 3][:400]
    postcodes = data["postcodes"]
    kinds = [kind for kind, weight in MIX for _ in range(weight)]

    def words_query() -> str:
        return " ".join(rng.sample(words, rng.choice((1, 1, 2, 3))))

    makers = {
        "search": lambda: "/search?" + urlencode({"q": words_query()}),
        "search_place": lambda: (
            "/search?" + urlencode({"q": rng.choice(words), "where": rng.choice(postcodes)})
        ),
        "service": lambda: rng.choice(service_paths),
        "home": lambda: "/",
        "api": lambda: "/api/services?" + urlencode({"search": words_query(), "per_page": 10}),
        "api_place": lambda: (
            "/api/services?"
            + urlencode({"postcode": rng.choice(postcodes), "proximity": 5000, "per_page": 10})
        ),
    }
    out = []
    for _ in range(count):
        kind = rng.choice(kinds)
        out.append((kind, makers[kind]()))
    return out


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One GET on a new connection: (status, body), or (negative code, b"") with no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return ERROR_CODES["reset"], b""
    except TimeoutError:
        return ERROR_CODES["timeout"], b""
    except ConnectionRefusedError:
        return ERROR_CODES["refused"], b""
    except OSError:
        return ERROR_CODES["other"], b""
    finally:
        conn.close()


def run(
    port: int,
    mix: list[tuple[str, str]],
    seconds: float,
    rate: float | None,
    threads: int,
    out: str,
    max_lag: float = 10.0,
) -> None:
    """Send ``mix`` round and round for ``seconds``: paced at ``rate`` per second (open loop),
    or as fast as ``threads`` connections go when ``rate`` is None (closed loop). Writes one
    record per request to ``out`` as JSON: [due (epoch s), kind, status, latency ms]."""
    records: list[tuple[float, str, int, float]] = []
    lock = threading.Lock()
    counter = itertools.count()
    start = time.time() + 0.2
    end = start + seconds

    def worker() -> None:
        while True:
            with lock:
                i = next(counter)
            due = start + i / rate if rate else time.time()
            if due >= end:
                return
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            kind, path = mix[i % len(mix)]
            if rate and time.time() - due > max_lag:
                with lock:
                    records.append((round(due, 3), kind, ERROR_CODES["skipped"], 0.0))
                continue
            status, _body = get(port, path)
            latency = (time.time() - due) * 1000
            with lock:
                records.append((round(due, 3), kind, status, round(latency, 1)))

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    Path(out).write_text(json.dumps(records))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(records: list[list]) -> dict:
    """Counts by status class and latency percentiles of ``records``."""
    statuses: dict[int, int] = {}
    for record in records:
        statuses[record[2]] = statuses.get(record[2], 0) + 1
    answered = [r[3] for r in records if r[2] > 0]
    return {
        "requests": len(records),
        "statuses": statuses,
        "p50": percentile(answered, 0.50),
        "p95": percentile(answered, 0.95),
        "p99": percentile(answered, 0.99),
        "max": max(answered, default=float("nan")),
    }
