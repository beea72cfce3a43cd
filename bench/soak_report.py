"""The soak's end: checks (nothing lost, nothing stale, every process in step, the logs) and
the printed report: per fault window, per stretch of time, and each backlog of the client
with what was running when it began. Also the capacity's figures (:func:`capacity_facts`)."""

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


def capacity_facts(args, closed: dict, window, writer_log: Path, import_span, load) -> dict:
    """What the closed loop found: answered requests a second over the window, and how many
    edits and how much import ran meanwhile (``import_span``: (start, end or None while it
    still runs)), with the rate while the import ran and outside it."""
    records = closed["records"]
    facts = summary(records)
    began, ended = window
    edits = 0
    for line in writer_log.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:  # a line being written
            continue
        edits += "token" in record and began <= record["committed"] <= ended
    ok = [r for r in records if 200 <= r[2] < 400]
    import_start = max(began, import_span[0])
    import_end = min(ended, import_span[1] or ended)
    during = [r for r in ok if import_start <= answered_at(r) <= import_end]
    inside = max(0.0, import_end - import_start)
    outside = args.capacity_seconds - inside
    return {
        "answered_per_s": len(ok) / args.capacity_seconds,
        "seconds": args.capacity_seconds,
        "connections": args.threads_capacity,
        "statuses": facts["statuses"],
        "p50_ms": facts["p50"],
        "p95_ms": facts["p95"],
        "cached_share": facts["cached_share"],
        "cpu_ms": facts["cpu_ms"],
        "edits": edits,
        "edits_per_s": edits / args.capacity_seconds,
        "imports": 1,
        "import_s": inside,
        "import_note": "" if import_span[1] else ", still running at the end",
        "during_import_per_s": len(during) / inside if inside else float("nan"),
        "outside_import_per_s": (len(ok) - len(during)) / outside if outside else float("nan"),
        "client_cpu_s": closed["client_cpu_s"],
        "load": load,
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


def _counts(records: list) -> tuple[dict, int, int, int]:
    """(facts, answered 2xx/3xx, no answer, skipped)."""
    facts = summary(records)
    codes = facts["statuses"]
    skipped = codes.get(ERROR_CODES["skipped"], 0)
    none = sum(n for c, n in codes.items() if c < 0) - skipped
    ok = sum(n for c, n in codes.items() if 200 <= c < 400)
    return facts, ok, none, skipped


def _pct(share: float) -> str:
    return "-" if share != share else f"{share:.0%}"


def _row(name: str, records: list, seen: list[float]) -> str:
    facts, ok, none, skipped = _counts(records)
    codes = facts["statuses"]
    four = sum(n for c, n in codes.items() if 400 <= c < 500)
    c500, c503 = codes.get(500, 0), codes.get(503, 0)
    other = sum(n for c, n in codes.items() if c >= 500) - c500 - c503
    avg = f"{statistics.mean(seen):.2f}" if seen else "-"
    return (
        f"{name:17} {facts['requests']:7} {ok:7} {four:4} {c500:4} {c503:4} {other:4} "
        f"{none:5} {skipped:5} {facts['p50']:7.0f} {facts['p95']:7.0f} {facts['p99']:7.0f} "
        f"{facts['sent_late_max_ms'] / 1000:6.1f} {_pct(facts['cached_share']):>6} "
        f"{facts['cpu_ms']:6.1f} {avg:>5}"
    )


def _running(events: list[dict], began: float, ended: float) -> str:
    """Names of the faults and imports that ran at some time in [began, ended]."""
    names = [e["name"] for e in events if e["start"] <= ended and e["end"] >= began]
    return ",".join(dict.fromkeys(names))


def timeline(
    records: list, events: list[dict], loads, cpu, start: float, step: float
) -> list[dict]:
    """Per ``step`` seconds of due time: what was due, answered, skipped; how late requests
    were sent; latency; the page cache's share; the worker CPU of the answers (in cores: how
    much of the machine the site's requests got); the cores each group of processes used
    (soak_cluster.CpuSampler); the load average; what faults and imports ran."""
    rows = []
    end = max((r[0] for r in records), default=start)
    t = start
    while t <= end:
        inside = [r for r in records if t <= r[0] < t + step]
        facts, ok, none, skipped = _counts(inside)
        spent = sum(r[6] for r in inside if r[2] > 0 and r[6] is not None)
        seen = [v for w, v in loads if t <= w < t + step]
        rows.append(
            {
                "at_s": round(t - start),
                "due": len(inside),
                "answered": ok,
                "no_answer": none,
                "skipped": skipped,
                "sent_late_max_s": facts["sent_late_max_ms"] / 1000,
                "p50_ms": facts["p50"],
                "p95_ms": facts["p95"],
                "cached_share": facts["cached_share"],
                "request_cores": spent / 1000 / step,
                "cores": cpu.cores(t, t + step),
                "workers_mb": cpu.workers_mb(t + step),
                "load": statistics.mean(seen) if seen else float("nan"),
                "running": _running(events, t, t + step),
            }
        )
        t += step
    return rows


def backlogs(
    records: list, events: list[dict], cpu, start: float, late_s: float = 1.0
) -> list[dict]:
    """Stretches in which requests were sent over ``late_s`` late (every client thread busy)
    or skipped, with what was running in the 15 s before each began and during it, the
    cores each group used meanwhile, and the site's response time (from sending to the
    answer: with every client thread busy, about threads / rate when the site is the
    bottleneck, and far less when the client is)."""
    late = sorted(
        (r for r in records if r[4] > late_s * 1000 or r[2] == ERROR_CODES["skipped"]),
        key=lambda r: r[0],
    )
    out: list[dict] = []
    for record in late:
        if out and record[0] - out[-1]["last"] < 2.0:
            episode = out[-1]
        else:
            episode = {"first": record[0], "last": record[0], "late": 0, "skipped": 0, "max": 0}
            out.append(episode)
        episode["last"] = record[0]
        episode["late"] += 1
        episode["skipped"] += record[2] == ERROR_CODES["skipped"]
        episode["max"] = max(episode["max"], record[4] / 1000)
    rows = []
    for e in out:
        inside = [r for r in records if e["first"] <= r[0] <= e["last"] and r[2] > 0]
        rows.append(
            {
                "from_s": round(e["first"] - start, 1),
                "to_s": round(e["last"] - start, 1),
                "sent_late": e["late"],
                "skipped": e["skipped"],
                "sent_late_max_s": round(e["max"], 1),
                "response_p50_ms": percentile([r[3] - r[4] for r in inside], 0.5),
                "cores": cpu.cores(e["first"] - 5, e["last"] + 5),
                "running": _running(events, e["first"] - 15, e["last"]),
            }
        )
    return rows


def report(args, cap, rate, soak, events, loads, cpu, checks, run_dir: Path, start: float) -> int:
    records = soak["records"]
    windows = _windows(events)
    quiet = cap.get("quiet")
    print(
        f"\n== soak: {args.minutes:g} min at {rate:.1f} requests/s "
        f"({'--rate, ' if args.rate else ''}{rate / cap['answered_per_s']:.0%} of "
        f"{cap['answered_per_s']:.1f}, measured with {cap['edits']} edits and an import "
        f"running"
        + (f"; {quiet['answered_per_s']:.1f} without them" if quiet else "")
        + f"), {args.size:,} services, {args.workers} gunicorn workers =="
    )
    print(
        f"{'window':17} {'requests':>7} {'2xx/3xx':>7} {'4xx':>4} {'500':>4} {'503':>4} "
        f"{'5xx':>4} {'noans':>5} {'skip':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'late s':>6} {'cache':>6} {'cpu ms':>6} {'load':>5}"
    )
    faulty = set()
    for name, begin, end in windows:
        inside = [r for r in records if begin <= answered_at(r) <= end]
        faulty.update(id(r) for r in inside)
        print(_row(name, inside, [v for t, v in loads if begin <= t <= end]))
    steady = [r for r in records if id(r) not in faulty]
    calm = [v for t, v in loads if not any(a <= t <= b for _n, a, b in windows)]
    print(_row("steady", steady, calm))
    print(_row("all", records, [v for _t, v in loads]))
    print(
        "  (noans: no HTTP answer (connection reset, refused or timed out); skip: not sent, "
        f"over {args.max_lag:g} s late with every client thread busy; latency from when each "
        "request was due; late s: the most a request was sent after it was due (every client "
        "thread busy); cache: answers from the page cache; cpu ms: worker CPU per answer; "
        f"windows run from a fault's start to {AFTERMATH:.0f} s after its end)"
    )

    step = 30.0 if args.minutes >= 5 else 10.0
    rows = timeline(records, events, loads, cpu, start, step)
    print(f"\nper {step:g} s of the soak (by when requests were due; CPU in cores of 2):")
    print(
        f"{'at s':>5} {'due':>5} {'2xx/3xx':>7} {'noans':>5} {'skip':>5} {'late s':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'cache':>6} {'req':>5} {'site':>5} {'pg':>5} "
        f"{'jobs':>5} {'writ':>5} {'clnt':>5} {'other':>5} {'load':>5} {'worker MB':>19}  running"
    )
    for row in rows:
        c = row["cores"]
        print(
            f"{row['at_s']:5} {row['due']:5} {row['answered']:7} {row['no_answer']:5} "
            f"{row['skipped']:5} {row['sent_late_max_s']:6.1f} {row['p50_ms']:7.0f} "
            f"{row['p95_ms']:7.0f} {_pct(row['cached_share']):>6} {row['request_cores']:5.2f} "
            f"{c['site']:5.2f} {c['postgres']:5.2f} {c['jobs']:5.2f} {c['writer']:5.2f} "
            f"{c['client']:5.2f} {c['other']:5.2f} {row['load']:5.2f} "
            f"{' '.join(f'{r}:{a}' for r, a in row['workers_mb']):>19}  {row['running']}"
        )
    print(
        "  (req: the worker CPU the answers reported; site: gunicorn's processes in all, "
        "with the updater and warming; pg: the soak's PostgreSQL; jobs: imports and "
        "rebuilds; writ: the writer; clnt: the load client and samplers; other: the rest "
        "of the machine; worker MB: each gunicorn worker's resident memory at the end, "
        "rss:anonymous)"
    )
    whole = cpu.cores(start, start + args.minutes * 60)
    print(
        "CPU over the whole soak, in cores: " + ", ".join(f"{k} {v:.2f}" for k, v in whole.items())
    )

    episodes = backlogs(records, events, cpu, start)
    late_total = sum(e["sent_late"] for e in episodes)
    print(
        f"\nbacklog: {late_total} requests sent over 1 s late or skipped, in "
        f"{len(episodes)} stretch(es); the client had at most {soak['in_flight_max']} of its "
        f"{args.threads} threads in flight and used {soak['client_cpu_s']:.0f} s of CPU in "
        f"{soak['wall_s']:.0f} s"
    )
    for e in episodes:
        c = e["cores"]
        print(
            f"  {e['from_s']:6.1f}-{e['to_s']:6.1f} s: {e['sent_late']} late, {e['skipped']} "
            f"skipped, up to {e['sent_late_max_s']} s; site response p50 "
            f"{e['response_p50_ms']:.0f} ms; cores: site {c['site']:.2f}, jobs "
            f"{c['jobs']:.2f}, other {c['other']:.2f}; running: {e['running'] or 'nothing'}"
        )

    print("\nfaults and imports:")
    for event in events:
        details = {k: v for k, v in event.items() if k not in ("name", "start", "end")}
        print(
            f"  {event['start'] - start:6.1f} s {event['name']:17} "
            f"{event['end'] - event['start']:6.1f} s  {details}"
        )
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
            {
                "checks": checks,
                "events": events,
                "capacity": cap,
                "rate": rate,
                "summary": summary(records),
                "client": {k: v for k, v in soak.items() if k != "records"},
                "timeline": rows,
                "cpu_cores": whole,
                "backlogs": episodes,
            },
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
    redis_ran = any(e["name"] == "redis_outage" and "skipped" not in e for e in events)
    if redis_ran and not checks["log"]["redis_unreachable_lines"]:
        problems.append("no log line for Redis going away")
    print("\nRESULT: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    print(f"(records, logs and report.json in {run_dir})")
    return 1 if problems else 0
