"""Where the search index lives on disk, and the only ways to open, write and swap it.

The database is the source of truth; the index is derived from it and can always be rebuilt.
``SEARCH_INDEX_DIR`` holds::

    CURRENT        name of the live generation, replaced atomically with os.replace
    write.lock     flock held by whoever writes to the live generation (any process)
    rebuild.lock   flock held by a full rebuild, so only one runs at a time
    gen-<utc>-<random>/   one complete Whoosh index, with sync.json (what it has applied)

A rebuild writes a whole new generation beside the live one and swaps ``CURRENT``, so searches
never see a half-built index; old generations are marked ``RETIRED`` and deleted a little
later (on POSIX an open file keeps working after it is unlinked, so a searcher still reading
one is safe). Searchers are cached per thread and only reopened when the pointer or the
index changed, because opening one costs far more than a query.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import random
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

if TYPE_CHECKING:
    from flask import Flask
    from whoosh.fields import Schema

log = logging.getLogger(__name__)

POINTER = "CURRENT"
STATE_FILE = "sync.json"
RETIRED_MARK = "RETIRED"
GEN_PREFIX = "gen-"
#: ``IndexStore.check``'s answer when nothing has been built yet (no writer lock can change it).
NO_INDEX = "no index yet"
#: Seqs missing below the high-water mark that we keep re-checking (see ``SyncState``).
MAX_GAPS = 5000


def _cache_missing_length_columns() -> None:
    """Fix a Whoosh 2.7 slowness: remember that a field has no length column.

    Fields with ``scorable=False`` have no lengths file, and ``W3PerDocReader`` checked the
    disk for it again for every posting written at commit (one ``stat`` per posting: half the
    commit time of a rebuild, measured). A finished segment never gains files, so caching the
    answer is safe.
    """

    def cached_reader(self: W3PerDocReader, fieldname: str, column: Any) -> Any:
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
            self._readers[fieldname] = reader
            return reader

    W3PerDocReader._cached_reader = cached_reader


_cache_missing_length_columns()


class LockTimeout(Exception):
    """The lock could not be had in time; the caller leaves the work to the catch-up."""


class IndexUnavailable(Exception):
    """There is no usable index (missing or corrupt) and none could be made."""


class IndexRepairing(IndexUnavailable):
    """The index is being rebuilt in the background (``search_index.repair``): pages and the
    API answer 503 with ``Retry-After: retry_after`` until it is back."""

    def __init__(self, message: str, retry_after: int = 30) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@contextmanager
def file_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``, retrying with jittered backoff until ``timeout``.

    A new descriptor per acquisition makes threads of one process exclude each other too.
    The lock goes with the descriptor, so a crashed holder can never leave it stuck.
    """
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    deadline = time.monotonic() + timeout
    delay = 0.005
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockTimeout(f"{path} is held by another writer")
            time.sleep(min(remaining, delay * random.uniform(0.5, 1.5)))
            delay = min(delay * 2, 0.1)
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class SyncState:
    """How far a generation has applied the ``listing_change`` sequence.

    ``last_seq`` is the highest seq applied. ``gaps`` maps seqs below it that were not visible
    when we read past them to the time we first noticed; on PostgreSQL a sequence number can
    commit after a higher one, so those are re-read until they appear or ``gap_timeout``
    passes (then they were rolled back).
    """

    last_seq: int = 0
    gaps: dict[int, float] = field(default_factory=dict)
    schema: str = ""
    built_at: str = ""

    def advance(
        self, seen: set[int], now: float, *, checked: bool, gap_timeout: float
    ) -> SyncState:
        """The state after applying the changes ``seen``.

        ``checked`` says a catch-up has just looked for every gap, so gaps older than
        ``gap_timeout`` that are still missing can be dropped. After a same-request update
        nothing was looked for, so no gap expires.
        """
        high = max([self.last_seq, *seen])
        gaps = {s: t for s, t in self.gaps.items() if s not in seen}
        if checked:
            gaps = {s: t for s, t in gaps.items() if now - t < gap_timeout}
        for seq in range(max(self.last_seq + 1, high - MAX_GAPS), high):
            if seq not in seen:
                gaps.setdefault(seq, now)
        if len(gaps) > MAX_GAPS:
            log.warning("search index: %d sequence gaps, keeping the newest", len(gaps))
            gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
        return replace(self, last_seq=high, gaps=gaps)

    def to_json(self) -> str:
        data = asdict(self)
        data["gaps"] = sorted([s, t] for s, t in self.gaps.items())
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> SyncState:
        data = json.loads(text)
        return cls(
            last_seq=int(data["last_seq"]),
            gaps={int(s): float(t) for s, t in data.get("gaps", [])},
            schema=str(data.get("schema", "")),
            built_at=str(data.get("built_at", "")),
        )


def schema_fingerprint(schema: Schema) -> str:
    """A short hash of field names and types: a different schema means the index is stale."""
    parts = [
        f"{name}:{type(spec).__name__}:{type(getattr(spec, 'format', None)).__name__}:"
        f"{bool(getattr(spec, 'stored', False))}:{type(getattr(spec, 'column_type', None))}"
        for name, spec in sorted(schema.items())
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class IndexStore:
    """One index directory: its generations, pointer, locks, sync state and cached searchers.

    ``before_search`` callables run before each ``searcher()`` (the catch-up check) and
    ``repair`` is called when the index turns out to be missing or unreadable; both are set by
    ``search_index.sync`` so this class stays free of database code.
    """

    def __init__(self, root_dir: str | os.PathLike[str], schema_factory: Callable[[], Schema]):
        self.root = Path(root_dir)
        self.schema_factory = schema_factory
        self.before_search: list[Callable[[], None]] = []
        self.repair: Callable[[], None] | None = None
        self._fingerprint: str | None = None
        self._pointer_cache: tuple[tuple[int, int], str] | None = None
        self._local = threading.local()

    # Layout -------------------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = schema_fingerprint(self.schema_factory())
        return self._fingerprint

    def generation_path(self, name: str) -> Path:
        return self.root / name

    def current_generation(self) -> str | None:
        """The live generation's name, re-read only when the pointer file was replaced."""
        pointer = self.root / POINTER
        try:
            st = os.stat(pointer)
        except FileNotFoundError:
            return None
        key = (st.st_ino, st.st_mtime_ns)
        if self._pointer_cache and self._pointer_cache[0] == key:
            return self._pointer_cache[1]
        name = pointer.read_text().strip()
        self._pointer_cache = (key, name)
        return name

    def generations(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.name.startswith(GEN_PREFIX))

    def open_index(self, name: str | None = None) -> FileIndex:
        name = name or self.current_generation()
        if name is None:
            raise IndexUnavailable(f"no search index in {self.root}")
        return FileStorage(str(self.generation_path(name))).open_index()

    def size_bytes(self, name: str) -> int:
        path = self.generation_path(name)
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    # Locks --------------------------------------------------------------------------------

    @contextmanager
    def write_lock(self, timeout: float) -> Iterator[None]:
        """Exclusive right to write to the live generation or swap it (all processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / "write.lock", timeout):
            yield

    @contextmanager
    def rebuild_lock(self, timeout: float) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / "rebuild.lock", timeout):
            yield

    # Sync state ---------------------------------------------------------------------------

    def read_state(self, name: str | None = None) -> SyncState:
        name = name or self.current_generation()
        if name is None:
            raise IndexUnavailable(f"no search index in {self.root}")
        return SyncState.from_json((self.generation_path(name) / STATE_FILE).read_text())

    def write_state(self, name: str, state: SyncState) -> None:
        """Write atomically: readers outside the lock always see a whole file."""
        path = self.generation_path(name) / STATE_FILE
        tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(state.to_json())
        os.replace(tmp, path)

    # Generations --------------------------------------------------------------------------

    def create_generation(self) -> str:
        """A new, empty, unpublished generation directory holding an empty index."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{GEN_PREFIX}{stamp}-{secrets.token_hex(3)}"
        path = self.generation_path(name)
        path.mkdir(parents=True)
        FileStorage(str(path)).create_index(self.schema_factory())
        return name

    def publish(self, name: str) -> None:
        """Point ``CURRENT`` at ``name`` in one atomic rename. Call with the write lock held."""
        tmp = self.root / f".{POINTER}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(name + "\n")
        os.replace(tmp, self.root / POINTER)
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def retire_old_generations(self, grace_seconds: float) -> list[str]:
        """Mark superseded generations and delete those marked more than ``grace`` ago.

        Call with the rebuild lock held, so a generation being built is never touched.
        """
        current = self.current_generation()
        removed = []
        for name in self.generations():
            if name == current:
                continue
            mark = self.generation_path(name) / RETIRED_MARK
            if not mark.exists():
                mark.write_text(str(time.time()))
            elif time.time() - mark.stat().st_mtime >= grace_seconds:
                shutil.rmtree(self.generation_path(name), ignore_errors=True)
                removed.append(name)
        return removed

    # Health -------------------------------------------------------------------------------

    def check(self, *, deep: bool = False) -> str | None:
        """None when every file of the live index a searcher reads is whole; otherwise why
        it must be rebuilt. ``deep`` also compares checksums (``search_index.health``)."""
        return self.check_with_state(deep=deep)[0]

    def check_with_state(self, *, deep: bool = False) -> tuple[str | None, SyncState | None]:
        """``check``, and the live generation's sync state as it was read (first, before any
        caller asks the database how far it has got: see ``IndexSync.problem``)."""
        from search_index.health import check_generation

        name = self.current_generation()
        if name is None:
            return NO_INDEX, None
        if not self.generation_path(name).is_dir():
            return f"generation {name} is missing", None
        try:
            state = self.read_state(name)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"sync state unreadable ({exc.__class__.__name__})", None
        if state.schema != self.fingerprint:
            return "the schema has changed", state
        try:
            check_generation(self.open_index(name), self.generation_path(name), deep=deep)
        except Exception as exc:  # Whoosh raises anything from EOFError to IndexError
            return f"index unreadable ({exc.__class__.__name__}: {exc})", state
        return None, state

    # Searching ----------------------------------------------------------------------------

    def searcher(self) -> Searcher:
        """This thread's searcher on the live generation, reopened only when something changed.

        Do not close it: it is shared by every search in this thread. Runs the
        ``before_search`` hooks first and the ``repair`` hook if the index cannot be opened.
        """
        for hook in self.before_search:
            try:
                hook()
            except Exception:
                log.exception("search index: pre-search hook failed; searching as is")
        try:
            return self._cached_searcher()
        except IndexRepairing:
            raise
        except Exception as exc:
            if self.repair is None:
                raise IndexUnavailable(str(exc)) from exc
            # Often a segment merged away by another process between listing and opening:
            # the repair checks first and rebuilds only when the index really is damaged.
            log.warning("search index could not be opened (%s); checking it", exc)
            self.repair()  # may raise IndexRepairing: the rebuild goes on in the background
            return self._cached_searcher()

    def version(self) -> tuple[str, int | None]:
        """What this thread's searcher reads: the live generation and its latest commit. Every
        applied edit commits, every rebuild is a new generation, so a page made from one
        version is right for as long as the version stays (directory/public/page_cache.py)."""
        searcher = self.searcher()
        name, _ = self._local.searcher
        return name, searcher.reader().generation()

    def _cached_searcher(self) -> Searcher:
        name = self.current_generation()
        if name is None:
            raise IndexUnavailable(f"no search index in {self.root}")
        cached: tuple[str, Searcher] | None = getattr(self._local, "searcher", None)
        if cached is not None and cached[0] == name:
            searcher = cached[1]
            if not searcher.up_to_date():
                searcher = reopen(searcher)
                self._local.searcher = (name, searcher)
            return searcher
        searcher = self.open_index(name).searcher()
        self._local.searcher = (name, searcher)
        return searcher

    def status(self) -> dict[str, Any]:
        """Facts for ``flask search-index status`` and monitoring."""
        name = self.current_generation()
        info: dict[str, Any] = {"root": str(self.root), "generation": name}
        info["generations"] = self.generations()
        if name is None:
            return info
        state = self.read_state(name)
        ix = self.open_index(name)
        with ix.reader() as reader:
            info["documents"] = reader.doc_count()
            info["segments"] = len(ix._segments())
        info.update(
            last_seq=state.last_seq,
            gaps=len(state.gaps),
            built_at=state.built_at,
            size_bytes=self.size_bytes(name),
        )
        return info


def reopen(old: Searcher) -> Searcher:
    """A searcher on the index's latest commit, reusing the old one's unchanged segments.

    Not ``Searcher.refresh()``: Whoosh 2.7 reuses a segment's reader when only the segment
    id matches, so documents deleted since (every edit deletes and re-adds) come back as
    duplicates. Here a reader is reused only when its segment's deletions are the same too.
    """
    ix = old._ix
    toc = ix._read_toc()
    reusable = {
        segment.segment_id(): reader
        for reader, _ in old.reader().leaf_readers()
        if (segment := getattr(reader, "segment", lambda: None)()) is not None
    }
    readers = []
    for segment in toc.segments:
        reader = reusable.pop(segment.segment_id(), None)
        if reader is None or set(reader.segment().deleted_docs()) != set(segment.deleted_docs()):
            if reader is not None:
                reusable[segment.segment_id()] = reader
            reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        readers.append(reader)
    for leftover in reusable.values():
        leftover.close()
    if not readers:
        combined = EmptyReader(toc.schema)
    elif len(readers) == 1:
        combined = readers[0]
    else:
        combined = MultiReader(readers, generation=toc.generation)
    return Searcher(combined, fromindex=ix, weighting=old.weighting)


def init_app(app: Flask) -> None:
    """Create this app's store and install the hooks that keep it in step with the database."""
    from search_index.sync import init_app as init_sync

    init_sync(app)


def get_store(app: Flask) -> IndexStore:
    """The app's store, made ready (built or repaired) on first use in this process."""
    from search_index.sync import get_sync

    return get_sync(app).ready_store()
