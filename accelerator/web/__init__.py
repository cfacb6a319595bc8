"""The site's HTML pages: `register_web` puts its blueprints, login loader and template helpers on the app."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from accelerator.domain.categories import category_name
from accelerator.domain.states import state_name
from accelerator.extensions import login_manager
from accelerator.http import api_error, error_page, is_api_request
from accelerator.services.accounts import load_user
from accelerator.web import (
    admin,
    admin_claims,
    admin_sellers,
    auth,
    documents,
    insurer_claims,
    insurer_confirmations,
    insurers,
    public,
    reports,
    sellers,
    verify,
)
from accelerator.web.template_filters import certificate_value, long_date, money, rating_notice, utc_time

CSRF_MESSAGE = "This form had expired or did not come from this site. Go back, reload the page and try again."


def register_web(app: Flask) -> None:
    """Register the site's blueprints, the login loader and template helpers."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # Path ids are database integers: a larger number names nothing (a 404, not an overflow in the query).
    app.url_map.converters["int"] = DatabaseIdConverter

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(sellers.bp)
    app.register_blueprint(insurers.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_sellers.bp)
    app.register_blueprint(insurer_claims.bp)
    app.register_blueprint(insurer_confirmations.bp)
    app.register_blueprint(admin_claims.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(reports.admin_bp)
    app.register_blueprint(reports.insurer_bp)
    from accelerator.web import metrics

    app.register_blueprint(metrics.bp)

    app.add_template_filter(money, "money")
    app.add_template_filter(category_name, "category_name")
    app.add_template_filter(state_name, "state_name")
    app.add_template_filter(utc_time, "utc_time")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(certificate_value, "certificate_value")
    from accelerator.services.claim_evidence import size_words

    app.add_template_filter(size_words, "file_size")
    app.add_template_global(category_name, "category_name")
    app.add_template_global(state_name, "state_name")
    app.add_template_global(rating_notice, "rating_notice")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        """A form without a valid CSRF token: a 400 page that says what to do."""
        if is_api_request():  # pragma: no cover - the API is exempt from CSRF
            return api_error(400, exc.description)
        return error_page(400, CSRF_MESSAGE)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in the site's routes: a whole number from 0 up to the largest 32-bit database id."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        """Werkzeug's integer converter, bounded above unless a route says otherwise."""
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
