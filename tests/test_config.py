"""Configuration from the environment: every setting docs/configuration.md lists is honoured."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from directory import config, create_app
from directory.config import ConfigError, Settings, as_bool

ROOT = Path(__file__).resolve().parent.parent


def test_search_settings_come_from_the_environment_typed(monkeypatch):
    monkeypatch.setenv("SEARCH_SYNC_INTERVAL", "5")
    monkeypatch.setenv("SEARCH_REINDEX_PROCS", "1")
    monkeypatch.setenv("SEARCH_SEMANTIC", "yes")
    monkeypatch.delenv("SEARCH_GAP_TIMEOUT", raising=False)
    settings = config.from_environment()
    assert settings["SEARCH_SYNC_INTERVAL"] == 5.0
    assert settings["SEARCH_REINDEX_PROCS"] == 1
    assert settings["SEARCH_SEMANTIC"] is True
    assert settings["SEARCH_GAP_TIMEOUT"] == 600.0  # unset: the typed default


def test_settings_given_to_the_factory_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_SEMANTIC", "1")
    app = create_app(
        {"SEARCH_SEMANTIC": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    )
    assert app.config["SEARCH_SEMANTIC"] is False
    app.extensions["database"].engine.dispose()


def test_every_setting_has_a_typed_default_and_reaches_the_app(tmp_path):
    settings = Settings.from_environ({"INSTANCE_DIR": str(tmp_path)})
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    for item in fields(Settings):
        assert item.metadata["doc"], f"{item.name} needs a one-line description"
        assert item.name in app.config, item.name
    assert f"sqlite:///{tmp_path / 'directory.sqlite'}" == settings.DATABASE_URL
    assert str(tmp_path / "search_index") == settings.SEARCH_INDEX_DIR
    app.extensions["database"].engine.dispose()


def test_the_settings_issue_12_needs_have_their_defaults():
    settings = Settings.from_environ({})
    assert settings.SESSION_MAX_AGE_HOURS == 12
    assert settings.MAIL_FILE_DIR is None
    assert settings.RATELIMIT_ACCOUNT == "5 per minute;30 per hour"
    assert settings.SIGN_IN_MAX_FAILURES == 5
    assert settings.SIGN_IN_LOCK_MINUTES == 15
    assert settings.REMINDER_LINK_DAYS == 30
    assert settings.REPORT_REPLY_DAYS == 90
    assert settings.PUBLIC_BASE_URL == "http://127.0.0.1:5000"


def test_values_are_read_as_their_types():
    settings = Settings.from_environ(
        {
            "MAIL_PORT": " 587 ",
            "HOME_LATITUDE": "53.2",
            "SESSION_COOKIE_SECURE": "YES",
            "RATELIMIT_ENABLED": "off",
            "GAZETTEER_PATH": "",
            "MAIL_FILE_DIR": "/var/mail/directory",
            "SERVICE_NAME": "Find help in Chester",
        }
    )
    assert settings.MAIL_PORT == 587
    assert settings.HOME_LATITUDE == 53.2
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.RATELIMIT_ENABLED is False
    assert settings.GAZETTEER_PATH is None, "an empty optional setting is unset"
    assert settings.MAIL_FILE_DIR == "/var/mail/directory"
    assert settings.SERVICE_NAME == "Find help in Chester"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SEARCH_SYNC_INTERVAL", "x", "SEARCH_SYNC_INTERVAL must be a number, got 'x'"),
        ("MAIL_PORT", "25.5", "MAIL_PORT must be a whole number, got '25.5'"),
        ("SEARCH_REINDEX_PROCS", "two", "SEARCH_REINDEX_PROCS must be a whole number, got 'two'"),
        ("SEARCH_SEMANTIC", "maybe", "SEARCH_SEMANTIC must be true or false"),
        ("RATELIMIT_ENABLED", "2", "RATELIMIT_ENABLED must be true or false"),
    ],
)
def test_a_bad_value_is_a_clear_error(name, value, message):
    with pytest.raises(ConfigError) as caught:
        Settings.from_environ({name: value})
    assert str(caught.value).startswith(message)


def test_the_app_will_not_start_with_a_bad_value(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_SYNC_INTERVAL", "soon")
    with pytest.raises(ConfigError, match="SEARCH_SYNC_INTERVAL must be a number, got 'soon'"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), (True, True),
     ("0", False), ("false", False), ("NO", False), ("off", False), ("", False), (None, False),
     (False, False)],
)  # fmt: skip
def test_one_boolean_parser(value, expected):
    assert as_bool(value) is expected


def test_only_the_config_module_reads_the_environment():
    """Every other module reads the app's config (or takes values as arguments)."""
    readers = []
    for folder in ("directory", "search_index"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for line in text.splitlines():
                if re.search(r"os\.environ(?!\.setdefault\(\"HF_HUB_OFFLINE\")|os\.getenv", line):
                    readers.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    readers = [r for r in readers if not r.startswith("directory/config.py")]
    assert readers == []


def test_the_configuration_guide_lists_every_setting():
    """docs/configuration.md is generated from Settings; regenerate it with
    ``python -m directory.config > docs/configuration.md`` when this fails."""
    path = ROOT / "docs" / "configuration.md"
    assert path.read_text(encoding="utf-8") == config.markdown()
    for item in fields(Settings):
        assert f"`{item.name}`" in config.markdown()
