"""Listeners are installed on every new session factory, even one SQLAlchemy's event registry
wrongly believes already has them (a dead factory's key left behind at the same address)."""

from __future__ import annotations

import gc

import pytest
import sqlalchemy.event
from sqlalchemy.event import registry
from sqlalchemy.orm import sessionmaker

from directory import listeners
from directory.core.events import listen_once
from directory.listings import changes


def _flush_listeners(factory: sessionmaker) -> list:
    return list(factory().dispatch.before_flush)


def test_sqlalchemy_keeps_a_dead_factorys_listener_key():
    """The reason for listen_once: the registry key (by id) outlives the factory."""

    def listener(*_args):
        return None

    factory = sessionmaker()
    sqlalchemy.event.listen(factory, "before_flush", listener)
    key = (id(factory), "before_flush", id(listener))
    del factory
    gc.collect()
    assert key in registry._key_to_collection


def test_a_factory_the_registry_thinks_has_them_still_gets_every_listener(monkeypatch):
    # What a new factory at a dead one's address sees: contains() says yes for everything.
    monkeypatch.setattr(sqlalchemy.event, "contains", lambda *_args, **_kwargs: True)
    factory = sessionmaker()
    listeners.install(factory)
    assert changes._before_flush in _flush_listeners(factory)


def test_installing_twice_installs_once():
    factory = sessionmaker()
    listeners.install(factory)
    listeners.install(factory)
    assert _flush_listeners(factory).count(changes._before_flush) == 1


@pytest.mark.parametrize("count", [1, 3])
def test_listen_once_per_target_not_per_class(count):
    """Two factories each get their own listener; the mark is on the target, not shared."""

    def listener(*_args):
        return None

    factories = [sessionmaker() for _ in range(count)]
    for factory in factories:
        listen_once(factory, "before_flush", listener)
        listen_once(factory, "before_flush", listener)
    assert all(_flush_listeners(f).count(listener) == 1 for f in factories)
