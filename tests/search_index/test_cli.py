"""``flask reindex`` and ``flask search-index``: what an operator runs and reads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from whoosh.qparser import QueryParser

from directory.config import PROJECT_ROOT
from directory.models import ListingChange, Service
from search_index.store import IndexStore
from search_index.sync import get_sync
from tests.factories import make_organization, make_service


def _names_in(index_dir: str, word: str) -> set[str]:
    store = IndexStore(index_dir, lambda: None)
    with store.open_index().searcher() as searcher:
        query = QueryParser("all", searcher.schema).parse(word)
        return {hit["service_id"] for hit in searcher.search(query, limit=None)}


def test_reindex_prints_progress_and_a_summary(app, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    old = get_sync(app).store.current_generation()
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Rebuilding the search index in" in result.output
    assert "1 of 1 services (100%)" in result.output
    summary = re.search(r"Done: generation (\S+): 1 services, (\d+) documents", result.output)
    assert summary and summary.group(1) != old
    assert re.search(r"built in [\d.]+ s, [\d.]+ s in all; [\d.]+ MB on disk", result.output)
    assert _names_in(app.config["SEARCH_INDEX_DIR"], "larder") == {service.id}


def test_status_shows_the_generation_and_the_lag(app, session):
    make_service(session, "Lache Community Larder")
    session.commit()
    get_sync(app).ready_store()
    result = app.test_cli_runner().invoke(args=["search-index", "status"])
    assert result.exit_code == 0, result.output
    generation = get_sync(app).store.current_generation()
    assert f"Live generation: {generation}" in result.output
    assert "(0 behind, 0 gap(s) awaited)" in result.output


def test_status_without_an_index_says_how_to_make_one(app):
    result = app.test_cli_runner().invoke(args=["search-index", "status"])
    assert result.exit_code == 1
    assert "run `flask reindex`" in result.output


def test_check_finds_a_corrupt_index_and_repair_rebuilds_it(app, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    store = get_sync(app).ready_store()
    for file in store.generation_path(store.current_generation()).glob("*.toc"):
        file.write_bytes(b"not a table of contents")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search-index", "check"])
    assert result.exit_code == 1
    assert "index unreadable" in result.output
    result = runner.invoke(args=["search-index", "check", "--repair"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search-index", "check"]).output.strip() == (
        "The search index is healthy."
    )
    assert _names_in(app.config["SEARCH_INDEX_DIR"], "larder") == {service.id}


def test_sync_applies_what_the_hooks_missed(app, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    get_sync(app).ready_store()
    session.info["skip_change_tracking"] = True
    service.name = "Lache Community Pantry"
    session.add(ListingChange(service_id=service.id))
    session.flush()
    session.info.pop("search_index.pending")
    session.commit()
    result = app.test_cli_runner().invoke(args=["search-index", "sync"])
    assert result.output.strip() == "Applied 1 change(s)."
    assert _names_in(app.config["SEARCH_INDEX_DIR"], "pantry") == {service.id}


@pytest.mark.slow
def test_reindex_in_another_process_loses_no_edit_made_while_it_runs(app, session, tmp_path):
    """A real ``flask reindex --procs 2`` while this process edits and searches non-stop."""
    org = make_organization(session)
    ids = [
        make_service(session, f"Winsford Lunch Club {n}", organization=org, places=()).id
        for n in range(150)
    ]
    session.commit()
    sync = get_sync(app)
    sync.ready_store()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "SECRET_KEY": "test-secret",
        "INSTANCE_DIR": str(tmp_path / "instance"),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reindex", "--procs", "2"]
    reindex = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    edited: dict[str, str] = {}
    edits = 0
    deadline = time.monotonic() + 300
    while reindex.poll() is None and time.monotonic() < deadline:
        service_id = ids[edits % len(ids)]
        word = f"edition{edits}"
        session.get(Service, service_id).name = f"Winsford Lunch Club {word}"
        session.commit()
        edited[service_id] = word
        edits += 1
        searcher = sync.store.searcher()
        hits = searcher.search(QueryParser("all", searcher.schema).parse("winsford"), limit=5)
        assert len(hits) == len(ids)  # every service, whichever generation is live
    output = reindex.communicate(timeout=60)[0].decode()
    assert reindex.returncode == 0, output
    replayed = int(re.search(r"([\d,]+) changes replayed; 2 process", output).group(1))
    assert edits > 5 and replayed > 0, output
    for service_id, word in edited.items():
        assert _names_in(app.config["SEARCH_INDEX_DIR"], word) == {service_id}


def test_status_of_a_damaged_index_says_how_to_repair_it(app, session):
    make_service(session, "Lache Community Larder")
    session.commit()
    store = get_sync(app).ready_store()
    for file in store.generation_path(store.current_generation()).glob("*.toc"):
        file.write_bytes(b"not a table of contents")
    result = app.test_cli_runner().invoke(args=["search-index", "status"])
    assert result.exit_code == 1
    assert "check --repair" in result.output
