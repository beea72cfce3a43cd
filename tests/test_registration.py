"""Blueprints and command groups are registered from one list each, always: a module named
there that does not exist stops the app, and templates never ask whether a page exists."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest
from flask import Flask

from directory import BLUEPRINTS, cli

ROOT = Path(__file__).resolve().parent.parent


def test_every_blueprint_and_command_module_is_registered(app: Flask):
    for module_name in BLUEPRINTS:
        assert import_module(module_name).bp.name in app.blueprints, module_name
    for module_name in cli.CLI_MODULES:
        assert callable(import_module(module_name).register), module_name
    for command in ("db", "import-hsds", "seed", "reindex", "infer-needs", "duplicates"):
        assert command in app.cli.commands, command


def test_a_missing_command_module_is_an_error_not_silence(monkeypatch, app: Flask):
    monkeypatch.setattr(cli, "CLI_MODULES", (*cli.CLI_MODULES, "directory.no_such_commands"))
    with pytest.raises(ModuleNotFoundError, match=r"directory\.no_such_commands"):
        cli.register_cli(Flask("spare"))


def test_templates_do_not_ask_whether_a_page_exists():
    users = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "directory")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".py", ".txt"} and "has_endpoint" in path.read_text("utf-8")
    ]
    assert users == []
