"""No spikes (issue 14, scope 4): the vocabulary reloads only when it changes, spelling
dictionaries do not pile up, every cache is bounded, and workers warm before taking traffic.

Every 60 s each process used to reload the vocabulary inside a request (212 ms at 100,000
services), and each reload left another spelling dictionary behind (3 to 16 of them).
"""

from __future__ import annotations

import logging
import runpy
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from directory.config import PROJECT_ROOT
from directory.db import db
from directory.models import Attribute, Service, ServiceArea, Taxonomy, TaxonomyTerm
from search_index import SearchRequest, engine, search, vocabulary_cache
from search_index.lru import LRU, put_bounded
from search_index.store import IndexStore
from search_index.sync import get_sync
from search_index.view import _MAX_CACHED_WORDS
from search_index.vocabulary import load_vocabulary
from search_index.warm import warm
from tests.factories import CHESHIRE_WEST, make_service, term


@contextmanager
def statements(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine_ = app.extensions["database"].engine
    event.listen(engine_, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine_, "before_cursor_execute", record)


@pytest.fixture
def every_call_checks(monkeypatch):
    """Ask the database on every load, as if each call came after the check interval."""
    monkeypatch.setattr(vocabulary_cache, "CHECK_INTERVAL", 0.0)


def test_the_vocabulary_reloads_only_when_its_generation_changes(app, session, every_call_checks):
    service = make_service(session, "Lache Community Larder", service_areas=(CHESHIRE_WEST,))
    session.commit()
    first = load_vocabulary(session)
    loads = vocabulary_cache.full_loads

    with statements(app) as seen:  # nothing changed: two small questions, the same object
        assert load_vocabulary(session) is first
    assert len(seen) == 2 and not any("service_area" in s for s in seen)

    session.get(Service, service.id).name = "Lache Community Pantry"  # a listing edit
    session.commit()
    assert load_vocabulary(session) is first

    area = session.scalars(select(ServiceArea).where(ServiceArea.service_id == service.id)).one()
    area.name = "Cheshire West & Chester"  # a listing's area name: updated in place
    session.commit()
    assert load_vocabulary(session) is first
    assert first.area_names[CHESHIRE_WEST] == "Cheshire West & Chester"
    assert vocabulary_cache.full_loads == loads

    food = term(session, "Food")
    food.synonyms = [*food.synonyms, "grub"]  # the taxonomy changed: a new generation
    session.commit()
    second = load_vocabulary(session)
    assert second is not first and second.generation > first.generation
    assert any("grub" in c.text for c in second.concepts)
    assert vocabulary_cache.full_loads == loads + 1
    assert load_vocabulary(session) is second


def test_a_new_feed_taxonomy_leaves_the_vocabulary(app, session, every_call_checks):
    """Terms of a feed's own taxonomy (linked as ``source_term``) are not search terms: when a
    listing first links one, the vocabulary reloads without them."""
    service = make_service(session, "Lache Community Larder")
    feed = Taxonomy(name="Feed terms", description="A council feed's own", uri="https://x.example")
    session.add(feed)
    session.flush()
    session.add(TaxonomyTerm(name="Zebra grooming", taxonomy_id=feed.id, description=""))
    session.commit()
    before = load_vocabulary(session)
    assert "Zebra grooming" in {t.label for t in before.terms.values()}
    feed_term = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.name == "Zebra grooming"))
    session.add(Attribute(link_id=service.id, link_entity="service", link_type="source_term",
                          taxonomy_term_id=feed_term.one().id))  # fmt: skip
    session.commit()
    after = load_vocabulary(session)
    assert after is not before
    assert "Zebra grooming" not in {t.label for t in after.terms.values()}


def test_spelling_dictionaries_are_one_per_generation_and_few(app, session, every_call_checks):
    make_service(session, "Lache Community Larder")
    session.commit()
    with app.test_request_context():
        for round_ in range(6):
            for _ in range(3):  # the same generation: one dictionary, whatever the searches
                search(SearchRequest(text="larder"))
            view = engine.view_for(get_sync(app).store.searcher())
            vocab = load_vocabulary(db.session)
            assert engine.speller_for(view, vocab) is engine.speller_for(view, vocab)
            assert len(engine._spellers) <= engine._spellers.size
            food = term(db.session, "Food")
            food.synonyms = [*food.synonyms, f"nosh{round_}"]  # a new vocabulary generation
            db.session.commit()
    assert engine._spellers.size == 4


def test_caches_drop_the_least_recently_used_entry():
    cache: LRU[str, int] = LRU(3)
    for n, key in enumerate("abc"):
        cache.put(key, n)
    assert cache.get("a") == 0  # "a" is now the most recently used
    cache.put("d", 3)
    assert "b" not in cache and len(cache) == 3
    assert cache.get_or_make("e", lambda: 4) == 4 and "c" not in cache
    plain: dict[int, int] = {}
    for n in range(100):
        put_bounded(plain, n, n, 40)
        assert len(plain) <= 40
    assert 99 in plain and 0 not in plain


def test_a_searchers_word_cache_keeps_its_size(app, session):
    make_service(session, "Lache Community Larder")
    session.commit()
    view = engine.view_for(get_sync(app).ready_store().searcher())
    for n in range(_MAX_CACHED_WORDS + 50):
        view.text_bits("all", f"word{n}")
    assert len(view._text) == _MAX_CACHED_WORDS
    assert ("bits", "all", f"word{_MAX_CACHED_WORDS + 49}") in view._text


def test_warm_readies_the_index_vocabulary_and_caches(app, session):
    make_service(session, "Lache Community Larder")
    session.commit()
    timings = warm(app)
    assert {"templates", "index", "vocabulary", "search", "total"} <= set(timings)
    sync = get_sync(app)
    assert sync._ready and sync.store.check() is None
    folder = str(sync.store.generation_path(sync.store.current_generation()))
    assert any(key[0] == folder for key in engine._spellers._data)


def test_warm_never_waits_out_a_long_repair(app, session, caplog):
    make_service(session, "Lache Community Larder")
    session.commit()
    sync = get_sync(app)
    sync.repairer.wait_seconds = 0
    IndexStore(sync.store.root, sync.store.schema_factory).root.mkdir(parents=True)
    with sync.store.rebuild_lock(timeout=1), caplog.at_level(logging.WARNING):
        timings = warm(app)  # another process is rebuilding: no exception, no wait
    assert "search" not in timings
    assert "not warmed" in caplog.text
    sync.repairer.wait(120)


def test_gunicorn_config_warms_each_worker(app, session):
    make_service(session, "Lache Community Larder")
    session.commit()
    config = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is False and config["timeout"] > 10

    class Worker:  # what gunicorn hands the hook: the loaded app, its log and pid
        wsgi = app
        pid = 1234
        log = logging.getLogger("gunicorn.error")

    config["post_worker_init"](Worker())
    assert get_sync(app)._ready
