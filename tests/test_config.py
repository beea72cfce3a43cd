"""Configuration from the environment: every setting docs/configuration.md lists is honoured."""

from __future__ import annotations

from directory import config, create_app


def test_search_settings_come_from_the_environment_typed(monkeypatch):
    monkeypatch.setenv("SEARCH_SYNC_INTERVAL", "5")
    monkeypatch.setenv("SEARCH_REINDEX_PROCS", "1")
    monkeypatch.setenv("SEARCH_SEMANTIC", "yes")
    monkeypatch.delenv("SEARCH_GAP_TIMEOUT", raising=False)
    settings = config.from_environment()
    assert settings["SEARCH_SYNC_INTERVAL"] == 5.0
    assert settings["SEARCH_REINDEX_PROCS"] == 1
    assert settings["SEARCH_SEMANTIC"] is True
    assert "SEARCH_GAP_TIMEOUT" not in settings  # the index's own default applies


def test_settings_given_to_the_factory_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_SEMANTIC", "1")
    app = create_app(
        {"SEARCH_SEMANTIC": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    )
    assert app.config["SEARCH_SEMANTIC"] is False
    app.extensions["database"].engine.dispose()
