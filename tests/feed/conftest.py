"""Fixtures for the change-feed tests: apps on the run's throwaway PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from whoosh.qparser import QueryParser

from directory import create_app
from tests.conftest import _app_config, _truncate_postgres


@pytest.fixture
def pg_machines(postgres_url: str, tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    """Make apps ("machines") on one emptied PostgreSQL database, each with its own index
    folder under ``tmp_path``; their engines are disposed of afterwards."""
    _truncate_postgres(postgres_url)
    made: list[Flask] = []

    def machine(name: str, **extra: object) -> Flask:
        config = {**_app_config(postgres_url, tmp_path / name), **extra}
        app = create_app(config)
        made.append(app)
        return app

    yield machine
    for app in made:
        updater = app.extensions.get("search_index.updater")
        if updater is not None:
            updater.stop()
        app.extensions["database"].engine.dispose()


def ids_matching(searcher, word: str) -> set[str]:
    """Service ids whose document has ``word`` (any field), with the schema's own analyser."""
    query = QueryParser("all", searcher.schema).parse(word)
    return {hit["service_id"] for hit in searcher.search(query, limit=None)}
