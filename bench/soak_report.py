"""The soak's end: checks (nothing lost, nothing stale, every process in step, the logs) and
the printed report, per fault window."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from soak_load import ERROR_CODES, get, percentile, summary

#: Seconds after a fault ends that still count as its window.
AFTERMATH = 10.0


def index_in_step(pg, index: Path, port: int, timeout: float = 60) -> dict:
    """Wait until the index has applied the database's last change; a search now and then
    (the catch-up runs before searches when there is no updater)."""
    from search_index.schema import build_schema
    from search_index.store import IndexStore

    store = IndexStore(index, build_schema)
    began = time.perf_counter()
    while True:
        db_seq = pg.sql("SELECT coalesce(max(seq), 0) FROM listing_change", "soak")[0][0]
        state = store.read_state()
        if state.last_seq >= db_seq or time.perf_counter() - began > timeout:
            break
        get(port, "/search?q=food")
        time.sleep(0.5)
    return {
        "database_seq": db_seq,
        "index_seq": state.last_seq,
        "gaps_awaited": len(state.gaps),
        "in_step": state.last_seq == db_seq,
        "after_s": round(time.perf_counter() - began, 1),
        "generations_on_disk": len(store.generations()),
    }


def _found(port: int, word: str, service_id: str) -> bool | None:
    status, body = get(port, f"/api/services?search={word}&per_page=50")
    return None if status != 200 else service_id.encode() in body


def check_tokens(
    port: int, wanted: list[tuple[str, str]], gone: list[tuple[str, str]], asks: int
) -> dict:
    """Each (token, service) in ``wanted`` found on every ask, none in ``gone`` found on any.
    Asks go on new connections, so both workers answer (the kernel picks)."""
    jobs = [(w, s, True) for w, s in wanted for _ in range(asks)]
    jobs += [(w, s, False) for w, s in gone for _ in range(asks)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda job: (job, _found(port, job[0], job[1])), jobs))
    missing = sorted({job[0] for job, found in answers if job[2] and found is False})
    stale = sorted({job[0] for job, found in answers if not job[2] and found})
    errors = sum(1 for _job, found in answers if found is None)
    return {"asked": len(jobs), "missing": missing, "stale": stale, "errors": errors}


def read_edits(path: Path) -> tuple[list[dict], list[float | None]]:
    edits, probes = [], []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        if "token" in record:
            edits.append(record)
        else:
            probes.append(record["seconds"])
    return edits, probes


def read_log(path: Path) -> dict:
    """What the app and gunicorn logged: statuses, exceptions, Redis lines, worker deaths."""
    statuses: Counter = Counter()
    exceptions: Counter = Counter()
    warnings: Counter = Counter()
    redis_down = redis_up = 0
    other = Counter()
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if "status" in record:
                statuses[record["status"]] += 1
            message = record.get("message", "")
            if "exception" in record:
                exceptions[f"{record['exception']} ({record.get('logger')})"] += 1
            if record.get("level") in ("WARNING", "ERROR", "CRITICAL"):
                warnings[f"{record['level']} {record.get('logger')}: {message[:70]}"] += 1
            redis_down += "Rate-limit storage" in message and "unreachable" in message
            redis_up += "Rate-limit storage" in message and "answers again" in message
        elif "[ERROR]" in line or "[CRITICAL]" in line:
            other[line.split("] ", 3)[-1][:90]] += 1
    return {
        "statuses": dict(statuses),
        "exceptions": dict(exceptions),
        "redis_unreachable_lines": redis_down,
        "redis_back_lines": redis_up,
        "gunicorn_errors": dict(other),
        "warnings": dict(warnings),
    }


def applied_after(edits: list[dict], applied: list[tuple[float, int]]) -> list[float | None]:
    """Seconds from each edit's commit until the index's applied change number reached it."""
    out = []
    for edit in edits:
        when = next(
            (t for t, seq in applied if t >= edit["committed"] and seq >= edit["seq"]), None
        )
        out.append(None if when is None else when - edit["committed"])
    return out


def verify(args, pg, index: Path, importer, edits_path: Path, gunicorn, events, applied) -> dict:
    in_step = index_in_step(pg, index, args.port)
    edits, probes = read_edits(edits_path)
    last: dict[str, dict] = {}
    replaced = []
    for edit in edits:
        if edit["service_id"] in last:
            replaced.append((last[edit["service_id"]]["token"], edit["service_id"]))
        last[edit["service_id"]] = edit
    wanted = [(e["token"], sid) for sid, e in last.items()]
    word, imported = importer.expected()
    if word:
        wanted += [(word, sid) for sid in imported]
    tokens = check_tokens(args.port, wanted, replaced, args.asks)
    seen = [p for p in probes if p is not None]
    reached = [a for a in applied_after(edits, applied) if a is not None]
    kill = next((e for e in events if e["name"] == "kill_rebuild"), {})
    return {
        "in_step": in_step,
        "edits": len(edits),
        "edits_retried": sum(1 for e in edits if e["attempts"] > 1),
        "edit_errors": dict(Counter(x for e in edits for x in e["errors"])),
        "services_edited": len(last),
        "tokens_replaced": len(replaced),
        "imports": len(importer.rounds),
        "imports_failed": [r for r in importer.rounds if r["exit"] != 0],
        "import_token_checked": word,
        "tokens": tokens,
        "in_index_p50_s": percentile(reached, 0.5),
        "in_index_p95_s": percentile(reached, 0.95),
        "in_index_max_s": max(reached, default=float("nan")),
        "never_in_index_while_sampled": len(edits) - len(reached),
        "visible_p50_s": percentile(seen, 0.5),
        "visible_p95_s": percentile(seen, 0.95),
        "visible_max_s": max(seen, default=float("nan")),
        "never_visible_to_prober": sum(1 for p in probes if p is None),
        "orphan_build_workers": kill.get("build_workers_alive_5s_later"),
        "log": read_log(gunicorn.log_path),
    }


def answered_at(record: list) -> float:
    """When the site answered (due time plus latency): a fault's effect shows in the requests
    it answered during the fault, however late they were sent."""
    return record[0] + record[3] / 1000


def _windows(events: list[dict]) -> list[tuple[str, float, float]]:
    out = []
    for event in events:
        if event["name"] != "import":
            out.append((event["name"], event["start"], event["end"] + AFTERMATH))
    return out


def _row(name: str, records: list, seen: list[float]) -> str:
    facts = summary(records)
    codes = facts["statuses"]
    skipped = codes.get(ERROR_CODES["skipped"], 0)
    none = sum(n for c, n in codes.items() if c < 0) - skipped
    ok = sum(n for c, n in codes.items() if 200 <= c < 400)
    four = sum(n for c, n in codes.items() if 400 <= c < 500)
    c500, c503 = codes.get(500, 0), codes.get(503, 0)
    other = sum(n for c, n in codes.items() if c >= 500) - c500 - c503
    avg = f"{statistics.mean(seen):.2f}" if seen else "-"
    return (
        f"{name:17} {facts['requests']:7} {ok:7} {four:4} {c500:4} {c503:4} {other:4} "
        f"{none:5} {skipped:5} {facts['p50']:7.0f} {facts['p95']:7.0f} {facts['p99']:7.0f} "
        f"{avg:>5}"
    )


def report(args, capacity, rate, records, events, loads, checks, run_dir: Path) -> int:
    windows = _windows(events)
    print(
        f"\n== soak: {args.minutes:g} min at {rate:.0f} requests/s ({args.load:.0%} of "
        f"{capacity:.0f}), {args.size:,} services, {args.workers} gunicorn workers =="
    )
    print(
        f"{'window':17} {'requests':>7} {'2xx/3xx':>7} {'4xx':>4} {'500':>4} {'503':>4} "
        f"{'5xx':>4} {'noans':>5} {'skip':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'load':>5}"
    )
    faulty = set()
    for name, start, end in windows:
        inside = [r for r in records if start <= answered_at(r) <= end]
        faulty.update(id(r) for r in inside)
        print(_row(name, inside, [v for t, v in loads if start <= t <= end]))
    steady = [r for r in records if id(r) not in faulty]
    calm = [v for t, v in loads if not any(a <= t <= b for _n, a, b in windows)]
    print(_row("steady", steady, calm))
    print(_row("all", records, [v for _t, v in loads]))
    print(
        "  (noans: no HTTP answer (connection reset, refused or timed out); skip: not sent, "
        f"over {args.max_lag:g} s late with every client thread busy; latency from when each "
        f"request was due; windows run from a fault's start to {AFTERMATH:.0f} s after its end)"
    )
    print("\nfaults:")
    for event in events:
        details = {k: v for k, v in event.items() if k not in ("name", "start", "end")}
        print(f"  {event['name']:17} {event['end'] - event['start']:6.1f} s  {details}")
    print("\nchecks:")
    for key, value in checks.items():
        print(f"  {key}: {value}")
    loads_all = [v for _t, v in loads]
    if loads_all:
        print(
            f"\nload average (1 min) during the soak: mean {statistics.mean(loads_all):.2f}, "
            f"max {max(loads_all):.2f}; now {os.getloadavg()}"
        )
    (run_dir / "report.json").write_text(
        json.dumps(
            {"checks": checks, "events": events, "capacity": capacity, "rate": rate},
            default=str,
            indent=1,
        )
    )
    problems = []
    if any(r[2] == 500 for r in records) or checks["log"]["statuses"].get(500):
        problems.append("500s answered")
    if checks["tokens"]["missing"]:
        problems.append(f"{len(checks['tokens']['missing'])} edits not found")
    if checks["tokens"]["stale"]:
        problems.append(f"{len(checks['tokens']['stale'])} replaced tokens still found")
    if not checks["in_step"]["in_step"]:
        problems.append("index not in step with the database")
    if checks["orphan_build_workers"]:
        problems.append("rebuild workers outlived their parent")
    if not checks["log"]["redis_unreachable_lines"]:
        problems.append("no log line for Redis going away")
    print("\nRESULT: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    print(f"(records, logs and report.json in {run_dir})")
    return 1 if problems else 0
