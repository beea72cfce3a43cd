"""Community resource directory: an Open Referral UK 3.0 directory with signposting search."""

from __future__ import annotations

from typing import Any

from flask import Flask

from directory import config as config_module
from directory.db import db


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

    import directory.listings.changes
    import directory.models  # noqa: F401

    db.init_app(app)
    __import__("search_index.store").store.init_app(app)
    if app.config.get("SEARCH_SEMANTIC"):
        __import__("search_index.semantic").semantic.warm_up()

    from directory.api.views import bp as api_bp

    app.register_blueprint(api_bp)

    from directory import web
    from directory.public import search_views  # noqa: F401  (adds the search pages to bp)
    from directory.public.views import bp as public_bp

    app.register_blueprint(public_bp)

    from directory.mylist.views import bp as mylist_bp

    app.register_blueprint(mylist_bp)

    from directory.places.views import bp as places_bp

    app.register_blueprint(places_bp)
    web.init_app(app)

    from directory.cli import register_cli

    register_cli(app)
    return app
