"""Damaged index files: ``check`` finds them, and a search on one answers 503 while the index
is rebuilt in the background, never 500.

A corrupt arrays file (``MAIN_<segment>-all.arrays``, memory-mapped by every searcher) made
every search answer 500 while ``flask search-index check`` said the index was healthy: the
check read a little of each Whoosh segment and nothing else. Now it checks every file a
searcher reads (``search_index.health``), and a search that fails on a damaged file starts
the repair and answers 503.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from search_index.arrays import TermArrays
from search_index.bulk import SPELLING_FILE
from search_index.store import IndexStore
from search_index.sync import IndexSync, get_sync
from tests.factories import make_service


def _arrays_file(generation: Path) -> Path:
    (found,) = generation.glob("*-all.arrays")
    return found


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def _damage(generation: Path, kind: str) -> None:
    arrays = _arrays_file(generation)
    size = arrays.stat().st_size
    if kind == "arrays header":
        _overwrite(arrays, 0, b"garbage!" * 3)
    elif kind == "arrays cut short":
        os.truncate(arrays, size // 2)
    elif kind == "arrays document numbers":
        _overwrite(arrays, size // 2, b"\xff" * 64)
    elif kind == "arrays weights":  # nothing structural: only the checksum tells
        view = TermArrays(arrays.read_bytes())
        start = view._weights.ctypes.data - np.frombuffer(view._buffer, np.uint8).ctypes.data
        _overwrite(arrays, start, np.full(4, 7.5, np.float32).tobytes())
    elif kind == "spelling":
        (generation / SPELLING_FILE).write_bytes(b"\xff\xfe not text \x00\n")
    else:
        raise AssertionError(kind)


@pytest.fixture
def built(app, session):
    """An index written by a full rebuild (so it has an arrays file), not yet searched here."""
    for name in ("Lache Community Larder", "Hoole Food Bank", "Blacon Community Pantry"):
        make_service(session, name)
    session.commit()
    sync = get_sync(app)
    sync.rebuild(procs=1)
    return app, sync, Path(sync.store.generation_path(sync.store.current_generation()))


KINDS = ["arrays header", "arrays cut short", "arrays document numbers", "arrays weights",
         "spelling"]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_check_finds_damage_in_any_file_a_searcher_reads(built, kind):
    app, _sync, generation = built
    runner = app.test_cli_runner()
    assert runner.invoke(args=["search-index", "check"]).exit_code == 0
    _damage(generation, kind)
    result = runner.invoke(args=["search-index", "check"])
    assert result.exit_code == 1, result.output
    assert "Problem: index unreadable" in result.output
    result = runner.invoke(args=["search-index", "check", "--repair"])
    assert result.exit_code == 0 and "Rebuilt." in result.output
    assert runner.invoke(args=["search-index", "check"]).exit_code == 0


@pytest.mark.parametrize("kind", ["arrays header", "arrays cut short", "spelling"])
@pytest.mark.parametrize(
    ("path", "params"), [("/api/services", {"search": "larder"}), ("/search", {"q": "larder"})]
)
def test_a_search_on_a_damaged_file_answers_503_and_the_index_is_repaired(
    built, kind, path, params
):
    app, sync, generation = built
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sync.ready_store()  # this process checked the index before the damage
    _damage(generation, kind)
    client = app.test_client()
    response = client.get(path, query_string=params)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    if sync.repairer.running():
        sync.repairer.wait(120)
    assert sync.store.current_generation() != generation.name  # rebuilt
    response = client.get(path, query_string=params)
    assert response.status_code == 200
    assert "Lache Community Larder" in response.get_data(as_text=True)


def test_a_process_starting_on_a_damaged_file_repairs_before_serving(built):
    _app, sync, generation = built
    _damage(generation, "arrays document numbers")
    fresh = IndexSync(IndexStore(sync.store.root, sync.store.schema_factory), sync.session_factory)
    fresh.ready_store()
    assert fresh.store.current_generation() != generation.name
    assert fresh.store.check(deep=True) is None


def test_an_error_the_files_do_not_explain_is_raised_as_it_is(built):
    """A bug must not be hidden as "being repaired", nor set off rebuild after rebuild."""
    _app, sync, generation = built
    error = ZeroDivisionError("a bug in the engine")
    for _ in range(3):
        assert sync.search_failed(error) is None  # the caller raises it: a 500
    assert not sync.repairer.running()
    assert sync.store.current_generation() == generation.name
