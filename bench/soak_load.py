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

Each record also says how late the request was *sent* (above a few milliseconds only when
every thread was busy: the client's backlog), and, from the ``Server-Timing`` header the soak
turns on, whether the page came from the page cache and the worker CPU it cost. The output
also carries the client's own CPU time and the most requests it had in flight, so a backlog
can be put down to the site or to the client.
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
    status, body, _timing = get_timed(port, path, timeout)
    return status, body


def server_timing(header: str | None) -> tuple[int | None, float | None]:
    """(1 if served from the page cache else 0, the request's worker CPU in ms) from a
    ``Server-Timing`` header (directory/public/timing.py); (None, None) without one."""
    if not header:
        return None, None
    parts = {}
    for part in header.split(","):
        name, _, value = part.strip().partition(";dur=")
        try:
            parts[name] = float(value)
        except ValueError:
            continue
    return int("cached" in parts), parts.get("app")


def get_timed(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes, str | None]:
    """:func:`get`, with the response's ``Server-Timing`` header (None without one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Server-Timing")
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return ERROR_CODES["reset"], b"", None
    except TimeoutError:
        return ERROR_CODES["timeout"], b"", None
    except ConnectionRefusedError:
        return ERROR_CODES["refused"], b"", None
    except OSError:
        return ERROR_CODES["other"], b"", None
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
    or as fast as ``threads`` connections go when ``rate`` is None (closed loop). Writes to
    ``out`` as JSON: ``records``, one per request, [due (epoch s), kind, status, latency ms,
    sent late ms, from the page cache (1, 0 or None), worker CPU ms or None]; ``start`` (epoch
    s), ``client_cpu_s`` (this process's CPU time), ``wall_s`` and ``in_flight_max``."""
    records: list[tuple] = []
    lock = threading.Lock()
    counter = itertools.count()
    in_flight = [0, 0]  # now, most
    start = time.time() + 0.2
    end = start + seconds
    cpu_before = time.process_time()

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
            sent = time.time()
            if rate and sent - due > max_lag:
                with lock:
                    late = round((sent - due) * 1000, 1)
                    records.append(
                        (round(due, 3), kind, ERROR_CODES["skipped"], 0.0, late, None, None)
                    )
                continue
            with lock:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
            status, _body, timing = get_timed(port, path)
            latency = (time.time() - due) * 1000
            cached, cpu = server_timing(timing)
            with lock:
                in_flight[0] -= 1
                records.append(
                    (
                        round(due, 3),
                        kind,
                        status,
                        round(latency, 1),
                        round(max(0.0, sent - due) * 1000, 1),
                        cached,
                        None if cpu is None else round(cpu, 2),
                    )
                )

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    Path(out).write_text(
        json.dumps(
            {
                "records": records,
                "start": start,
                "client_cpu_s": round(time.process_time() - cpu_before, 2),
                "wall_s": round(time.time() - start, 2),
                "in_flight_max": in_flight[1],
            }
        )
    )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(records: list[list]) -> dict:
    """Counts by status class, latency percentiles, how late requests were sent (the client's
    backlog), and the page cache's share and worker CPU per request where the site said."""
    statuses: dict[int, int] = {}
    for record in records:
        statuses[record[2]] = statuses.get(record[2], 0) + 1
    answered = [r for r in records if r[2] > 0]
    latencies = [r[3] for r in answered]
    late = [r[4] for r in records if len(r) > 4]
    timed = [r for r in answered if len(r) > 6 and r[6] is not None]
    return {
        "requests": len(records),
        "statuses": statuses,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "sent_late_max_ms": max(late, default=0.0),
        "sent_over_1s_late": sum(1 for v in late if v > 1000),
        "cached_share": (sum(r[5] for r in timed) / len(timed)) if timed else float("nan"),
        "cpu_ms": (sum(r[6] for r in timed) / len(timed)) if timed else float("nan"),
    }
