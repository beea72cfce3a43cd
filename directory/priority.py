"""Bulk jobs yield the CPU to serving: ``flask reindex`` and ``flask import-hsds`` lower their
own CPU priority to ``BULK_JOB_NICE`` (default 10) before they start work.

On a small machine a full rebuild or an import takes about half a core each for tens of
seconds, more than the headroom a site running near its capacity has (docs/reliability.md).
At niceness 10 the kernel gives such a job about a tenth of the CPU time of a web worker
when both want it, and all of it when the site is quiet: the job takes longer only while
visitors are being served.

The niceness is set on every thread the process has (on Linux a niceness belongs to a
thread), and threads and processes started afterwards inherit it: the rebuild's build
workers are started after it is set. It only ever goes up: a job already started at a
higher niceness (``nice -n 15 flask reindex``, systemd's ``Nice=``) keeps it, and an
unprivileged process could not lower it anyway. A rebuild run in a thread of a web worker
(``search_index/repair.py``) is not niced: it shares the worker's process with requests.
PostgreSQL's own work for the job runs in its server processes, at their priority.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from directory.config import ConfigError, Settings

#: The kernel's range of niceness; 19 is the lowest priority.
LOWEST = 19


def _threads() -> list[int]:
    """Thread ids of this process (Linux); only the calling thread elsewhere."""
    tasks = Path("/proc/self/task")
    try:
        return [int(name) for name in os.listdir(tasks)]
    except OSError:
        return []


def lower_priority(niceness: int) -> int:
    """Raise this process's niceness to at least ``niceness`` (at most 19), on every thread it
    has; 0 or less leaves it as it is. Returns the calling thread's niceness afterwards."""
    target = min(int(niceness), LOWEST)
    current = os.nice(0)
    if target <= 0 or current >= target:
        return current
    threads = _threads()
    if not threads or not hasattr(os, "setpriority"):
        return os.nice(target - current)
    for tid in threads:
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < target:
                os.setpriority(os.PRIO_PROCESS, tid, target)
        except OSError:  # the thread ended meanwhile, or may not be changed: leave it
            continue
    return os.nice(0)


def lower_bulk_priority(config: Mapping[str, Any]) -> int:
    """:func:`lower_priority` by the app's ``BULK_JOB_NICE``."""
    return lower_priority(int(config.get("BULK_JOB_NICE") or 0))


#: Command words that make a ``flask`` process a bulk job (with ``search-index check``, only
#: when it repairs).
BULK_COMMANDS = frozenset({"reindex", "import-hsds"})


def is_bulk_command(argv: Sequence[str]) -> bool:
    """Whether a process started with ``argv`` runs a bulk job (``flask ... reindex``)."""
    words = set(argv[1:])
    return bool(words & BULK_COMMANDS) or {"search-index", "check", "--repair"} <= words


def lower_priority_before_the_app(argv: Sequence[str]) -> int | None:
    """For ``wsgi.py``, before it makes the app: a bulk command lowers its priority now
    rather than when the command starts. Making the app (importing every blueprint, about
    2 s of one core) ran at full priority, and with the site near capacity that took a core
    from its workers: their run-queue wait went from 0.23 to 0.81-0.87 (in cores' worth) for
    the first 3 s of each `flask reindex` (docs/reliability.md, "The start of a bulk job").
    None when ``argv`` is not a bulk command, or ``BULK_JOB_NICE`` is not a number (making
    the app then reports it)."""
    if not is_bulk_command(argv):
        return None
    try:
        niceness = Settings.from_environ().BULK_JOB_NICE
    except ConfigError:
        return None
    return lower_priority(niceness)
