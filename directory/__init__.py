"""Community resource directory: an Open Referral UK 3.0 directory with signposting search."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Flask

from directory import config as config_module
from directory.db import db

#: Every blueprint, in one place: each module named here exposes ``bp``.
BLUEPRINTS = (
    "directory.api.views",
    "directory.ops.views",
    "directory.public.views",
    "directory.mylist.views",
    "directory.help_requests.views",
    "directory.help_offers.views",
    "directory.places.views",
    "directory.accounts.views",
    "directory.manage.views",
    "directory.staff.views",
    "directory.staff.people_views",
    "directory.moderation.views",
    "directory.help_offers.staff_views",
    "directory.matching.views",
    "directory.freshness.views",
    "directory.feedback.views",
    "directory.feedback.manage_views",
    "directory.insights.views",
    "directory.privacy.views",
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration from the environment, overridden by ``config``."""
    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE_DIR),
        template_folder=str(config_module.PROJECT_ROOT / "templates"),
        static_folder=str(config_module.PROJECT_ROOT / "directory" / "static"),
    )
    app.config.from_mapping(config_module.from_environment())
    if config:
        app.config.from_mapping(config)

    import directory.models  # noqa: F401  (every mapper, before the first query)

    db.init_app(app)  # the engine, and sessions with their listeners (directory.listeners)
    __import__("search_index.store").store.init_app(app)
    if config_module.as_bool(app.config.get("SEARCH_SEMANTIC"), "SEARCH_SEMANTIC"):
        __import__("search_index.semantic").semantic.warm_up()

    from directory.accounts import identity
    from directory.extensions import limiter  # noqa: F401  (bound in web.init_app)

    for module_name in BLUEPRINTS:
        app.register_blueprint(import_module(module_name).bp)
    identity.init_app(app)

    from directory import web

    web.init_app(app)

    from directory.cli import register_cli

    register_cli(app)
    return app
