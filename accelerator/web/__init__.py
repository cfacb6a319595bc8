"""HTML blueprints of the site: public, auth, sellers, insurers, admin."""

from __future__ import annotations

from flask import Flask

from accelerator.extensions import login_manager


def register_web(app: Flask) -> None:
    """Register the site's blueprints, the login loader and template helpers."""
    from accelerator.services.accounts import load_user
    from accelerator.web import public

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    app.register_blueprint(public.bp)
