"""Is a generation whole? Every file a searcher reads, checked quickly or to the last byte.

A searcher reads the table of contents, each segment's compound file, each bulk-written
segment's arrays file (memory-mapped: ``search_index.arrays``), the spelling dictionary and
``sync.json``. The old check opened the index and read a little of every segment, so an arrays
file with garbage in it passed, and then every search failed.

* ``quick`` (start-up, before a process serves, and after a search error): the index opens
  and a little of every segment reads back; every arrays file's structure holds (magic,
  section sizes against the file size, ascending offsets that end where the sections end,
  document numbers inside the segment, position counts adding up); the spelling dictionary
  parses; every file the rebuild wrote still has the size it had (``MANIFEST.json``).
  A few milliseconds per file, whatever the damage.
* ``deep`` (``flask search-index check``, and after a search error that the quick check did
  not explain): also the CRC-32 of every file in the manifest (about 0.3 s for the 330 MB of
  an index of 100,000 services) and every posting and stored field of segments written after
  the rebuild (same-request updates: small).

``write_manifest`` records the size and CRC-32 of the files a rebuild wrote, before the
generation is published. Those files never change afterwards (Whoosh writes new segments
beside them and deletes merged-away ones; a deleted file is simply no longer read).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.index import FileIndex

from search_index.arrays import MAGIC, TermArrays, filename
from search_index.bulk import SPELLING_FILE
from search_index.lru import LRU

MANIFEST = "MANIFEST.json"
#: Files of a generation a rebuild writes once and never changes.
_MANIFEST_SUFFIXES = (".seg", ".arrays")
_READ_SIZE = 1 << 20
#: Segments with at most this many documents are read whole by the deep check.
_FULL_READ_DOCS = 50_000


class Damaged(Exception):
    """A file of the generation is not what was written: the generation must be rebuilt."""


def crc32_of(path: Path) -> int:
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_SIZE):
            crc = zlib.crc32(chunk, crc)
    return crc


def write_manifest(path: Path) -> None:
    """Record the size and CRC-32 of the files a rebuild wrote into the generation at
    ``path`` (call before publishing it)."""
    files = {}
    for file in sorted(path.iterdir()):
        if file.name == SPELLING_FILE or file.name.endswith(_MANIFEST_SUFFIXES):
            files[file.name] = {"size": file.stat().st_size, "crc32": crc32_of(file)}
    (path / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def read_manifest(path: Path) -> dict[str, dict[str, int]]:
    """The manifest's files; empty for a generation written before manifests existed."""
    try:
        text = (path / MANIFEST).read_text()
    except FileNotFoundError:
        return {}
    try:
        files = json.loads(text)["files"]
        return {
            str(k): {"size": int(v["size"]), "crc32": int(v["crc32"])} for k, v in files.items()
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise Damaged(f"{MANIFEST} is unreadable") from exc


def check_generation(ix: FileIndex, path: Path, *, deep: bool = False) -> None:
    """Raise ``Damaged`` (or whatever Whoosh raises on a broken file) unless every file a
    searcher reads is whole: see the module docstring for ``deep``."""
    manifest = read_manifest(path)
    for name, expected in manifest.items():
        file = path / name
        if not file.exists():
            continue  # merged away by a later write: no longer read
        if file.stat().st_size != expected["size"]:
            raise Damaged(f"{name} has {file.stat().st_size} bytes, not {expected['size']}")
        if deep and crc32_of(file) != expected["crc32"]:
            raise Damaged(f"{name} is not what the rebuild wrote (checksum differs)")
    with ix.searcher() as searcher:
        searcher.doc_count()
        for leaf, _offset in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            if segment is None:
                continue
            whole = deep and not any(n.startswith(f"MAIN_{segment.segment_id()}") for n in manifest)
            _read_segment(leaf, whole and leaf.doc_count_all() <= _FULL_READ_DOCS)
            arrays = path / filename(segment, "all")
            if arrays.exists():
                _once(arrays, deep, partial(check_arrays, arrays, leaf.doc_count_all()))
    spelling = path / SPELLING_FILE
    if spelling.exists():
        _once(spelling, deep, partial(check_spelling, spelling))


#: Files whose structure a quick check found whole, by (path, size, mtime, inode): a finished
#: file never changes, so readiness probes and repeated checks do not read it again.
_whole: LRU[tuple[str, int, int, int], bool] = LRU(256)


def _once(path: Path, deep: bool, check: Callable[[], None]) -> None:
    """Run ``check`` unless a quick check already passed on this very file (a deep check
    always runs it)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if not deep and key in _whole:
        return
    check()
    _whole.put(key, True)


def _read_segment(leaf: Any, whole: bool) -> None:
    """Read stored fields and postings back: a little of each (quick), or all of them."""
    docs: Iterator[int] = leaf.all_doc_ids()
    for docnum in docs if whole else islice(docs, 1):
        leaf.stored_fields(docnum)
    terms = leaf.all_terms()
    for fieldname, text in terms if whole else islice(terms, 3):
        leaf.postings(fieldname, text).all_ids()


def check_arrays(path: Path, doc_count: int) -> None:
    """Raise ``Damaged`` unless the arrays file at ``path`` is structurally whole for a
    segment of ``doc_count`` documents (vectorised: milliseconds for 50 MB)."""
    data = np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else b""
    try:
        if bytes(data[:8]) != MAGIC:
            raise Damaged(f"{path.name} does not start like an arrays file")
        arrays = TermArrays(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Damaged(f"{path.name} is cut short or garbled ({exc})") from exc
    _check_sections(arrays, path.name, doc_count)


def _check_sections(arrays: TermArrays, name: str, doc_count: int) -> None:
    """The offsets, document numbers and position counts agree, so no word's slice can be
    out of step with another's (``np.repeat`` of ids by counts would fail in a search)."""
    starts = arrays._starts.astype(np.int64)
    position_starts = arrays._position_starts.astype(np.int64)
    ids, counts, positions = arrays._ids, arrays._counts, arrays._positions
    problems = []
    if len(arrays.terms) + 1 != len(starts):
        problems.append("term count")
    if starts[0] != 0 or starts[-1] != len(ids) or np.any(np.diff(starts) < 0):
        problems.append("posting offsets")
    if (
        position_starts[0] != 0
        or position_starts[-1] != len(positions)
        or np.any(np.diff(position_starts) < 0)
    ):
        problems.append("position offsets")
    if len(ids) and int(ids.max()) >= doc_count:
        problems.append("document numbers")
    if not problems and len(ids):
        nonempty = np.diff(starts) > 0
        sums = np.zeros(len(starts) - 1, np.int64)
        sums[nonempty] = np.add.reduceat(counts, starts[:-1][nonempty], dtype=np.int64)
        if np.any(sums != np.diff(position_starts)):
            problems.append("positions per word")
    if problems:
        raise Damaged(f"{name} is garbled ({', '.join(problems)})")


def check_spelling(path: Path) -> None:
    """The spelling dictionary, if any, is UTF-8 lines of a word, a tab and a count."""
    if not path.exists():
        return
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Damaged(f"{SPELLING_FILE} is not text") from exc
    for line in text.splitlines():
        word, tab, count = line.partition("\t")
        if not (word and tab and count.isdigit()):
            raise Damaged(f"{SPELLING_FILE} has a garbled line")
