"""The Insurance Accelerator: create_app builds config, extensions, blueprints, errors and CLI."""

from __future__ import annotations

from flask import Flask, has_request_context, request

from accelerator import clock
from accelerator.config import load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    if app.config.get("CLOCK_PIN") is not None:
        clock.pin(app.config["CLOCK_PIN"])

    if app.config["TRUSTED_PROXIES"]:
        from accelerator.proxies import TrustedProxies

        app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"],
                                      app.config["TRUSTED_PROXY_ADDRESSES"])

    from accelerator import database
    from accelerator.extensions import csrf, db, login_manager, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                                      app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    db.init_app(app)
    with app.app_context():
        database.configure(db.engine, begin_immediate=app.config["SQLITE_BEGIN_IMMEDIATE"],
                           synchronous=app.config["SQLITE_SYNCHRONOUS"], reads_first=_reading_request)
    migrate.init_app(app, db, directory=str(_project_root() / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)

    from accelerator import models  # noqa: F401 - registers the tables with the metadata
    from accelerator.web import register_web

    register_web(app)
    from accelerator.api import register_api

    register_api(app)

    from accelerator.http import register_http

    register_http(app)

    from accelerator.cli import register_cli

    register_cli(app)

    from accelerator import observability

    observability.install(app)  # last: its middleware must be the outermost
    return app


def _project_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def _reading_request() -> bool:
    """Whether a transaction beginning now serves a GET or HEAD request (reads first, writes rarely)."""
    return has_request_context() and request.method in ("GET", "HEAD")
